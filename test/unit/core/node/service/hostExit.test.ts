// How a guest host's end becomes the crashed VM's reason: from Node's exit code and signal,
// or from Electron's child-process-gone details (utility processes report no signal).
import { describe, expect, it } from 'vitest';
import { describeHostExit, exitFromGone, processGoneReasons, type GuestHostExit } from '../../../../../core/node/service/hostExit';

/** The English of a sentence, whatever form the catalog hands it out in. */
const english = (s: string | { message: string }) => (typeof s === 'string' ? s : s.message);
const reason = (exit: GuestHostExit) => english(describeHostExit(exit));

describe('a guest host that went away', () => {
  it('forked by Node: the signal or the exit code', () => {
    expect(reason({ code: null, signal: 'SIGKILL' })).toBe('The guest host process was killed by SIGKILL.');
    expect(reason({ code: 3, signal: null })).toBe('The guest host process exited unexpectedly with code 3.');
  });

  it('a utility process on Linux or macOS: Electron’s reason, and the signal its exit code stands for', () => {
    const said = (r: string, exitCode: number) => reason(exitFromGone({ reason: r, exitCode }, 'linux'));
    expect(said('oom', 9)).toBe('The guest host ran out of memory.');
    expect(said('killed', 9)).toBe('The guest host process was killed by SIGKILL.');
    expect(said('killed', 15)).toBe('The guest host process was killed by SIGTERM.');
    expect(said('crashed', 11)).toBe('The guest host process crashed (SIGSEGV).');
    expect(said('abnormal-exit', 2)).toBe('The guest host process exited unexpectedly with code 2.');
    expect(said('launch-failed', 1003)).toBe('The guest host process could not be started (error 1003).');
    expect(said('memory-eviction', 9)).toBe('The system ended the guest host process to free memory.');
    expect(exitFromGone({ reason: 'crashed', exitCode: 11 }, 'darwin')).toEqual({ code: null, signal: 'SIGSEGV', gone: 'crashed' });
  });

  it('a utility process on Windows: the exit code is the process’s own, not a signal', () => {
    const said = (r: string, exitCode: number) => reason(exitFromGone({ reason: r, exitCode }, 'win32'));
    expect(said('crashed', -1073741819)).toBe('The guest host process crashed (code -1073741819).');
    expect(said('killed', 1)).toBe('The guest host process was killed.');
    expect(said('oom', -536870904)).toBe('The guest host ran out of memory.');
    expect(said('integrity-failure', 0)).toBe("The guest host process failed Windows' code integrity check.");
  });

  it('every reason Electron names has its own handling; one it may add later reads as an abnormal exit', () => {
    for (const r of processGoneReasons) expect(exitFromGone({ reason: r, exitCode: 1 }, 'linux').gone).toBe(r);
    expect(exitFromGone({ reason: 'sunspots', exitCode: 4 }, 'linux')).toEqual({ code: 4, signal: null, gone: 'abnormal-exit' });
    expect(reason(exitFromGone({ reason: 'sunspots', exitCode: 4 }, 'linux'))).toBe('The guest host process exited unexpectedly with code 4.');
  });
});
