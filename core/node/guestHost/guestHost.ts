import fs from 'node:fs';
import { capabilitiesOf, isHardwareAccelerator } from '../../common/capabilities';
import { GuesthouseError, sentenceOf, toErrorData } from '../../common/errors';
import { FlowGate, type FlowViewer } from '../../common/flowGate';
import type { AcceleratorKind } from '../../common/engines';
import type { BootSpec, ConsolePort, FromGuestHost, GuestRequestAction, SavedSnapshot, ToGuestHost } from '../../common/protocol';
import { RingBuffer } from '../../common/ringBuffer';
import { assertAction, assertTransition, type EndedState, type VmState } from '../../common/state';
import type { Engine, EngineExit, EngineListener } from './engine';
import { QemuEngine } from './qemu/engine';
import { V86Engine } from './v86/engine';
import { m, type SentenceData } from '../../common/messages';
import { DisplayServer } from './displayServer';
import { logFile, logsDir, previousConsoleLog, vmRuntimeFile } from '../library/vmFolder';
import { PausableLog, type LogPause } from '../shared/logFile';

/** The guest host's link to its parent: parentPort under Electron, IPC under Node. */
export interface ParentChannel {
  send(message: FromGuestHost): void;
  /** Resolves once everything sent so far has left this process. */
  flush(): Promise<void>;
  /** `port` comes with attachPort messages (Electron's MessagePort to a renderer). */
  onMessage(handler: (message: ToGuestHost, port?: ConsolePort) => void): void;
  onDisconnect(handler: () => void): void;
}

/** Makes the engine a boot spec asks for (tests pass a fake one). */
export type EngineFactory = (spec: BootSpec, listener: EngineListener) => Engine;

const realEngine: EngineFactory = (spec, listener) => (spec.engine === 'v86' ? new V86Engine(spec, listener) : new QemuEngine(spec, listener));

/** At most one output message per this many ms (a keystroke's echo after a pause goes at once). */
const OUTPUT_FLUSH_MS = 4;
const OUTPUT_FLUSH_BYTES = 64 * 1024;

/** Owns one guest: its state machine, its engine and its console streams. */
export class GuestHost {
  private state: VmState = 'stopped';
  /** Why the guest is in its state (a paused guest keeps it while a resume is refused). */
  private reason: SentenceData | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  private display: DisplayServer | undefined;
  private engine: Engine | undefined;
  private spec: BootSpec | undefined;
  /** Recent console output for late viewers; sized from the boot spec. */
  private ring: RingBuffer | undefined;
  /** logs/console.log: a write that fails (a full disk) pauses it, never the guest. */
  private consoleLog: PausableLog | undefined;
  private pendingOutput: Uint8Array[] = [];
  private pendingBytes = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private shutdownTimer: NodeJS.Timeout | undefined;
  private stopReason: SentenceData | undefined;
  private saving = false;
  /** A snapshot job or a media change is under way: other requests that change the machine wait their turn. */
  private busy = false;
  private crashing = false;
  private lastFlushAt = 0;
  private sawOutput = false;
  /** What 'runtime' and 'firstOutput' said, for a parent that asks again ('hello'). */
  private runtimeInfo: { enginePid?: number; accelerator: AcceleratorKind | null; displaySocket?: string } | undefined;
  private firstOutputAt: number | undefined;
  /** Viewers on MessagePorts (the renderer, straight from here) and what they have not acknowledged. */
  private readonly portViewers = new Map<ConsolePort, FlowViewer>();
  /** Pauses the engine's console while the parent asks or a port viewer lags. */
  private readonly flow = new FlowGate((paused) => this.engine?.setOutputPaused(paused));

  constructor(
    private readonly parent: ParentChannel,
    private readonly exit: (code: number) => void,
    private readonly makeEngine: EngineFactory = realEngine,
  ) {
    parent.onMessage((m, port) => this.onMessage(m, port));
    // Losing the parent means nobody can see or stop this guest: take it down.
    parent.onDisconnect(() => {
      this.engine?.kill();
      this.exit(1);
    });
  }

  private setState(state: VmState, reason?: SentenceData): void {
    if (state === this.state && reason?.message === this.reason?.message) return;
    assertTransition(this.state, state);
    this.state = state;
    this.reason = reason;
    this.parent.send({ type: 'state', state, ...(reason ? { reason } : {}) });
  }

