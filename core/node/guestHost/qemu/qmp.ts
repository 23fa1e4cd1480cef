import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { m } from '../../../common/messages';
import { readLines, writeLine } from '../../transport/lines';

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
  timestamp?: { seconds: number; microseconds: number };
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export class QmpError extends Error {
  constructor(
    readonly errorClass: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A QMP client on a connected socket: newline-delimited JSON, replies matched by id,
 * events emitted as 'event'. (No maintained npm QMP client exists; the protocol is small.)
 */
export class QmpClient extends EventEmitter<{ event: [QmpEvent]; close: [] }> {
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private readonly greeted: Promise<void>;
  private onGreeting: () => void = () => undefined;
  private closed = false;

  constructor(private readonly socket: net.Socket) {
    super();
    this.greeted = new Promise((resolve, reject) => {
      this.onGreeting = resolve;
      socket.once('close', () => reject(new Error(m('qemu.noGreeting').message)));
    });
    readLines(socket, (line) => this.onLine(line));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      for (const p of this.pending.values()) p.reject(new Error(m('qemu.closed').message));
      this.pending.clear();
      this.emit('close');
    });
  }

  /** Waits for the greeting and leaves capabilities negotiation mode. */
  async handshake(): Promise<void> {
    await this.greeted;
    await this.execute('qmp_capabilities');
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    if (this.closed) return Promise.reject(new Error(m('qemu.gone').message));
    const id = String(this.nextId++);
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      writeLine(this.socket, JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onLine(line: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if ('QMP' in msg) {
      this.onGreeting();
    } else if ('event' in msg) {
      this.emit('event', msg as unknown as QmpEvent);
    } else if ('id' in msg) {
      const p = this.pending.get(String(msg.id));
      if (!p) return;
      this.pending.delete(String(msg.id));
      if ('error' in msg) {
        const e = msg.error as { class: string; desc: string };
        p.reject(new QmpError(e.class, e.desc));
      } else {
        p.resolve(msg.return);
      }
    }
  }
}
