// The shapes of the guest host's other messages (boot, input, state, output…): each end
// refuses what does not fit, with one sentence.
import { describe, expect, it } from 'vitest';
import { GuesthouseError, sentenceOf } from '../../../../core/common/errors';
import { m } from '../../../../core/common/messages';
import { parseGuestHostMessage, parseParentMessage } from '../../../../core/common/guestMessages';
import type { BootSpec } from '../../../../core/common/protocol';
import { sampleConfig } from '../../../support/sampleConfig';

const spec: BootSpec = {
  config: sampleConfig,
  vmDir: '/vms/web',
  runtimeDir: '/tmp/gh-1',
  engine: 'qemu',
  qemu: { binary: '/usr/bin/qemu-system-x86_64', accelerator: 'tcg' },
  stateFile: '/vms/web/state/machine.qemustate',
  restoreState: false,
  ringBytes: 4096,
};

function refusal(parse: () => unknown): GuesthouseError {
  try {
    parse();
  } catch (err) {
    expect(err).toBeInstanceOf(GuesthouseError);
    return err as GuesthouseError;
  }
  throw new Error('was not refused');
}

describe('what a guest host accepts from its parent', () => {
  it('each message that fits comes back as it is', () => {
    for (const message of [
      { type: 'boot', spec },
      { type: 'boot', spec: { ...spec, engine: 'v86', qemu: undefined, v86: { bios: '/fw/bios.bin', vgaBios: null, wasm: '/v86.wasm' } } },
      { type: 'boot', spec: { ...spec, loadSnapshot: { tag: 'gh-1', vmstateFile: '/vms/web/web.qcow2' }, silenceMs: 1000 } },
      { type: 'input', data: new Uint8Array([13]) },
      { type: 'flow', paused: true },
      { type: 'attachPort' },
      { type: 'hello' },
    ]) {
      expect(parseParentMessage(message)).toBe(message);
    }
  });

  it('a message that does not fit is refused with one sentence saying why', () => {
    const cases: [unknown, RegExp][] = [
      [{ type: 'boot', spec: { ...spec, engine: 'bochs' } }, /The engine is not valid \(it must be one of qemu, v86\)\.$/],
      [{ type: 'boot', spec: { ...spec, ringBytes: 1.5 } }, /The ringBytes is not valid \(it must be a whole number\)\.$/],
      [{ type: 'boot', spec: { ...spec, vmDir: undefined } }, /The vmDir is not valid \(it must be text\)\.$/],
      [{ type: 'boot' }, /The spec is not valid \(it must be an object\)\.$/],
      [{ type: 'input', data: 'root\n' }, /The data is not valid \(it must be bytes\)\.$/],
      [{ type: 'flow', paused: 'yes' }, /The paused is not valid \(it must be true or false\)\.$/],
      [{ type: 'hello', id: 1 }, /Unknown setting: id\.$/],
      [{ type: 'format' }, /A message of type format is not one of boot, input, flow, attachPort, attachDisplayPort, hello\.$/],
      [null, /A message of type undefined is not one of /],
    ];
    for (const [raw, said] of cases) {
      const err = refusal(() => parseParentMessage(raw));
      expect(err.code).toBe('invalid-input');
      expect(err.key).toBe('guestHost.badMessage');
      expect(err.message).toMatch(/^A message between the service and a guest host was malformed: /);
      expect(err.message).toMatch(said);
    }
  });
});

describe('what a parent accepts from its guest host', () => {
  it('each message that fits comes back as it is', () => {
    for (const message of [
      { type: 'state', state: 'running' },
      {
        type: 'state',
        state: 'crashed',
        reason: sentenceOf(new GuesthouseError('engine-failed', m('exit.engineException', { engine: 'QEMU', detail: 'oops' }))),
      },
      { type: 'output', data: new Uint8Array([65]) },
      { type: 'progress', id: 3, status: 'running' },
      { type: 'runtime', enginePid: 42, accelerator: 'tcg', displaySocket: '/tmp/gh-1/2f1c7a4e.rfb' },
      { type: 'firstOutput', at: 1_700_000_000_000.5 },
      { type: 'silent', seconds: 60 },
      { type: 'logPaused', log: 'console', pause: null },
      { type: 'logPaused', log: 'engine', pause: 'full' },
      { type: 'hello', pid: 7, spec: null, state: 'stopped' },
      { type: 'hello', pid: 7, spec, state: 'running', runtime: { accelerator: 'tcg' }, firstOutputAt: 12 },
    ]) {
      expect(parseGuestHostMessage(message)).toBe(message);
    }
  });

  it('a message that does not fit is refused with one sentence (an internal error: the two sides disagree)', () => {
    const cases: [unknown, RegExp][] = [
      [{ type: 'state', state: 'asleep' }, /The state is not valid \(it must be one of stopped, starting, /],
      [{ type: 'state', state: 'crashed', reason: 'killed' }, /The reason is not valid \(it must be a sentence\)\.$/],
      [{ type: 'output', data: [65] }, /The data is not valid \(it must be bytes\)\.$/],
      [{ type: 'progress', id: 'x', status: 'running' }, /The id is not valid \(it must be a whole number\)\.$/],
      [{ type: 'logPaused', log: 'qemu', pause: null }, /The log is not valid \(it must be one of console, engine\)\.$/],
      [{ type: 'hello', pid: 7, spec: { ...spec, config: 'web' }, state: 'running' }, /The config is not valid \(it must be an object\)\.$/],
      [{ type: 'reply', id: 1 }, /A message of type reply is not one of state, output, progress, /],
    ];
    for (const [raw, said] of cases) {
      const err = refusal(() => parseGuestHostMessage(raw));
      expect(err.code).toBe('internal');
      expect(err.message).toMatch(said);
    }
  });
});
