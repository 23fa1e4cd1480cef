import { fork } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { capabilitiesOf } from '../../common/capabilities';
import { parseGuestHostMessage } from '../../common/guestMessages';
import type { FromGuestHost, ToGuestHost } from '../../common/protocol';
import type { EngineKind } from '../../common/engines';
import { socketTransport } from '../transport/socketTransport';
import { processAlive } from '../shared/processAlive';
import { PausableLog } from '../shared/logFile';
import type { GuestHostExit } from './hostExit';

export type { GuestHostExit };

/** A running guest host process, whatever started it. */
export interface GuestHostProcess {
  readonly pid: number | undefined;
  send(message: ToGuestHost): void;
  /** Where the launcher can transfer MessagePorts (Electron): send a message with a port. */
  sendWithPort?(message: ToGuestHost, port: unknown): void;
  kill(): void;
}

export interface GuestHostCallbacks {
  onMessage(message: FromGuestHost): void;
  /** Called once, after every message the process sent has been delivered. */
  onExit(exit: GuestHostExit): void;
}

/** Starts guest host processes: child_process.fork here, utilityProcess.fork in Electron. */
export type GuestHostLauncher = (options: { name: string; logFile: string; engine: EngineKind }, callbacks: GuestHostCallbacks) => GuestHostProcess;

/**
 * Node flags for a guest host. An engine that runs in the guest host itself (v86): Liftoff-only
 * WebAssembly compilation halves its memory and CPU with no slower boot. A QEMU guest
 * host only moves bytes: without V8's optimizing tiers it needs ~4 MiB less a guest
 * (the same as --lite-mode, which also turns WebAssembly off and says so on stderr).
 */
export function guestHostExecArgv(engine: EngineKind): string[] {
  return capabilitiesOf(engine).inGuestHost ? ['--liftoff-only'] : ['--no-opt', '--no-maglev', '--no-sparkplug'];
}

/**
 * The guest host entry file, next to this module once compiled. Tests load the
 * TypeScript sources; the guest host they fork is always the compiled one (npm run build).
 */
export const guestHostEntry = __filename.endsWith('.ts')
  ? path.resolve(__dirname, '..', '..', '..', 'out', 'core', 'node', 'guestHost', 'main.js')
  : path.join(__dirname, '..', 'guestHost', 'main.js');

/** A guest host process started before its guest is known. */
export interface UnboundGuestHost {
  readonly alive: boolean;
  /** Gives the process its guest's log file and callbacks; it is then a normal guest host. */
  bind(options: { logFile: string }, callbacks: GuestHostCallbacks): GuestHostProcess;
  kill(): void;
}

/** Starts an unbound guest host: child_process.fork here, utilityProcess.fork in Electron. */
export type GuestHostSpawner = (engine: EngineKind) => UnboundGuestHost;

/**
 * Callbacks and a log for a process whose guest is not known yet: output before the
 * bind is kept (a guest host says nothing until it boots; this is for crashes).
 */
export class LateBinding {
  callbacks: GuestHostCallbacks | undefined;
  exited: GuestHostExit | undefined;
  /** guesthost.log; a write that fails (a full disk) pauses it and never reaches this process's event loop as an error. */
  private log: PausableLog | undefined;
  private early: Buffer[] = [];

  write(chunk: Buffer): void {
    if (this.log) this.log.write(chunk);
    else this.early.push(chunk);
  }

  bind(logFile: string, callbacks: GuestHostCallbacks): void {
    this.log = new PausableLog(logFile, 'a');
    for (const c of this.early) this.log.write(c);
    this.early = [];
    this.callbacks = callbacks;
    if (this.exited) callbacks.onExit(this.exited);
  }

  message(m: FromGuestHost): void {
    this.callbacks?.onMessage(m);
  }

  exit(e: GuestHostExit): void {
    this.exited = e;
    this.log?.close();
    this.callbacks?.onExit(e);
  }
}

/** Node's spawner: fork the guest host entry with structured-clone IPC. */
export const forkSpawner: GuestHostSpawner = (engine) => forkGuestHost(engine, false);

/**
 * The headless service's spawner: guest hosts in their own process group that outlive the
 * service (see guestHost/controlChannel.ts); the next service reattaches with connectGuestHost.
 */
export const survivableForkSpawner: GuestHostSpawner = (engine) => forkGuestHost(engine, true);

