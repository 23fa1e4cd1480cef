import os from 'node:os';
import { m } from '../../common/messages';

/**
 * Why Electron says a utility process went away (`app.on('child-process-gone')`'s
 * `details.reason`), as a closed set. A reason a later Electron adds reads as an abnormal exit.
 */
export const processGoneReasons = ['clean-exit', 'abnormal-exit', 'killed', 'crashed', 'oom', 'launch-failed', 'integrity-failure', 'memory-eviction'] as const;
export type ProcessGoneReason = (typeof processGoneReasons)[number];

/** How a guest host process ended, from the outside. */
export interface GuestHostExit {
  code: number | null;
  signal: string | null;
  /** Electron's word for why it went, where it said one (utility processes only). */
  gone?: ProcessGoneReason;
}

/** What Electron's `child-process-gone` details tell of a utility process. */
export interface ProcessGoneDetails {
  reason: string;
  exitCode: number;
}

const signalNames = new Map(Object.entries(os.constants.signals).map(([name, number]) => [number as number, name]));

/**
 * The exit of a utility process as `child-process-gone` describes it. On POSIX, Chromium
 * gives a process that a signal ended (killed, crashed, out of memory) that signal's number
 * as its exit code; on Windows the code is the process's own.
 */
export function exitFromGone(details: ProcessGoneDetails, platform: NodeJS.Platform = process.platform): GuestHostExit {
  const gone: ProcessGoneReason = (processGoneReasons as readonly string[]).includes(details.reason) ? (details.reason as ProcessGoneReason) : 'abnormal-exit';
  const bySignal = platform !== 'win32' && (gone === 'killed' || gone === 'crashed' || gone === 'oom');
  const signal = bySignal ? (signalNames.get(details.exitCode) ?? null) : null;
  return { code: signal ? null : details.exitCode, signal, gone };
}

/** Why a guest host process ended, as the user reads it in the VM's reason. */
export function describeHostExit({ code, signal, gone }: GuestHostExit) {
  switch (gone) {
    case 'oom':
      return m('exit.hostOutOfMemory');
    case 'memory-eviction':
      return m('exit.hostEvicted');
    case 'crashed':
      return signal ? m('exit.hostCrashedSignal', { signal }) : m('exit.hostCrashedCode', { code: String(code) });
    case 'launch-failed':
      return m('exit.hostLaunchFailed', { code: String(code) });
    case 'integrity-failure':
      return m('exit.hostIntegrity');
    case 'killed':
      return signal ? m('exit.hostKilled', { signal }) : m('exit.hostKilledUnknown');
    default:
      return signal ? m('exit.hostKilled', { signal }) : m('exit.hostCode', { code: String(code) });
  }
}
