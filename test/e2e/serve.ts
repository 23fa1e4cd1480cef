import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CLI = path.resolve(__dirname, '..', '..', 'out', 'main', 'cli', 'main.js');

export interface Served {
  home: string;
  url: string;
  origin: string;
  /** The `guesthouse serve` process (a client of the service, and the display WebSockets' end). */
  pid: number;
  cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

/** Runs `guesthouse serve --port 0` on a fresh library (with `extraEnv` for it and its service) and reads the address it prints. */
export async function serve(extraEnv: Record<string, string> = {}): Promise<Served> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-e2e-'));
  const env = { ...process.env, GUESTHOUSE_HOME: home, ...extraEnv };
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`guesthouse serve exited with ${code}: ${out}`)));
  });
  const cli = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const c = spawn(process.execPath, [CLI, ...args], { env });
      let stdout = '';
      let stderr = '';
      c.stdout.on('data', (d: Buffer) => (stdout += d));
      c.stderr.on('data', (d: Buffer) => (stderr += d));
      c.once('exit', (code) => resolve({ code, stdout, stderr }));
    });
  return {
    home,
    url,
    origin: new URL(url).origin,
    pid: child.pid!,
    cli,
    stop: async () => {
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
      await cli(['service', 'stop']);
    },
  };
}
