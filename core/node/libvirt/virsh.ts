// How Guesthouse talks to a libvirt host: `virsh` run with an argument list, on this machine
// (child_process, argv array) or on a remote one (ssh.ts: one SSH connection per host, each
// argument quoted for the remote POSIX shell). Everything above this file sees only `Virsh`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GuesthouseError } from '../../common/errors';
import { m } from '../../common/messages';
import { dieWithParent, killOnExit } from '../shared/dieWithParent';

export interface VirshResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Bytes for virsh's stdin (`define /dev/stdin`). */
  stdin?: string;
}

/** A long-lived command's output, line by line, until it ends or is disposed. */
export interface LineStream {
  dispose(): void;
}

export interface Virsh {
  /** The host's name in sentences (the user's host name). */
  readonly host: string;
  /** Runs `virsh -c URI ARGS…` on the host. */
  run(args: readonly string[], options?: RunOptions): Promise<VirshResult>;
  /** Runs virsh and fails with libvirt's sentence unless it exits 0; answers its stdout. */
  ok(args: readonly string[], options?: RunOptions): Promise<string>;
  /** Reads a file on the host (a console log), from `offset`. */
  readFile(file: string, offset?: number): Promise<Buffer>;
  /** Follows a file on the host as it grows (`tail -c +1 -F`), from its start, until disposed or `maxSeconds` have passed. */
  follow(file: string, maxSeconds: number, onData: (data: Buffer) => void, onEnd: (reason: string) => void): LineStream;
  /** Runs virsh and hands each line of its stdout to `onLine` until it ends (`onEnd` with why). */
  stream(args: readonly string[], onLine: (line: string) => void, onEnd: (reason: string) => void): LineStream;
  close(): void;
}

/** Arguments are data: a NUL cannot be passed through argv or a shell, so it is refused. */
export function checkArgs(args: readonly string[]): void {
  if (args.some((a) => a.includes('\u0000'))) throw new GuesthouseError('invalid-input', m('hosts.nul'));
}

/** One argument quoted for a POSIX shell: single quotes, each ' as '\''. Newlines and any bytes but NUL pass as data. */
export function shellQuote(arg: string): string {
  if (arg.includes('\u0000')) throw new GuesthouseError('invalid-input', m('hosts.nul'));
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** virsh's complaint ("error: …" lines) without its prefix, for a sentence. */
export function virshError(result: VirshResult): string {
  const lines = result.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const said = lines.filter((l) => l.startsWith('error: ')).map((l) => l.slice(7));
  return (said.length ? said : lines).join(' ') || `virsh exited with status ${result.code}`;
}

export function failed(host: string, result: VirshResult): GuesthouseError {
  if (result.code === 127) return new GuesthouseError('engine-missing', m('hosts.noVirsh', { host }));
  return new GuesthouseError('engine-failed', m('hosts.libvirt', { host, detail: virshError(result) }));
}

/** Splits a byte stream into lines, keeping an unfinished one for the next chunk. */
export function lineSplitter(onLine: (line: string) => void): (chunk: Buffer | string) => void {
  let rest = '';
  return (chunk) => {
    rest += chunk.toString();
    const lines = rest.split('\n');
    rest = lines.pop()!;
    for (const l of lines) onLine(l);
  };
}

/** virsh on this machine: `virsh -c URI` with an argument array, never a shell. */
export class LocalVirsh implements Virsh {
  private readonly streams = new Set<LineStream>();

  constructor(
    readonly host: string,
    private readonly uri: string,
  ) {}

  async run(args: readonly string[], options: RunOptions = {}): Promise<VirshResult> {
    checkArgs(args);
    if (options.stdin === undefined) return await this.spawn(args, '');
    // Node's stdin for a child is a socket, which /dev/stdin cannot open: the text goes in a private file instead.
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'gh-virsh-'));
    try {
      const file = path.join(dir, 'input.xml');
      await fs.promises.writeFile(file, options.stdin, { mode: 0o600 });
      return await this.spawn(
        args.map((a) => (a === '/dev/stdin' ? file : a)),
        '',
      );
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  }

  private spawn(args: readonly string[], stdin: string): Promise<VirshResult> {
    return new Promise((resolve) => {
      const child = spawn('virsh', ['-q', '-c', this.uri, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.stdin.on('error', () => undefined);
      child.stdin.end(stdin);
      child.on('error', (e: NodeJS.ErrnoException) => resolve({ code: e.code === 'ENOENT' ? 127 : 1, stdout: '', stderr: e.message }));
      child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    });
  }

  async ok(args: readonly string[], options?: RunOptions): Promise<string> {
    const r = await this.run(args, options);
    if (r.code !== 0) throw failed(this.host, r);
    return r.stdout;
  }

  async readFile(file: string, offset = 0): Promise<Buffer> {
    const fd = await fs.promises.open(file, 'r');
    try {
      const { size } = await fd.stat();
      const buf = Buffer.alloc(Math.max(0, size - offset));
      await fd.read(buf, 0, buf.length, offset);
      return buf;
    } finally {
      await fd.close();
    }
  }

  stream(args: readonly string[], onLine: (line: string) => void, onEnd: (reason: string) => void): LineStream {
    return this.child('virsh', ['-q', '-c', this.uri, ...args], lineSplitter(onLine), onEnd);
  }

  follow(file: string, maxSeconds: number, onData: (data: Buffer) => void, onEnd: (reason: string) => void): LineStream {
    return this.child('timeout', [String(maxSeconds), 'tail', '-c', '+1', '-F', '--', file], onData, onEnd);
  }

  private child(binary: string, args: readonly string[], onData: (data: Buffer) => void, onEnd: (reason: string) => void): LineStream {
    checkArgs(args);
    // Long-lived (virsh event --loop, tail -F): it must die with this process.
    const [cmd, argv] = dieWithParent(binary, args);
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    killOnExit(child);
    let err = '';
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    let disposed = false;
    child.on('error', (e) => (err += e.message));
    child.on('close', (code) => {
      this.streams.delete(s);
      if (!disposed) onEnd(virshError({ code: code ?? 1, stdout: '', stderr: err }));
    });
    const s: LineStream = {
      dispose: () => {
        disposed = true;
        child.kill();
      },
    };
    this.streams.add(s);
    return s;
  }

  close(): void {
    for (const s of [...this.streams]) s.dispose();
  }
}
