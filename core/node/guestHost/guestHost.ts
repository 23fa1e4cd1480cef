import { capabilitiesOf, isHardwareAccelerator } from '../../common/capabilities';
import type { AcceleratorKind } from '../../common/engines';
import { GuesthouseError, sentenceOf, toErrorData } from '../../common/errors';
import { FlowGate } from '../../common/flowGate';
import { parseGuestRequest, type GuestAction, type GuestRequest, type ReplyOf, type RequestOf, type SavedSnapshot } from '../../common/guestActions';
import { parseParentMessage } from '../../common/guestMessages';
import type { BootSpec, ConsolePort, FromGuestHost, ToGuestHost } from '../../common/protocol';
import { assertAction, assertTransition, type EndedState, type VmState } from '../../common/state';
import type { Engine, EngineExit, EngineListener } from './engine';
import { QemuEngine } from './qemu/engine';
import { V86Engine } from './v86/engine';
import { m, type SentenceData } from '../../common/messages';
import { DisplayServer } from './displayServer';
import { vmRuntimeFile } from '../shared/vmFolder';
import type { LogPause } from '../shared/logFile';
import { ConsolePump } from './consolePump';
import { watchForSignOfLife } from './signOfLife';
import { AgentSide, agentHandlers } from './agentSide';
import { mediaEngine, screenEngine, type VmName } from './engineParts';

/** The guest host's link to its parent: parentPort under Electron, IPC under Node. */
export interface ParentChannel {
  send(message: FromGuestHost): void;
  /** Resolves once everything sent so far has left this process. */
  flush(): Promise<void>;
  /** `port` comes with attachPort messages (Electron's MessagePort to a renderer). Messages are checked here before use. */
  onMessage(handler: (message: unknown, port?: ConsolePort) => void): void;
  onDisconnect(handler: () => void): void;
}

/** Makes the engine a boot spec asks for (tests pass a fake one). */
export type EngineFactory = (spec: BootSpec, listener: EngineListener) => Engine;

const realEngine: EngineFactory = (spec, listener) => (spec.engine === 'v86' ? new V86Engine(spec, listener) : new QemuEngine(spec, listener));

/** One handler per action (guestActions.ts): an action without one does not compile. */
type Handlers = { [A in GuestAction]: (request: RequestOf<A>, name: VmName) => Promise<ReplyOf<A>> };

/** A pause longer than this leaves the guest's clock behind: it is set from the host's at resume. */
const LONG_PAUSE_MS = 2000;

/** Owns one guest: its state machine, its engine and its console streams. */
export class GuestHost {
  private state: VmState = 'stopped';
  /** Why the guest is in its state (a paused guest keeps it while a resume is refused). */
  private reason: SentenceData | undefined;
  /** Ends the watch for a sign of life (signOfLife.ts). */
  private stopSilenceWatch: (() => void) | undefined;
  private display: DisplayServer | undefined;
  private engine: Engine | undefined;
  /** The guest agent (engines with its channel), and when the guest was paused (its clock is set after a long pause). */
  private agent: AgentSide | undefined;
  private pausedAt = 0;
  private spec: BootSpec | undefined;
  private shutdownTimer: NodeJS.Timeout | undefined;
  private stopReason: SentenceData | undefined;
  private saving = false;
  /** A snapshot job or a media change is under way: other requests that change the machine wait their turn. */
  private busy = false;
  private crashing = false;
  private sawOutput = false;
  /** What 'runtime' and 'firstOutput' said, for a parent that asks again ('hello'). */
  private runtimeInfo: { enginePid?: number; accelerator: AcceleratorKind | null; displaySocket?: string } | undefined;
  private firstOutputAt: number | undefined;
  /** Pauses the engine's console while the parent asks or a port viewer lags. */
  private readonly flow = new FlowGate((paused) => this.engine?.setOutputPaused(paused));
  private readonly console = new ConsolePump(
    (message) => this.parent.send(message),
    this.flow,
    (data) => this.engine?.write(data),
  );

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