  private onMessage(message: ToGuestHost, port?: ConsolePort): void {
    switch (message.type) {
      case 'boot':
        void this.boot(message.spec);
        break;
      case 'request':
        this.handle(message.action, message.timeoutMs, message.keys, message).then(
          (reply) =>
            this.parent.send({
              type: 'reply',
              id: message.id,
              ...(reply instanceof Uint8Array ? { data: reply } : Array.isArray(reply) ? { lines: reply } : reply ? { snapshot: reply } : {}),
            }),
          (err: unknown) => this.parent.send({ type: 'reply', id: message.id, error: toErrorData(err) }),
        );
        break;
      case 'input':
        this.engine?.write(message.data);
        break;
      case 'flow':
        this.flow.hold(message.paused);
        break;
      case 'attachPort':
        if (port) this.attachPort(port);
        break;
      case 'attachDisplayPort':
        if (port && this.display) this.display.attachPort(port);
        else port?.close();
        break;
      case 'hello':
        this.parent.send({
          type: 'hello',
          pid: process.pid,
          spec: this.spec ?? null,
          state: this.state,
          ...(this.reason ? { reason: this.reason } : {}),
          ...(this.runtimeInfo ? { runtime: this.runtimeInfo } : {}),
          ...(this.firstOutputAt !== undefined ? { firstOutputAt: this.firstOutputAt } : {}),
        });
        break;
    }
  }

  private async boot(spec: BootSpec): Promise<void> {
    this.spec = spec;
    this.ring = new RingBuffer(spec.ringBytes);
    this.openConsoleLog(spec.vmDir);
    this.setState('starting');
    try {
      const listener: EngineListener = {
        onRunState: (state: 'running' | 'paused', reason?: SentenceData) => this.onRunState(state, reason),
        onOutput: (data: Uint8Array) => this.onOutput(data),
        onExit: (exit: EngineExit) => void this.onEngineExit(exit),
        onLogPaused: (pause: LogPause | null) => this.parent.send({ type: 'logPaused', log: 'engine', pause }),
      };
      const engine = this.makeEngine(spec, listener);
      this.engine = engine;
      await engine.start();
      if (engine.openDisplay && spec.config.display.adapter !== 'none') {
        const open = engine.openDisplay.bind(engine);
        this.display = await DisplayServer.listen(vmRuntimeFile(spec.runtimeDir, spec.config.identity.uuid, 'rfb'), open);
      }
      this.runtimeInfo = {
        ...(engine.pid ? { enginePid: engine.pid } : {}),
        accelerator: engine.accelerator,
        ...(this.display ? { displaySocket: this.display.socketPath } : {}),
      };
      this.parent.send({ type: 'runtime', ...this.runtimeInfo });
      this.setState('running');
      if (isHardwareAccelerator(engine.accelerator)) this.watchForSignOfLife(spec.silenceMs ?? 60_000);
    } catch (err) {
      this.engine?.kill();
      await this.finish('stopped', sentenceOf(err), 1);
    }
  }

  /**
   * Under hardware acceleration, a guest that has printed nothing since start and whose
   * screen has stood still through the second half of the first `ms` may be stuck in a
   * broken accelerator (nested KVM hangs in 64-bit mode after the firmware and the boot
   * loader have drawn their screens, which real-mode code still does): the parent is told,
   * so the user can be. Nothing is switched silently.
   */
  private watchForSignOfLife(ms: number): void {
    const started = performance.now();
    let reference: string | null | undefined;
    const check = async () => {
      this.silenceTimer = undefined;
      if (this.sawOutput || !this.engine || (this.state !== 'running' && this.state !== 'paused')) return;
      const screen = (await this.engine.screenFingerprint?.().catch(() => null)) ?? null;
      if (reference === undefined) reference = screen;
      else if (screen !== reference) return; // the screen moves: the guest is alive
      const elapsed = performance.now() - started;
      if (elapsed >= ms) return this.parent.send({ type: 'silent', seconds: Math.round(ms / 1000) });
      this.silenceTimer = setTimeout(() => void check(), Math.min(ms - elapsed, Math.max(250, ms / 12)));
    };
    this.silenceTimer = setTimeout(() => void check(), ms / 2);
  }

  /** A viewer on its own MessagePort: the backlog first, then live output, with acks. */
  private attachPort(port: ConsolePort): void {
    this.flushOutput();
    const viewer = this.flow.add();
    this.portViewers.set(port, viewer);
    port.post({ type: 'backlog', data: this.ring?.read() ?? new Uint8Array() });
    port.onMessage((m) => {
      if (m.type === 'input') this.engine?.write(m.data);
      else if (m.type === 'ack') this.flow.acked(viewer, m.bytes);
    });
    port.onClose(() => {
      this.portViewers.delete(port);
      this.flow.remove(viewer);
    });
  }

  private openConsoleLog(vmDir: string): void {
    const file = logFile(vmDir, 'console');
    try {
      fs.mkdirSync(logsDir(vmDir), { recursive: true });
      if (fs.existsSync(file)) fs.renameSync(file, previousConsoleLog(vmDir));
    } catch {
      // The log cannot be kept (a full disk): the guest runs without it; the log says so below.
    }
    this.consoleLog = new PausableLog(file, 'w', (pause) => this.parent.send({ type: 'logPaused', log: 'console', pause }));
  }

