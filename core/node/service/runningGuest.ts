import type { GuestInfo } from '../../common/guestAgent';
import type { AttachOptions, ConsoleAttachment, VmRuntime } from '../../common/api';
import { FlowGate } from '../../common/flowGate';
import { GuesthouseError } from '../../common/errors';
import { parseGuestHostMessage } from '../../common/guestMessages';
import { parseGuestReply, type BareAction, type GuestAction, type PayloadOf, type ReplyOf } from '../../common/guestActions';
import type { BootSpec, FromGuestHost, ToGuestHost } from '../../common/protocol';
import { hasEnded, type EndedState, type VmState } from '../../common/state';
import { StreamMatcher } from './fileSearch';
import { logFile } from '../shared/vmFolder';
import type { GuestHostHello, GuestHostLauncher, GuestHostProcess } from './supervisor';
import { describeHostExit, type GuestHostExit } from './hostExit';
import { m, type SentenceData } from '../../common/messages';

export interface GuestCallbacks {
  onState(state: VmState, reason?: SentenceData): void;
  /** The guest host has ended; `state` is final (stopped, saved or crashed). */
  onGone(state: EndedState, reason?: SentenceData): void;
  /** What the details show of the running guest changed (a sign-of-life warning). */
  onRuntime?(): void;
}

/** Who hears a long request's progress (a snapshot job's steps; a copy's bytes `done` of `total`). */
export interface RequestOptions {
  onProgress?: (status: string, done?: number, total?: number) => void;
}

/**
 * A request's payload and options; the payload may be left out where every field is optional.
 * An action that carries nothing takes only an empty payload (TypeScript would let any object pass for `{}`).
 */
export type RequestArgs<A extends GuestAction> = [keyof PayloadOf<A>] extends [never]
  ? [payload?: Record<string, never>, options?: RequestOptions]
  : A extends BareAction
    ? [payload?: PayloadOf<A>, options?: RequestOptions]
    : [payload: PayloadOf<A>, options?: RequestOptions];

interface PendingReply {
  /** Checks the reply against what its action answers, then settles. */
  settle(reply: unknown): void;
  reject(err: Error): void;
  onProgress?: (status: string, done?: number, total?: number) => void;
}