  private onMessage(raw: unknown, port?: ConsolePort): void {
    if ((raw as { type?: unknown } | null)?.type === 'request') return this.request(raw);
    let message: Exclude<ToGuestHost, { type: 'request' }>;
    try {
      message = parseParentMessage(raw);
    } catch (err) {
      return this.refuse(raw, err, port);
    }
    switch (message.type) {
      case 'boot':
        void this.boot(message.spec);
        break;
      case 'input':
        this.engine?.write(message.data);
        break;
      case 'flow':
        this.flow.hold(message.paused);
        break;
      case 'attachPort':
        if (port) this.console.attachPort(port);
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

  /** A message that does not fit its shape: a boot that does not fails the start with the sentence; anything else goes to the log. */
  private refuse(raw: unknown, err: unknown, port?: ConsolePort): void {
    port?.close();
    const reason = sentenceOf(err);
    if ((raw as { type?: unknown } | null)?.type === 'boot' && this.state === 'stopped' && !this.spec) {
      this.setState('starting');
      void this.finish('stopped', reason, 1);
    } else process.stderr.write(`${reason.message}\n`);
  }

  /** A request, checked against its action's schema, answered by its handler: a reply for its id either way. */
  private request(raw: unknown): void {
    let request: GuestRequest;
    try {
      request = parseGuestRequest(raw);
    } catch (err) {
      const id = (raw as { id?: unknown }).id;
      if (typeof id === 'number') this.parent.send({ type: 'reply', id, error: toErrorData(err) });
      return;
    }
    const name = this.spec?.config.identity.name ?? m('term.theVm');
    const handler = this.handlers[request.action] as (request: GuestRequest, name: VmName) => Promise<ReplyOf<GuestAction>>;
    handler(request, name).then(
      (reply) => this.parent.send({ type: 'reply', id: request.id, ...reply }),
      (err: unknown) => this.parent.send({ type: 'reply', id: request.id, error: toErrorData(err) }),
    );
  }

  private async boot(spec: BootSpec): Promise<void> {
    this.spec = spec;
    this.console.open(spec.ringBytes, spec.vmDir);
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
      this.agent = AgentSide.watch(engine, spec, this.parent, () => this.state === 'running');
      if (isHardwareAccelerator(engine.accelerator)) {
        this.stopSilenceWatch = watchForSignOfLife(spec.silenceMs ?? 60_000, {
          settled: () => this.sawOutput || !this.engine || (this.state !== 'running' && this.state !== 'paused'),
          screen: async () => (await this.engine?.screenFingerprint?.().catch(() => null)) ?? null,
          silent: (seconds) => this.parent.send({ type: 'silent', seconds }),
        });
      }
    } catch (err) {
      this.engine?.kill();
      await this.finish('stopped', sentenceOf(err), 1);
    }
  }

  private onOutput(data: Uint8Array): void {
    if (!this.sawOutput) {
      this.sawOutput = true;
      this.firstOutputAt = performance.timeOrigin + performance.now();
      this.parent.send({ type: 'firstOutput', at: this.firstOutputAt });
    }
    this.console.push(data);
  }

  private onRunState(state: 'running' | 'paused', reason?: SentenceData): void {
    if (this.state === 'starting' || this.state === 'stopping') return;
    this.setState(state, reason);
  }

  /** What each action does; the checks every action of its kind makes come first (lifecycle, machine, screenEngine). */
  private readonly handlers: Handlers = {
    // Everything before the backlog is already on its way as output (ConsolePump.backlog).
    backlog: async () => ({ data: this.console.backlog() }),
    screenshot: async (_request, name) => ({ data: await screenEngine(this.engine, this.state, this.spec, name, true).screenshot() }),
    screenText: async (_request, name) => {
      const lines = await screenEngine(this.engine, this.state, this.spec, name, true).screenText();
      if (!lines) throw new GuesthouseError('invalid-state', m('display.graphical', { name }));
      return { lines };
    },
    keys: async ({ keys }, name) => {
      await screenEngine(this.engine, this.state, this.spec, name, false).sendKeys(keys);
      return {};
    },
    pause: async (_request, name) => {
      const engine = this.lifecycle('pause', name);
      this.setState('pausing');
      try {
        await engine.pause();
      } catch (err) {
        if (this.state === 'pausing') this.setState('running');
        throw err;
      }
      if (this.state === 'pausing') this.setState('paused');
      this.pausedAt = Date.now();
      return {};
    },
    resume: async (_request, name) => {
      const engine = this.lifecycle('resume', name);
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
      if (Date.now() - this.pausedAt > LONG_PAUSE_MS) void this.agent?.setTime();
      return {};
    },
    reset: async (_request, name) => {
      await this.lifecycle('reset', name).reset();
      return {};
    },
    shutdown: async ({ timeoutMs = 30_000 }, name) => {
      const engine = this.lifecycle('shutdown', name);
      const wasPaused = this.state === 'paused';
      this.setState('stopping');
      // A paused guest cannot hear the power button; let it run to answer.
      if (wasPaused) await engine.resume();
      // Through the guest agent when it answers, else the ACPI power button; the reason says which.
      const method = (await this.agent?.shutdown()) === 'agent' ? 'agent' : (await engine.requestShutdown(), 'acpi');
      if (this.agent) this.stopReason = m(method === 'agent' ? 'exit.agentShutdown' : 'exit.acpiShutdown');
      this.shutdownTimer = setTimeout(() => {
        this.stopReason = m('exit.shutdownTimeout', { seconds: Math.round(timeoutMs / 1000) });
        void engine.powerOff();
      }, timeoutMs);
      return { method };
    },
    save: async (_request, name) => {
      const engine = this.lifecycle('save', name);
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
      return {};
    },
    poweroff: async (_request, name) => {
      const engine = this.lifecycle('poweroff', name);
      this.setState('stopping');
      this.stopReason = m('exit.poweredOff');
      // Not awaited: this process ends with the engine, and the reply must leave first.
      void engine.powerOff();
      return {};
    },
    snapshotSave: (request, name) => this.machine(name, async () => ({ snapshot: (await this.snapshotJob('save', request, name)) as SavedSnapshot })),
    snapshotLoad: (request, name) => this.machine(name, async () => (await this.snapshotJob('load', request, name), void this.agent?.setTime(), {})),
    snapshotDelete: (request, name) => this.machine(name, async () => (await this.snapshotJob('delete', request, name), {})),
    mediaInsert: ({ iso }, name) => this.machine(name, async () => (await mediaEngine(this.engine, name).changeMedia(iso), {})),
    mediaEject: (_request, name) => this.machine(name, async () => (await mediaEngine(this.engine, name).changeMedia(null), {})),
    hostfwd: ({ op, netdev, rule }, name) =>
      this.machine(name, async () => {
        if (!this.engine?.hostfwd) throw new GuesthouseError('invalid-state', m('forward.engine', { name }));
        // The argument words go into one HMP line: nothing but a rule's and an id's characters.
        if ((op !== 'add' && op !== 'remove') || !/^net\d$/.test(netdev) || !/^(tcp|udp):[A-Za-z0-9.:-]*:\d+(-:\d+)?$/.test(rule))
          throw new GuesthouseError('invalid-input', m('guestHost.badRequest', { action: 'hostfwd', list: [m('forward.badRule', { rule })] }));
        return { text: await this.engine.hostfwd(op, netdev, rule) };
      }),
    ...agentHandlers(() => this.agent, { send: (message) => this.parent.send(message) }),
  };

  /** Power and state requests: refused while a machine request runs (but a power-off), or where the state does not allow them. */
  private lifecycle(action: 'pause' | 'resume' | 'reset' | 'shutdown' | 'save' | 'poweroff', name: VmName): Engine {
    if (this.busy && action !== 'poweroff') throw new GuesthouseError('invalid-state', m('snapshot.busy', { name }));
    assertAction(action, this.state, name);
    if (!this.engine) throw new GuesthouseError('invalid-state', m('vm.noEngine', { name }));
    return this.engine;
  }

  /** Live snapshots and the CD drive, while the guest runs or is paused: one at a time, and other requests that change the machine wait their turn. */
  private async machine<T>(name: VmName, run: () => Promise<T>): Promise<T> {
    if (this.busy) throw new GuesthouseError('invalid-state', m('snapshot.busy', { name }));
    this.busy = true;
    try {
      if (this.state !== 'running' && this.state !== 'paused') throw new GuesthouseError('invalid-state', m('vm.notRunning', { name }));
      return await run();
    } finally {
      this.busy = false;
    }
  }

  /**
   * A live snapshot job. A load that fails once QEMU has begun it may have left the disks at the
   * snapshot under a machine that is not: the guest is powered off (with that reason) rather than run on.
   */
  private async snapshotJob(op: 'save' | 'load' | 'delete', request: RequestOf<'snapshotSave' | 'snapshotLoad' | 'snapshotDelete'>, name: VmName) {
    const engine = this.engine;
    if (!engine?.snapshot) throw new GuesthouseError('invalid-state', m('snapshot.engine', { name }));
    const onStatus = (status: string) => this.parent.send({ type: 'progress', id: request.id, status });
    try {
      return await engine.snapshot(op, request.snapshot, onStatus);
    } catch (err) {
      if (op === 'load' && err instanceof GuesthouseError && err.code === 'engine-failed' && (this.state === 'running' || this.state === 'paused')) {
        this.setState('stopping');
        this.stopReason = sentenceOf(err);
        void engine.powerOff();
      }
      throw err;
    }
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
    this.stopSilenceWatch?.();
    this.agent?.stop();
    this.display?.close();
    this.console.flush();
    this.console.closeLog();
    this.setState(state, reason);
    this.console.closePorts();
    await this.parent.flush();
    this.exit(code);
  }
}