  private onOutput(data: Uint8Array): void {
    if (!this.sawOutput) {
      this.sawOutput = true;
      this.firstOutputAt = performance.timeOrigin + performance.now();
      this.parent.send({ type: 'firstOutput', at: this.firstOutputAt });
    }
    // The log is written before the output is passed on, so anyone who sees output
    // over IPC finds it in the log too (waitForConsole relies on this), unless a full disk
    // has paused the log.
    this.consoleLog?.write(data);
    this.ring?.push(data);
    this.pendingOutput.push(data);
    this.pendingBytes += data.length;
    // Throttled with a leading edge: output after a quiet spell (a keystroke's echo)
    // leaves at once; a flood leaves in batches, at most one message per OUTPUT_FLUSH_MS.
    const sinceLast = performance.now() - this.lastFlushAt;
    if (this.pendingBytes >= OUTPUT_FLUSH_BYTES || (sinceLast >= OUTPUT_FLUSH_MS && !this.flushTimer)) this.flushOutput();
    else this.flushTimer ??= setTimeout(() => this.flushOutput(), Math.max(0, OUTPUT_FLUSH_MS - sinceLast));
  }

  private flushOutput(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pendingBytes === 0) return;
    this.lastFlushAt = performance.now();
    const data = Buffer.concat(this.pendingOutput, this.pendingBytes);
    this.pendingOutput = [];
    this.pendingBytes = 0;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length);
    this.parent.send({ type: 'output', data: bytes });
    for (const [port, viewer] of this.portViewers) {
      port.post({ type: 'data', data: bytes });
      this.flow.sent(viewer, bytes.length);
    }
  }

  private onRunState(state: 'running' | 'paused', reason?: SentenceData): void {
    if (this.state === 'starting' || this.state === 'stopping') return;
    this.setState(state, reason);
  }

  private async handle(
    action: GuestRequestAction,
    timeoutMs = 30_000,
    keys: string[][] = [],
    request?: Extract<ToGuestHost, { type: 'request' }>,
  ): Promise<Uint8Array | string[] | SavedSnapshot | void> {
    if (action === 'backlog') {
      // Everything before the snapshot must already be on its way as output, so a
      // viewer that starts listening on this reply sees each byte exactly once.
      this.flushOutput();
      return this.ring?.read() ?? new Uint8Array();
    }
    const engine = this.engine;
    const name = this.spec?.config.identity.name ?? 'the VM';
    if (action === 'screenshot' || action === 'screenText' || action === 'keys') return this.screenRequest(action, keys, name);
    if (this.busy && action !== 'poweroff') throw new GuesthouseError('invalid-state', m('snapshot.busy', { name }));
    if (action === 'snapshotSave' || action === 'snapshotLoad' || action === 'snapshotDelete' || action === 'mediaInsert' || action === 'mediaEject') {
      this.busy = true;
      try {
        return await this.machineRequest(action, request, name);
      } finally {
        this.busy = false;
      }
    }
    assertAction(action, this.state, name);
    if (!engine) throw new GuesthouseError('invalid-state', m('vm.noEngine', { name }));
    switch (action) {
      case 'pause':
        this.setState('pausing');
        try {
          await engine.pause();
        } catch (err) {
          if (this.state === 'pausing') this.setState('running');
          throw err;
        }
        if (this.state === 'pausing') this.setState('paused');
        return;
      case 'resume': {
        // A refused resume (QEMU after an internal error) leaves the guest paused, with its reason.
        const why = this.reason;
        this.setState('resuming');
        try {
          await engine.resume();
        } catch (err) {
          if (this.state === 'resuming') this.setState('paused', why);
          throw err;
        }
        if (this.state === 'resuming') this.setState('running');
        return;
      }
      case 'reset':
        await engine.reset();
        return;
      case 'shutdown': {
        const wasPaused = this.state === 'paused';
        this.setState('stopping');
        // A paused guest cannot hear the power button; let it run to answer.
        if (wasPaused) await engine.resume();
        await engine.requestShutdown();
        this.shutdownTimer = setTimeout(() => {
          this.stopReason = m('exit.shutdownTimeout', { seconds: Math.round(timeoutMs / 1000) });
          void engine.powerOff();
        }, timeoutMs);
        return;
      }
      case 'save': {
        const was = this.state === 'paused' ? 'paused' : 'running';
        const why = this.reason;
        this.setState('stopping');
        this.saving = true;
        try {
          await engine.saveState(this.spec!.stateFile);
        } catch (err) {
          // The engine carries on as it was; so does the VM (a paused one keeps its reason).
          this.saving = false;
          if (this.state === 'stopping') this.setState(was, why);
          throw err;
        }
        return;
      }
      case 'poweroff':
        this.setState('stopping');
        this.stopReason = m('exit.poweredOff');
        // Not awaited: this process ends with the engine, and the reply must leave first.
        void engine.powerOff();
        return;
    }
  }

  /**
   * Live snapshots and the CD drive, while the guest runs or is paused. A snapshot load that
   * fails once QEMU has begun it may have left the disks at the snapshot under a machine that
   * is not: the guest is powered off (with that reason) rather than run on.
   */
  private async machineRequest(
    action: 'snapshotSave' | 'snapshotLoad' | 'snapshotDelete' | 'mediaInsert' | 'mediaEject',
    request: Extract<ToGuestHost, { type: 'request' }> | undefined,
    name: string,
  ): Promise<SavedSnapshot | void> {
    const engine = this.engine;
    if (this.state !== 'running' && this.state !== 'paused') throw new GuesthouseError('invalid-state', m('vm.notRunning', { name }));
    if (action === 'mediaInsert' || action === 'mediaEject') {
      if (!engine?.changeMedia) throw new GuesthouseError('invalid-state', m('media.engine', { name }));
      return engine.changeMedia(action === 'mediaInsert' ? (request?.iso ?? null) : null);
    }
    if (!engine?.snapshot) throw new GuesthouseError('invalid-state', m('snapshot.engine', { name }));
    const target = request?.snapshot;
    if (!target) throw new GuesthouseError('invalid-input', m('snapshot.badId'));
    const onStatus = (status: string) => request && this.parent.send({ type: 'progress', id: request.id, status });
    const op = action === 'snapshotSave' ? 'save' : action === 'snapshotLoad' ? 'load' : 'delete';
    try {
      return await engine.snapshot(op, target, onStatus);
    } catch (err) {
      if (op === 'load' && err instanceof GuesthouseError && err.code === 'engine-failed' && (this.state === 'running' || this.state === 'paused')) {
        this.setState('stopping');
        this.stopReason = sentenceOf(err);
        void engine.powerOff();
      }
      throw err;
    }
  }

  /** Screen and keyboard requests: any time the guest has a screen and its engine is up. */
  private async screenRequest(action: 'screenshot' | 'screenText' | 'keys', keys: string[][], name: string): Promise<Uint8Array | string[] | void> {
    const engine = this.engine;
    if (this.state === 'starting' || !engine?.screenshot || !engine.screenText || !engine.sendKeys)
      throw new GuesthouseError('invalid-state', m('display.notReady', { name }));
    if (this.spec?.config.display.adapter === 'none' && action !== 'keys') throw new GuesthouseError('invalid-state', m('display.none', { name }));
    if (action === 'screenshot') return engine.screenshot();
    if (action === 'keys') return engine.sendKeys(keys);
    const lines = await engine.screenText();
    if (!lines) throw new GuesthouseError('invalid-state', m('display.graphical', { name }));
    return lines;
  }

  private async onEngineExit(exit: EngineExit): Promise<void> {
    if (this.state === 'starting') return; // boot() reports the failure itself
    if (this.saving && exit.outcome === 'stopped') return this.finish('saved', exit.reason, 0);
    const reason = exit.outcome === 'stopped' ? (this.stopReason ?? exit.reason) : exit.reason;
    await this.finish(exit.outcome, reason, 0);
  }

  /**
   * An exception nobody caught (a bug in the engine or here): the engine goes, and the
   * parent hears why as the final state before this process exits, instead of only an exit code.
   */
  crash(err: unknown): void {
    if (this.crashing) return;
    this.crashing = true;
    const detail = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 500) || m('exit.noMessage');
    const engine = this.spec ? capabilitiesOf(this.spec.engine).label : undefined;
    const reason = engine ? m('exit.engineException', { engine, detail }) : m('exit.hostException', { detail });
    try {
      this.engine?.kill();
    } catch {
      // the engine is already in pieces; the process exit takes the rest
    }
    // Sent as is: the state machine may be anywhere, and this is the last word.
    this.parent.send({ type: 'state', state: 'crashed', reason });
    const exit = () => this.exit(1);
    this.parent.flush().then(exit, exit);
    setTimeout(exit, 2000).unref();
  }

  private async finish(state: EndedState, reason: SentenceData, code: number): Promise<void> {
    if (this.shutdownTimer) clearTimeout(this.shutdownTimer);
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.display?.close();
    this.flushOutput();
    this.consoleLog?.close();
    this.consoleLog = undefined;
    this.setState(state, reason);
    for (const port of this.portViewers.keys()) {
      port.post({ type: 'closed' });
      port.close();
    }
    await this.parent.flush();
    this.exit(code);
  }
}
