import crypto from 'node:crypto';
import net from 'node:net';

/**
 * A client of qemu-guest-agent on the guest agent port's unix socket (QEMU listens; one client
 * at a time). Its traps, measured on qemu-ga 7.2: a reply an earlier client never read is
 * delivered to the next one, so every session first resynchronises (0xFF, then
 * `guest-sync-delimited` with a fresh id, discarding everything until a 0xFF followed by that
 * id); the 0xFF itself earns a "stray" parse error reply, discarded with the rest;
 * `guest-shutdown` never replies. Sessions run one at a time, each on its own connection.
 * (No maintained npm client for the agent exists; the protocol is JSON lines.)
 */

/** Why an agent call failed: no answer in time, the socket closed or could not be opened, or the agent's own error. */
export class AgentError extends Error {
  constructor(
    readonly kind: 'timeout' | 'closed' | 'command',
    message: string,
    /** The agent's error class (GenericError…) for `command`. */
    readonly errorClass = '',
  ) {
    super(message);
  }
}

export interface AgentSession {
  /** One command and its `return` (an `error` reply rejects with an AgentError of kind `command`). */
  call<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** One command whose reply never comes (guest-shutdown): written, then the session ends. */
  send(command: string, args?: Record<string, unknown>): Promise<void>;
}

/** The sync id's sentinel: qemu-ga puts 0xFF before guest-sync-delimited's reply (and never in JSON, which is UTF-8). */
const SENTINEL = 0xff;
const NEWLINE = 0x0a;

/** Reads reply lines off the socket: after `sync`, each `next()` is the following complete line. */
class ReplyReader {
  private chunks: Buffer[] = [];
  private waiting: ((line: Buffer | null) => void) | undefined;
  private ended = false;
  private syncing: number | undefined;
  private synced: (() => void) | undefined;

  constructor(private readonly socket: net.Socket) {
    socket.on('data', (data: Buffer) => {
      this.chunks.push(data);
      this.drain(data.length);
    });
    socket.on('close', () => {
      this.ended = true;
      this.waiting?.(null);
    });
    socket.on('error', () => undefined);
  }

  /** Flushes the agent's parser, asks it to echo a fresh id, and drops everything before that echo. */
  sync(timeoutMs: number): Promise<void> {
    const id = crypto.randomInt(1, 2 ** 31);
    this.syncing = id;
    const done = new Promise<void>((resolve) => (this.synced = resolve));
    this.socket.write(Buffer.concat([Buffer.from([SENTINEL]), Buffer.from(`${JSON.stringify({ execute: 'guest-sync-delimited', arguments: { id } })}\n`)]));
    this.drain(0);
    return withTimeout(done, timeoutMs, 'guest-sync-delimited', () => this.ended);
  }

  /** The next whole line (null once the socket closed). */
  next(): Promise<Buffer | null> {
    const line = this.takeLine();
    if (line || this.ended) return Promise.resolve(line);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  private drain(added: number): void {
    if (this.syncing !== undefined) return this.drainSync();
    if (!this.waiting || (added && !this.chunks.at(-1)!.includes(NEWLINE))) return;
    const line = this.takeLine();
    if (line) {
      const w = this.waiting;
      this.waiting = undefined;
      w(line);
    }
  }

  /** While syncing: drop up to each 0xFF; the line after it ends the sync when it returns our id. */
  private drainSync(): void {
    let buf = Buffer.concat(this.chunks);
    for (;;) {
      const at = buf.indexOf(SENTINEL);
      if (at < 0) {
        this.chunks = [];
        return;
      }
      const end = buf.indexOf(NEWLINE, at);
      if (end < 0) {
        this.chunks = [buf.subarray(at)];
        return;
      }
      const line = buf.subarray(at + 1, end);
      buf = buf.subarray(end + 1);
      if (parse(line)?.return === this.syncing) {
        this.syncing = undefined;
        this.chunks = buf.length ? [buf] : [];
        this.synced?.();
        return;
      }
    }
  }

  private takeLine(): Buffer | null {
    if (!this.chunks.length) return null;
    const buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const end = buf.indexOf(NEWLINE);
    if (end < 0) {
      this.chunks = [buf];
      return null;
    }
    const rest = buf.subarray(end + 1);
    this.chunks = rest.length ? [rest] : [];
    return buf.subarray(0, end);
  }
}

function parse(line: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string, closed: () => boolean): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new AgentError(closed() ? 'closed' : 'timeout', `the guest agent did not answer ${what} in ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export interface AgentClientOptions {
  /** How long the agent has to echo the sync id (it may be busy, or not running at all). */
  syncTimeoutMs?: number;
  /** How long a command has to answer when its caller says nothing. */
  callTimeoutMs?: number;
}

export class GuestAgentClient {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly syncTimeoutMs: number;
  private readonly callTimeoutMs: number;

  constructor(
    readonly socketPath: string,
    options: AgentClientOptions = {},
  ) {
    this.syncTimeoutMs = options.syncTimeoutMs ?? 5000;
    this.callTimeoutMs = options.callTimeoutMs ?? 10_000;
  }

  /** Runs `fn` with the agent to itself (after the requests before it), on a fresh, resynchronised connection. */
  session<T>(fn: (session: AgentSession) => Promise<T>, syncTimeoutMs = this.syncTimeoutMs): Promise<T> {
    const run = this.queue.then(() => this.open(fn, syncTimeoutMs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** One command in a session of its own. */
  call<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T> {
    return this.session((s) => s.call<T>(command, args, timeoutMs));
  }

  private async open<T>(fn: (session: AgentSession) => Promise<T>, syncTimeoutMs: number): Promise<T> {
    const socket = await connect(this.socketPath, syncTimeoutMs);
    const reader = new ReplyReader(socket);
    const closed = () => socket.destroyed || socket.readableEnded;
    try {
      await reader.sync(syncTimeoutMs);
      const session: AgentSession = {
        call: async <R>(command: string, args?: Record<string, unknown>, timeoutMs = this.callTimeoutMs): Promise<R> => {
          socket.write(`${JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}) })}\n`);
          const line = await withTimeout(reader.next(), timeoutMs, command, closed);
          if (!line) throw new AgentError('closed', `the guest agent's socket closed during ${command}`);
          const reply = parse(line);
          if (reply && 'return' in reply) return reply.return as R;
          const error = (reply?.error ?? {}) as { class?: string; desc?: string };
          throw new AgentError('command', error.desc ?? `the guest agent answered ${command} with ${line.toString('utf8').slice(0, 200)}`, error.class ?? '');
        },
        send: async (command: string, args?: Record<string, unknown>) => {
          await new Promise<void>((resolve) =>
            socket.write(`${JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}) })}\n`, () => resolve()),
          );
        },
      };
      return await fn(session);
    } finally {
      socket.destroy();
    }
  }
}

function connect(socketPath: string, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new AgentError('timeout', `the guest agent's socket did not accept in ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new AgentError('closed', `the guest agent's socket cannot be opened: ${err.message}`));
    });
  });
}
