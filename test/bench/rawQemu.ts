import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

/**
 * QEMU "by hand" for the baseline: the very argv Guesthouse generates, driven by the
 * least a person must do with it — listen on the two sockets it connects to, say
 * qmp_capabilities and cont, read the serial socket.
 */
export class RawQemu {
  child: ChildProcess | undefined;
  serial: net.Socket | undefined;
  private qmp: net.Socket | undefined;
  firstByteAt: number | undefined;
  /** Everything the guest printed since start (or since clearTranscript), and when it grew. */
  transcript = '';
  /** Texts to time from the start: when each first appeared (epoch ms). */
  readonly seenAt = new Map<string, number>();

  constructor(private readonly watch: string[] = []) {}
  private listeners = new Set<(data: Buffer) => void>();
  /** Every QMP line after the handshake (replies and events), for `execute` and `waitEvent`. */
  private qmpLines = new Set<(msg: Record<string, unknown>) => void>();
  private nextId = 1;

  static now(): number {
    return performance.timeOrigin + performance.now();
  }

  async start(binary: string, argv: string[], qmpPath: string, serialPath: string): Promise<void> {
    for (const p of [qmpPath, serialPath]) fs.rmSync(p, { force: true });
    const accept = (p: string) =>
      new Promise<net.Socket>((resolve, reject) => {
        const server = net.createServer((s) => {
          server.close();
          resolve(s);
        });
        server.once('error', reject);
        server.listen(p);
      });
    const qmpConn = accept(qmpPath);
    const serialConn = accept(serialPath);
    this.child = spawn(binary, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    const [qmp, serial] = await Promise.all([qmpConn, serialConn]);
    this.qmp = qmp;
    this.serial = serial;
    // QEMU quitting resets both connections; that is the end, not an error.
    qmp.on('error', () => undefined);
    serial.on('error', () => undefined);
    serial.on('data', (d: Buffer) => {
      this.firstByteAt ??= RawQemu.now();
      this.transcript += d.toString('latin1');
      for (const w of this.watch) if (!this.seenAt.has(w) && this.transcript.includes(w)) this.seenAt.set(w, RawQemu.now());
      for (const l of this.listeners) l(d);
    });
    let buf = '';
    const lines: string[] = [];
    const waiters: (() => void)[] = [];
    qmp.setEncoding('utf8');
    qmp.on('data', (d: string) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        lines.push(line);
        buf = buf.slice(i + 1);
        waiters.shift()?.();
        if (this.qmpLines.size) {
          try {
            const msg = JSON.parse(line) as Record<string, unknown>;
            for (const l of this.qmpLines) l(msg);
          } catch {
            // not JSON: nothing of ours
          }
        }
      }
    });
    const nextReply = () => new Promise<void>((r) => waiters.push(r));
    await nextReply(); // greeting
    const replyTo = async (cmd: string) => {
      qmp.write(JSON.stringify({ execute: cmd }) + '\n');
      for (;;) {
        await nextReply();
        if (lines.at(-1)!.includes('"return"')) return;
      }
    };
    await replyTo('qmp_capabilities');
    await replyTo('cont');
    for (const p of [qmpPath, serialPath]) fs.rmSync(p, { force: true });
  }

  /** One QMP command by hand, after start: its reply's return, or its error as a thrown Error. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    const id = `raw-${this.nextId++}`;
    return new Promise<T>((resolve, reject) => {
      const l = (msg: Record<string, unknown>) => {
        if (msg.id !== id) return;
        this.qmpLines.delete(l);
        if ('error' in msg) reject(new Error((msg.error as { desc: string }).desc));
        else resolve(msg.return as T);
      };
      this.qmpLines.add(l);
      this.qmp!.write(JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }) + '\n');
    });
  }

  /** Resolves with the first QMP event for which `match` is true (listen before causing it). */
  waitEvent(match: (event: string, data: Record<string, unknown>) => boolean): Promise<void> {
    return new Promise((resolve) => {
      const l = (msg: Record<string, unknown>) => {
        if (typeof msg.event === 'string' && match(msg.event, (msg.data ?? {}) as Record<string, unknown>)) {
          this.qmpLines.delete(l);
          resolve();
        }
      };
      this.qmpLines.add(l);
    });
  }

  onData(l: (data: Buffer) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Resolves with the time `text` is in the transcript (at once if it is already). */
  waitFor(text: string, timeoutMs = 120_000): Promise<number> {
    if (this.transcript.includes(text)) return Promise.resolve(RawQemu.now());
    return new Promise((resolve, reject) => {
      let seen = this.transcript.slice(-text.length);
      const timer = setTimeout(() => {
        off();
        reject(new Error(`raw QEMU: "${text}" did not appear`));
      }, timeoutMs);
      const off = this.onData((d) => {
        seen = (seen + d.toString('latin1')).slice(-Math.max(4096, text.length * 2));
        if (seen.includes(text)) {
          clearTimeout(timer);
          off();
          resolve(RawQemu.now());
        }
      });
    });
  }

  write(data: string | Buffer): void {
    this.serial?.write(data);
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child!.once('exit', r));
    this.qmp?.write(JSON.stringify({ execute: 'quit' }) + '\n');
    setTimeout(() => this.child?.kill('SIGKILL'), 5000).unref();
    await exited;
  }
}
