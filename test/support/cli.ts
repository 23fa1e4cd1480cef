import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The built `guesthouse` command (npm run build). */
export const CLI = path.resolve(__dirname, '..', '..', 'out', 'main', 'cli', 'main.js');

export interface CliOptions {
  env?: Record<string, string>;
  cwd?: string;
  input?: string | Buffer;
  encoding?: 'utf8' | 'latin1';
}

/** Runs the real CLI on library `home` and waits for it: exit code, output, and how long it took. */
export function cli(home: string, args: string[], options: CliOptions = {}) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, GUESTHOUSE_HOME: home, ...options.env },
    encoding: options.encoding ?? 'utf8',
    timeout: 120_000,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - started };
}

/**
 * Every file under the library's machines with a hash of its content: equal before and after
 * means nothing changed. `skipLogs` leaves out logs, which a start or the service writes.
 */
export function snapshot(home: string, options: { skipLogs?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const isLog = (name: string, dir: boolean) => options.skipLogs === true && (dir ? name === 'logs' : name.endsWith('.log'));
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (isLog(e.name, e.isDirectory())) continue;
      if (e.isDirectory()) walk(full);
      else out[path.relative(home, full)] = crypto.createHash('sha1').update(fs.readFileSync(full)).digest('hex');
    }
  };
  walk(path.join(home, 'machines'));
  return out;
}
