// GuestHost with a fake engine: the paths a real QEMU reaches only by bad luck (a save
// that fails, a guest that ignores the power button, an engine that refuses) run here on
// purpose. The guest host's messages to its parent are what is checked, as the service sees them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GuesthouseError } from '../../../../../core/common/errors';
import type { BootSpec, ConsolePort, FromConsolePort, FromGuestHost, GuestAction, ToConsolePort } from '../../../../../core/common/protocol';
import type { AcceleratorKind } from '../../../../../core/common/engines';
import type { Engine, EngineListener } from '../../../../../core/node/guestHost/engine';
import { GuestHost, type ParentChannel } from '../../../../../core/node/guestHost/guestHost';
import { sampleConfig } from '../../../../support/sampleConfig';

type Reply = Extract<FromGuestHost, { type: 'reply' }>;

/** A reason as an engine gives it; what is checked is its English. */
const said = (message: string) => ({ message });
const english = (reason: string | { message: string }) => (typeof reason === 'string' ? reason : reason.message);

/** What the fake engine does when asked; each failure is thrown from the matching call. */
interface FakeBehaviour {
  accelerator?: AcceleratorKind;
  failStart?: Error;
  failPause?: Error;
  failResume?: Error;
  failSave?: Error;
  /** The guest answers the ACPI power button by powering off. */
  obeysShutdown?: boolean;
  screen?: () => string | null;
}

class FakeEngine implements Engine {
  readonly kind = 'qemu' as const;
  readonly pid = 4242;
  readonly accelerator: AcceleratorKind | null;
  readonly calls: string[] = [];
  readonly written: string[] = [];
  outputPaused = false;

  constructor(
    readonly listener: EngineListener,
    private readonly behaviour: FakeBehaviour,
  ) {
    this.accelerator = behaviour.accelerator ?? 'tcg';
  }

  async start(): Promise<void> {
    this.calls.push('start');
    if (this.behaviour.failStart) throw this.behaviour.failStart;
  }
  async pause(): Promise<void> {
    this.calls.push('pause');
    if (this.behaviour.failPause) throw this.behaviour.failPause;
    this.listener.onRunState('paused');
  }
  async resume(): Promise<void> {
    this.calls.push('resume');
    if (this.behaviour.failResume) throw this.behaviour.failResume;
    this.listener.onRunState('running');
  }
  async reset(): Promise<void> {
    this.calls.push('reset');
  }
  async requestShutdown(): Promise<void> {
    this.calls.push('requestShutdown');
    if (this.behaviour.obeysShutdown) setImmediate(() => this.listener.onExit({ outcome: 'stopped', reason: said('The guest powered off.') }));
  }
  async powerOff(): Promise<void> {
    this.calls.push('powerOff');
    this.listener.onExit({ outcome: 'stopped', reason: said('Powered off.') });
  }
  write(data: Uint8Array): void {
    this.written.push(Buffer.from(data).toString());
  }
  setOutputPaused(paused: boolean): void {
    this.outputPaused = paused;
  }
  async saveState(file: string): Promise<void> {
    this.calls.push('saveState');
    if (this.behaviour.failSave) throw this.behaviour.failSave;
    fs.writeFileSync(file, 'state');
    // As QEMU: the state is written, then the engine ends.
    setImmediate(() => this.listener.onExit({ outcome: 'stopped', reason: said('The machine state was saved.') }));
  }
  async screenFingerprint(): Promise<string | null> {
    return this.behaviour.screen?.() ?? null;
  }
  async screenshot(): Promise<Uint8Array> {
    return Buffer.from('PNG');
  }
  async screenText(): Promise<string[] | null> {
    return ['login:'];
  }
  async sendKeys(chords: string[][]): Promise<void> {
    this.calls.push(`keys ${chords.map((c) => c.join('-')).join(' ')}`);
  }
  async changeMedia(iso: string | null): Promise<void> {
    this.calls.push(`media ${iso}`);
  }
  kill(): void {
    this.calls.push('kill');
  }
}