/** The service's side of one guest host: its state as last reported, requests, output. */
export class RunningGuest {
  state: VmState = 'starting';
  reason: SentenceData | undefined;
  runtime: VmRuntime | undefined;
  /** The guest host's display socket (RFB), once it has said where: only the service opens it (openDisplay). */
  displaySocket: string | undefined;
  /** Logs in the VM's folder that cannot be written now, and why ('full': the disk is full). */
  pausedLogs: ReadonlyMap<'console' | 'engine', 'full' | 'failed'> = new Map();
  /** What the guest agent last said of the guest (engines with its channel). */
  guestInfo: GuestInfo | undefined;
  readonly started: Promise<void>;
  readonly gone: Promise<void>;
  private readonly process: GuestHostProcess;
  private readonly pending = new Map<number, PendingReply>();
  private readonly outputListeners = new Set<(data: Uint8Array) => void>();
  /** Viewers over RPC that acknowledge: the guest host pauses the console while one lags. */
  private readonly flow = new FlowGate((paused) => this.process.send({ type: 'flow', paused }));
  private nextId = 1;
  private settleStart!: { resolve(): void; reject(err: Error): void };
  private markGone!: () => void;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly spec: BootSpec,
    launcher: GuestHostLauncher,
    private readonly callbacks: GuestCallbacks,
    /** A guest host that outlived an earlier service: what it said when this one reattached (no boot is sent). */
    reattached?: GuestHostHello,
  ) {
    this.started = new Promise((resolve, reject) => (this.settleStart = { resolve, reject }));
    this.started.catch(() => undefined);
    this.gone = new Promise((resolve) => (this.markGone = resolve));
    this.process = launcher(
      { name, logFile: logFile(spec.vmDir, 'guesthost'), engine: spec.engine },
      { onMessage: (m) => this.onMessage(m), onExit: (e) => this.onExit(e) },
    );
    this.runtime = {
      guestHostPid: this.process.pid ?? 0,
      engine: spec.engine,
      accelerator: spec.qemu?.accelerator ?? null,
      startedAt: new Date().toISOString(),
    };
    if (reattached) {
      const { runtime, firstOutputAt } = reattached;
      if (runtime) this.onMessage({ type: 'runtime', ...runtime });
      if (firstOutputAt !== undefined) this.runtime = { ...this.runtime, firstOutputAt };
      this.setState(reattached.state, reattached.reason);
      return;
    }
    callbacks.onState('starting');
    this.process.send({ type: 'boot', spec });
  }

  private setState(state: VmState, reason?: SentenceData): void {
    const changed = state !== this.state || reason?.message !== this.reason?.message;
    this.state = state;
    this.reason = reason;
    if (changed) this.callbacks.onState(state, reason);
    if (state === 'running' || state === 'paused') this.settleStart.resolve();
    if (hasEnded(state)) this.settleStart.reject(new GuesthouseError('engine-failed', reason ?? m('vm.stoppedWhileStarting', { name: this.name })));
  }

  /** Each message is checked against its shape first: a reply by the request it answers, anything else by guestMessages.ts. */
  private onMessage(raw: FromGuestHost): void {
    if (raw.type === 'reply') {
      const p = this.pending.get(raw.id);
      this.pending.delete(raw.id);
      p?.settle(raw);
      return;
    }
    let message: Exclude<FromGuestHost, { type: 'reply' }>;
    try {
      message = parseGuestHostMessage(raw);
    } catch (err) {
      // A guest host of another build, or a bug: the message is passed over, and said where the service logs.
      process.stderr.write(`"${this.name}": ${(err as Error).message}\n`);
      return;
    }
    switch (message.type) {
      case 'state':
        this.setState(message.state, message.reason);
        break;
      case 'output':
        for (const l of this.outputListeners) l(message.data);
        break;
      case 'progress':
        this.pending.get(message.id)?.onProgress?.(message.status, message.done, message.total);
        break;
      case 'guestInfo':
        this.guestInfo = message.info;
        this.callbacks.onRuntime?.();
        break;
      case 'firstOutput':
        this.runtime = { ...this.runtime!, firstOutputAt: message.at };
        break;
      case 'logPaused': {
        const paused = new Map(this.pausedLogs);
        if (message.pause) paused.set(message.log, message.pause);
        else paused.delete(message.log);
        this.pausedLogs = paused;
        this.callbacks.onRuntime?.();
        break;
      }
      case 'silent':
        this.runtime = { ...this.runtime!, silentForS: message.seconds };
        this.callbacks.onRuntime?.();
        break;
      case 'runtime':
        this.runtime = { ...this.runtime!, ...(message.enginePid ? { enginePid: message.enginePid } : {}), accelerator: message.accelerator };
        if (message.displaySocket) this.displaySocket = message.displaySocket;
        break;
    }
  }

  private onExit(exit: GuestHostExit): void {
    if (!hasEnded(this.state)) this.setState('crashed', describeHostExit(exit));
    for (const p of this.pending.values()) p.reject(new GuesthouseError('invalid-state', m('vm.noLongerRunning', { name: this.name })));
    this.pending.clear();
    this.outputListeners.clear();
    this.callbacks.onGone(this.state as EndedState, this.reason);
    this.markGone();
  }

  /** Asks the guest host to do `action` (guestActions.ts); resolves with its reply, checked against what that action answers. */
  request<A extends GuestAction>(action: A, ...[payload, options = {}]: RequestArgs<A>): Promise<ReplyOf<A>> {
    const id = this.nextId++;
    const { onProgress } = options;
    return new Promise((resolve, reject) => {
      const settle = (reply: unknown) => {
        try {
          resolve(parseGuestReply(action, reply));
        } catch (err) {
          reject(err as Error);
        }
      };
      this.pending.set(id, { settle, reject, ...(onProgress ? { onProgress } : {}) });
      this.process.send({ ...payload, type: 'request', id, action } as ToGuestHost);
    });
  }

  /** Hands a viewer's MessagePort (console, or screen as RFB) to the guest host, where the launcher can (Electron). */
  transferPort(port: unknown, kind: 'console' | 'display' = 'console'): boolean {
    if (!this.process.sendWithPort) return false;
    this.process.sendWithPort({ type: kind === 'console' ? 'attachPort' : 'attachDisplayPort' }, port);
    return true;
  }

  write(data: Uint8Array): void {
    this.process.send({ type: 'input', data });
  }

  kill(): void {
    this.process.kill();
  }

  /** Recent output plus everything after it, each byte once. */
  async attach(onData: (data: Uint8Array) => void, options: AttachOptions = {}): Promise<ConsoleAttachment> {
    const { data: backlog } = await this.request('backlog');
    const viewer = options.flowControl ? this.flow.add() : undefined;
    const listener = viewer
      ? (data: Uint8Array) => {
          onData(data);
          this.flow.sent(viewer, data.length);
        }
      : onData;
    this.outputListeners.add(listener);
    return {
      backlog,
      ack: (bytes) => viewer && this.flow.acked(viewer, bytes),
      dispose: () => {
        this.outputListeners.delete(listener);
        if (viewer) this.flow.remove(viewer);
      },
    };
  }

  /** Resolves true when `needle` shows up in output from now on, false on timeout or exit. */
  waitFor(needle: Buffer, tail: Buffer, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const matcher = new StreamMatcher(needle, tail);
      const done = (found: boolean) => {
        clearTimeout(timer);
        this.outputListeners.delete(listener);
        resolve(found);
      };
      const listener = (data: Uint8Array) => {
        if (matcher.push(data)) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.outputListeners.add(listener);
      void this.gone.then(() => done(false));
    });
  }
}