function forkGuestHost(engine: EngineKind, survivable: boolean): UnboundGuestHost {
  const child = fork(guestHostEntry, survivable ? ['--survivable'] : [], {
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    execArgv: guestHostExecArgv(engine),
    detached: survivable,
  });
  const late = new LateBinding();
  child.stdout!.on('data', (c: Buffer) => late.write(c));
  child.stderr!.on('data', (c: Buffer) => late.write(c));
  child.on('message', (m) => late.message(m as FromGuestHost));
  child.on('error', () => undefined);
  // 'close' comes after the IPC channel has drained, unlike 'exit'.
  child.once('close', (code, signal) => late.exit({ code, signal }));
  // An unbound spare must not keep its parent alive.
  child.unref();
  child.channel?.unref();
  return {
    get alive() {
      return late.exited === undefined && child.connected;
    },
    bind: ({ logFile }, callbacks) => {
      child.ref();
      child.channel?.ref();
      late.bind(logFile, callbacks);
      return {
        pid: child.pid,
        send: (m) => {
          if (child.connected) child.send(m);
        },
        kill: () => child.kill('SIGKILL'),
      };
    },
    kill: () => child.kill('SIGKILL'),
  };
}

/** What a surviving guest host says of its guest when a service reattaches. */
export type GuestHostHello = Extract<FromGuestHost, { type: 'hello' }>;

/**
 * Connects to a surviving guest host's control socket and asks what it runs. Null when
 * nobody answers within `timeoutMs`; `stale` when nobody listens there any more.
 */
export function connectGuestHost(
  socketPath: string,
  timeoutMs = 3000,
): Promise<{ hello: GuestHostHello; pid: number; bind(callbacks: GuestHostCallbacks): GuestHostProcess } | 'stale' | null> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    let callbacks: GuestHostCallbacks | undefined;
    let hello: GuestHostHello | undefined;
    const early: FromGuestHost[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(null);
    }, timeoutMs);
    const transport = socketTransport<FromGuestHost, ToGuestHost>(socket);
    transport.onMessage((message) => {
      if (typeof (message as { type?: unknown }).type !== 'string') return; // not a line of JSON
      if (!hello) {
        if (message.type !== 'hello') return;
        try {
          hello = parseGuestHostMessage(message) as GuestHostHello;
        } catch {
          // Not a hello this build understands: the guest host is left alone, as one that does not answer.
          clearTimeout(timer);
          socket.destroy();
          return resolve(null);
        }
        clearTimeout(timer);
        resolve({ hello, pid: message.pid, bind });
      } else if (callbacks) callbacks.onMessage(message);
      else early.push(message);
    });
    let closed = false;
    const exited = () => {
      // The socket closes as the process ends; its exit code went with the old service.
      const pid = hello!.pid;
      const check = (): void => void (processAlive(pid) ? setTimeout(check, 50) : callbacks?.onExit({ code: null, signal: null }));
      check();
    };
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (hello) return;
      clearTimeout(timer);
      resolve(err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? 'stale' : null);
    });
    socket.once('close', () => {
      closed = true;
      if (!hello) {
        clearTimeout(timer);
        resolve(null);
      } else if (callbacks) exited();
    });
    const bind = (cb: GuestHostCallbacks): GuestHostProcess => {
      callbacks = cb;
      for (const m of early.splice(0)) cb.onMessage(m);
      // Later, not now: the caller is still taking the process in.
      if (closed) setImmediate(exited);
      return {
        pid: hello!.pid,
        send: (m) => transport.send(m),
        kill: () => {
          try {
            process.kill(hello!.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        },
      };
    };
    transport.send({ type: 'hello' });
  });
}

/**
 * Launches guest hosts from a spawner, optionally keeping one spare per engine
 * started ahead, so starting a VM does not wait for a Node process to start (~50 ms).
 */
export class GuestHostPool {
  private readonly spares = new Map<EngineKind, UnboundGuestHost>();
  private readonly wanted = new Set<EngineKind>();
  private disposed = false;

  constructor(private readonly spawner: GuestHostSpawner) {}

  readonly launch: GuestHostLauncher = ({ logFile, engine }, callbacks) => {
    let host = this.spares.get(engine);
    this.spares.delete(engine);
    if (!host?.alive) {
      host?.kill();
      host = this.spawner(engine);
    }
    // Replace the spare once this guest has had its start to itself.
    if (this.wanted.has(engine)) setTimeout(() => this.refill(engine), 3000).unref();
    return host.bind({ logFile }, callbacks);
  };

  /** Keep a spare guest host for `engine` from now on. */
  keepSpare(engine: EngineKind): void {
    this.wanted.add(engine);
    this.refill(engine);
  }

  private refill(engine: EngineKind): void {
    if (this.disposed || this.spares.get(engine)?.alive) return;
    this.spares.set(engine, this.spawner(engine));
  }

  dispose(): void {
    this.disposed = true;
    for (const s of this.spares.values()) s.kill();
    this.spares.clear();
  }
}