const dirs: string[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A guest host with a fake parent and a fake engine, and ways to wait for what it sends. */
function harness(behaviour: FakeBehaviour = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-unit-'));
  dirs.push(dir);
  const sent: FromGuestHost[] = [];
  const listeners = new Set<() => void>();
  let deliver: (message: unknown, port?: ConsolePort) => void = () => undefined;
  let disconnect: () => void = () => undefined;
  let exitCode: number | undefined;
  const parent: ParentChannel = {
    send: (message) => {
      sent.push(message);
      for (const l of [...listeners]) l();
    },
    flush: async () => undefined,
    onMessage: (handler) => void (deliver = handler),
    onDisconnect: (handler) => void (disconnect = handler),
  };
  let engine: FakeEngine | undefined;
  const host = new GuestHost(
    parent,
    (code) => {
      exitCode = code;
      for (const l of [...listeners]) l();
    },
    (_spec, listener) => (engine = new FakeEngine(listener, behaviour)),
  );
  const spec: BootSpec = {
    config: { ...sampleConfig, display: { adapter: 'none' } },
    vmDir: dir,
    runtimeDir: dir,
    engine: 'qemu',
    stateFile: path.join(dir, 'machine.qemustate'),
    restoreState: false,
    ringBytes: 4096,
    silenceMs: 1000,
  };
  /** Resolves once `check` holds, re-checked after every message and exit. */
  const until = <T>(check: () => T | undefined): Promise<T> =>
    new Promise((resolve) => {
      const test = () => {
        const found = check();
        if (found === undefined) return;
        listeners.delete(test);
        resolve(found);
      };
      listeners.add(test);
      test();
    });
  let nextId = 1;
  const t = {
    host,
    spec,
    sent,
    get engine(): FakeEngine {
      if (!engine) throw new Error('no engine yet');
      return engine;
    },
    get exitCode() {
      return exitCode;
    },
    /** Any message, as a parent might send it (the guest host checks what it gets). */
    send: (message: unknown, port?: ConsolePort) => deliver(message, port),
    disconnect: () => disconnect(),
    until,
    /** Every state the guest host reported, with its reason where it gave one. */
    states: () => sent.flatMap((m) => (m.type === 'state' ? [m.reason ? `${m.state}: ${english(m.reason)}` : m.state] : [])),
    state: () => t.states().at(-1),
    exited: () => until(() => exitCode),
    async boot(): Promise<void> {
      deliver({ type: 'boot', spec });
      await until(() => (t.states().includes('running') ? true : undefined));
    },
    /** Sends a request and resolves with its reply. */
    async request(action: GuestAction | string, extra: Record<string, unknown> = {}): Promise<Reply> {
      const id = nextId++;
      deliver({ type: 'request', id, action, ...extra });
      return until(() => sent.find((m): m is Reply => m.type === 'reply' && m.id === id));
    },
  };
  return t;
}

/** A console viewer on a fake MessagePort. */
function fakePort() {
  const received: ToConsolePort[] = [];
  let handler: (message: FromConsolePort) => void = () => undefined;
  let onClose: () => void = () => undefined;
  let closed = false;
  const port: ConsolePort = {
    post: (message) => void received.push(message),
    onMessage: (h) => void (handler = h),
    onClose: (h) => void (onClose = h),
    close: () => {
      closed = true;
      onClose();
    },
  };
  return {
    port,
    received,
    send: (m: FromConsolePort) => handler(m),
    get closed() {
      return closed;
    },
  };
}

describe('GuestHost: start', () => {
  it('reports starting, the runtime, then running', async () => {
    const t = harness();
    await t.boot();
    expect(t.states()).toEqual(['starting', 'running']);
    expect(t.sent.find((m) => m.type === 'runtime')).toEqual({ type: 'runtime', enginePid: 4242, accelerator: 'tcg' });
    expect(t.exitCode).toBeUndefined();
  });

  it('an engine that cannot start leaves the guest stopped with its sentence, and the process ends', async () => {
    const t = harness({ failStart: new GuesthouseError('engine-failed', 'QEMU could not start the VM: no such file.') });
    t.send({ type: 'boot', spec: t.spec });
    expect(await t.exited()).toBe(1);
    expect(t.states()).toEqual(['starting', 'stopped: QEMU could not start the VM: no such file.']);
    expect(t.engine.calls).toEqual(['start', 'kill']);
  });

  it('hello tells a returning parent what runs, in which state', async () => {
    const t = harness();
    await t.boot();
    t.send({ type: 'hello' });
    const hello = await t.until(() => t.sent.find((m) => m.type === 'hello'));
    expect(hello).toMatchObject({ type: 'hello', pid: process.pid, state: 'running', runtime: { enginePid: 4242, accelerator: 'tcg' } });
    expect(hello.type === 'hello' && hello.spec?.config.identity.name).toBe('web');
  });
});

describe('GuestHost: save', () => {
  it('a save that fails leaves a running guest running, and it goes on answering', async () => {
    const t = harness({
      failSave: new GuesthouseError('engine-failed', 'The disk that holds the library is full; the machine state of "web" was not saved, and it runs on.'),
    });
    await t.boot();
    const reply = await t.request('save');
    expect(reply.error).toMatchObject({
      code: 'engine-failed',
      message: 'The disk that holds the library is full; the machine state of "web" was not saved, and it runs on.',
    });
    expect(t.states()).toEqual(['starting', 'running', 'stopping', 'running']);
    expect(fs.existsSync(t.spec.stateFile)).toBe(false);
    // Not half-saved: the engine's exit later is a crash, not a saved state, and requests work.
    expect((await t.request('pause')).error).toBeUndefined();
    expect(t.state()).toBe('paused');
    expect(t.exitCode).toBeUndefined();
    t.engine.listener.onExit({ outcome: 'stopped', reason: said('The guest powered off.') });
    expect(await t.exited()).toBe(0);
    expect(t.state()).toBe('stopped: The guest powered off.');
  });

  it('a save that fails leaves a paused guest paused, with the reason it was paused for', async () => {
    const t = harness({ failSave: new GuesthouseError('engine-failed', 'QEMU could not save.') });
    await t.boot();
    t.engine.listener.onRunState('paused', said('A disk I/O error paused the VM (No space left on device); free space on the host disk, then resume.'));
    const reply = await t.request('save');
    expect(reply.error?.message).toBe('QEMU could not save.');
    expect(t.states().slice(-3)).toEqual([
      'paused: A disk I/O error paused the VM (No space left on device); free space on the host disk, then resume.',
      'stopping',
      'paused: A disk I/O error paused the VM (No space left on device); free space on the host disk, then resume.',
    ]);
  });

  it('a save that works ends the guest as saved, and the process exits cleanly', async () => {
    const t = harness();
    await t.boot();
    expect((await t.request('save')).error).toBeUndefined();
    expect(await t.exited()).toBe(0);
    expect(t.states()).toEqual(['starting', 'running', 'stopping', 'saved: The machine state was saved.']);
    expect(fs.readFileSync(t.spec.stateFile, 'utf8')).toBe('state');
  });

  it('a saved or stopping guest refuses a second save with its sentence, without asking the engine', async () => {
    const t = harness({ failSave: new GuesthouseError('engine-failed', 'QEMU could not save.') });
    await t.boot();
    t.send({ type: 'request', id: 100, action: 'save' });
    const second = await t.request('save');
    expect(second.error).toMatchObject({ code: 'invalid-state', message: 'Cannot save the state of "web" because it is stopping.' });
    expect(t.engine.calls.filter((c) => c === 'saveState')).toHaveLength(1);
  });
});

describe('GuestHost: shutdown', () => {
  it('a guest that ignores the power button is powered off when the timeout runs out, and says so', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const t = harness();
    await t.boot();
    expect((await t.request('shutdown', { timeoutMs: 3000 })).error).toBeUndefined();
    expect(t.state()).toBe('stopping');
    await vi.advanceTimersByTimeAsync(2999);
    expect(t.engine.calls).not.toContain('powerOff');
    await vi.advanceTimersByTimeAsync(1);
    expect(t.engine.calls).toEqual(['start', 'requestShutdown', 'powerOff']);
    expect(await t.exited()).toBe(0);
    expect(t.state()).toBe('stopped: The guest did not shut down within 3 s, so it was powered off.');
  });

  it('a guest that powers off in time keeps its own reason, and is not powered off later', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const t = harness({ obeysShutdown: true });
    await t.boot();
    await t.request('shutdown', { timeoutMs: 3000 });
    expect(await t.exited()).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.engine.calls).toEqual(['start', 'requestShutdown']);
    expect(t.states()).toEqual(['starting', 'running', 'stopping', 'stopped: The guest powered off.']);
  });

  it('a paused guest is let run first, so it can hear the power button', async () => {
    const t = harness({ obeysShutdown: true });
    await t.boot();
    await t.request('pause');
    await t.request('shutdown', { timeoutMs: 3000 });
    expect(await t.exited()).toBe(0);
    expect(t.engine.calls).toEqual(['start', 'pause', 'resume', 'requestShutdown']);
  });

  it('power off wins over what the engine says, with the user’s reason', async () => {
    const t = harness();
    await t.boot();
    await t.request('poweroff');
    expect(await t.exited()).toBe(0);
    expect(t.state()).toBe('stopped: Powered off.');
  });
});

describe('GuestHost: pause and resume', () => {
  it('a refused pause leaves the guest running', async () => {
    const t = harness({ failPause: new GuesthouseError('engine-failed', 'QEMU did not stop.') });
    await t.boot();
    expect((await t.request('pause')).error?.message).toBe('QEMU did not stop.');
    expect(t.states()).toEqual(['starting', 'running', 'pausing', 'running']);
  });

  it('a refused resume leaves the guest paused with the reason it was paused for', async () => {
    const t = harness({ failResume: new GuesthouseError('engine-failed', 'QEMU refused to continue.') });
    await t.boot();
    t.engine.listener.onRunState('paused', said('A disk image is corrupted (qcow2); power off and repair it with qemu-img check.'));
    expect((await t.request('resume')).error?.message).toBe('QEMU refused to continue.');
    expect(t.states().slice(-2)).toEqual(['resuming', 'paused: A disk image is corrupted (qcow2); power off and repair it with qemu-img check.']);
  });

  it('an action that makes no sense in the state gets its sentence and never reaches the engine', async () => {
    const t = harness();
    await t.boot();
    expect((await t.request('resume')).error).toMatchObject({ code: 'invalid-state', message: 'Cannot resume "web" because it is running.' });
    expect(t.engine.calls).toEqual(['start']);
  });
});

describe('GuestHost: the engine or the parent goes', () => {
  it('an engine that dies turns the guest crashed with its reason; viewers are told', async () => {
    const t = harness();
    await t.boot();
    const viewer = fakePort();
    t.send({ type: 'attachPort' }, viewer.port);
    t.engine.listener.onExit({ outcome: 'crashed', reason: said('QEMU was killed by SIGKILL.') });
    expect(await t.exited()).toBe(0);
    expect(t.state()).toBe('crashed: QEMU was killed by SIGKILL.');
    expect(viewer.received.at(-1)).toEqual({ type: 'closed' });
    expect(viewer.closed).toBe(true);
  });

  it('an exception nobody caught is the guest’s last word, then the process ends', async () => {
    const t = harness();
    await t.boot();
    t.host.crash(new Error('boom\n    at somewhere'));
    expect(await t.exited()).toBe(1);
    expect(t.state()).toBe('crashed: The QEMU engine stopped: boom');
    expect(t.engine.calls).toContain('kill');
  });

  it('losing the parent takes the guest down', async () => {
    const t = harness();
    await t.boot();
    t.disconnect();
    expect(await t.exited()).toBe(1);
    expect(t.engine.calls).toContain('kill');
  });
});

describe('GuestHost: console', () => {
  it('output goes to the parent, the log and the ring buffer; input goes to the engine', async () => {
    const t = harness();
    await t.boot();
    t.engine.listener.onOutput(Buffer.from('login: '));
    await t.until(() => t.sent.find((m) => m.type === 'output'));
    expect(t.sent.some((m) => m.type === 'firstOutput')).toBe(true);
    const backlog = await t.request('backlog');
    expect(Buffer.from((backlog as { data: Uint8Array }).data).toString()).toBe('login: ');
    t.send({ type: 'input', data: Buffer.from('root\n') });
    expect(t.engine.written).toEqual(['root\n']);
    await t.request('poweroff');
    await t.exited();
    expect(fs.readFileSync(path.join(t.spec.vmDir, 'logs', 'console.log'), 'utf8')).toBe('login: ');
  });

  it('a port viewer gets the backlog first, then live output; a lagging one pauses the engine until it acknowledges', async () => {
    const t = harness();
    await t.boot();
    t.engine.listener.onOutput(Buffer.from('before'));
    const viewer = fakePort();
    t.send({ type: 'attachPort' }, viewer.port);
    expect(viewer.received[0]).toEqual({ type: 'backlog', data: expect.any(Uint8Array) });
    expect(Buffer.from((viewer.received[0] as { data: Uint8Array }).data).toString()).toBe('before');
    const flood = Buffer.alloc(1024 * 1024, 'x');
    t.engine.listener.onOutput(flood);
    await t.until(() => (viewer.received.length > 1 ? true : undefined));
    expect(viewer.received[1]).toMatchObject({ type: 'data' });
    expect(t.engine.outputPaused).toBe(true);
    viewer.send({ type: 'ack', bytes: flood.length });
    expect(t.engine.outputPaused).toBe(false);
    viewer.send({ type: 'input', data: Buffer.from('q') });
    expect(t.engine.written).toEqual(['q']);
  });

  it('the parent can hold the console: flow control reaches the engine', async () => {
    const t = harness();
    await t.boot();
    t.send({ type: 'flow', paused: true });
    expect(t.engine.outputPaused).toBe(true);
    t.send({ type: 'flow', paused: false });
    expect(t.engine.outputPaused).toBe(false);
  });
});
describe('GuestHost: each request is checked against its action', () => {
  it('a request that does not fit its action is refused with one sentence and never reaches the engine', async () => {
    const t = harness();
    await t.boot();
    const reply = await t.request('keys', { keys: 'ctrl-alt-delete' });
    expect(reply.error).toMatchObject({ code: 'invalid-input', key: 'guestHost.badRequest', bug: false });
    expect(reply.error?.message).toMatch(/^The guest host refused a malformed keys request: /);
    expect(reply.error?.problems).toBeUndefined();
    expect((await t.request('mediaInsert')).error?.message).toMatch(/^The guest host refused a malformed mediaInsert request: /);
    expect((await t.request('pause', { iso: '/x.iso' })).error?.key).toBe('guestHost.badRequest');
    expect(t.engine.calls).toEqual(['start']);
    expect(t.states()).toEqual(['starting', 'running']);
  });

  it('an unknown action is refused with its sentence; a message with no id gets no reply', async () => {
    const t = harness();
    await t.boot();
    expect((await t.request('format')).error).toMatchObject({
      code: 'invalid-input',
      message: expect.stringMatching(/^A guest host has no action called format \(only pause, resume, /),
    });
    t.send({ type: 'request', action: 'pause' });
    await t.request('backlog');
    expect(t.sent.filter((m) => m.type === 'reply')).toHaveLength(2);
    expect(t.engine.calls).toEqual(['start']);
  });

  it('a request that fits reaches the engine, and the reply carries what its action answers', async () => {
    const t = harness();
    await t.boot();
    expect(await t.request('keys', { keys: [['ctrl', 'alt', 'delete'], ['a']] })).toEqual({ type: 'reply', id: 1 });
    expect(await t.request('mediaInsert', { iso: '/isos/a.iso' })).toEqual({ type: 'reply', id: 2 });
    expect(await t.request('mediaEject')).toEqual({ type: 'reply', id: 3 });
    expect(t.engine.calls).toEqual(['start', 'keys ctrl-alt-delete a', 'media /isos/a.iso', 'media null']);
  });
});

describe('GuestHost: every other message is checked against its shape', () => {
  it('a boot spec that does not fit fails the start with the sentence, and no engine is made', async () => {
    const t = harness();
    t.send({ type: 'boot', spec: { ...t.spec, engine: 'bochs' } });
    expect(await t.exited()).toBe(1);
    expect(t.states()).toEqual([
      'starting',
      'stopped: A message between the service and a guest host was malformed: The engine is not valid (it must be one of qemu, v86).',
    ]);
    expect(() => t.engine).toThrow('no engine yet');
  });

  it('input that is not bytes never reaches the guest; the guest host carries on', async () => {
    const t = harness();
    await t.boot();
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    t.send({ type: 'input', data: 'rm -rf /\n' });
    t.send({ type: 'flow', paused: 'yes' });
    expect(stderr.mock.calls.map(([line]) => String(line))).toEqual([
      'A message between the service and a guest host was malformed: The data is not valid (it must be bytes).\n',
      'A message between the service and a guest host was malformed: The paused is not valid (it must be true or false).\n',
    ]);
    stderr.mockRestore();
    expect(t.engine.written).toEqual([]);
    expect(t.engine.outputPaused).toBe(false);
    expect((await t.request('pause')).error).toBeUndefined();
  });
});

describe('GuestHost: no sign of life under hardware acceleration', () => {
  it('a guest silent with a still screen is reported once the time is up', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const t = harness({ accelerator: 'kvm', screen: () => 'same' });
    await t.boot();
    await vi.advanceTimersByTimeAsync(999);
    expect(t.sent.some((m) => m.type === 'silent')).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.sent.filter((m) => m.type === 'silent')).toEqual([{ type: 'silent', seconds: 1 }]);
  });

  it('a guest that prints or whose screen moves is not reported', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    let frame = 0;
    const moving = harness({ accelerator: 'kvm', screen: () => String(frame++) });
    await moving.boot();
    const printing = harness({ accelerator: 'kvm', screen: () => 'same' });
    await printing.boot();
    printing.engine.listener.onOutput(Buffer.from('x'));
    await vi.advanceTimersByTimeAsync(5000);
    expect(moving.sent.some((m) => m.type === 'silent')).toBe(false);
    expect(printing.sent.some((m) => m.type === 'silent')).toBe(false);
  });
});
