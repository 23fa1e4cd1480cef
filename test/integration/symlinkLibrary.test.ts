// One library reached by two paths (GUESTHOUSE_HOME through a symlink) is one library: one
// service, and no process changes or deletes a VM that another one runs.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VmService } from '../../core/node/service/vmService';
import { runtimeDir, serviceSocketPath } from '../../core/node/shared/paths';
import { startService, type RunningService } from '../../main/server/service';
import { tinyGuest, tinyVm, type TestGuest } from '../support/guest';
import { realGuestsMissing, skipBecause } from '../support/require';
import { tempHome } from '../support/service';

const OUT = path.resolve(__dirname, '..', '..', 'out', 'main');
const CLI = path.join(OUT, 'cli', 'main.js');
const SERVICE = path.join(OUT, 'server', 'main.js');
const missing = realGuestsMissing();

/** Runs the CLI or the service entry; asynchronously, as the first service may live in this process. */
function run(entry: string, home: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [entry, ...args], { env: { ...process.env, GUESTHOUSE_HOME: home, GUESTHOUSE_SERVICE_IDLE_S: '30' }, timeout: 60_000 });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** Every file of the VM's folder with a hash of its content. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (fs.statSync(full).isFile() && name !== '.guesthouse.lock') out[name] = crypto.createHash('sha1').update(fs.readFileSync(full)).digest('hex');
  }
  return out;
}

/** A library folder and a symlink to it. */
function linkedLibrary(): { real: string; link: string } {
  const real = tempHome('ghr');
  const link = `${tempHome('ghl')}/lib`;
  fs.symlinkSync(real, link);
  return { real, link };
}

describe('a library reached through a symlink', () => {
  if (skipBecause(missing)) return;
  let guest: TestGuest;
  beforeAll(async () => {
    guest = await tinyGuest('amd64');
  });

  it('names one runtime folder and one service socket by either path', () => {
    const { real, link } = linkedLibrary();
    expect(runtimeDir(link)).toBe(runtimeDir(real));
    expect(serviceSocketPath(link)).toBe(serviceSocketPath(real));
    // A library folder not made yet is named by the path it will have.
    expect(runtimeDir(path.join(link, 'sub'))).toBe(runtimeDir(path.join(real, 'sub')));
  });

  describe('while another process runs a VM of it', () => {
    let real: string;
    let link: string;
    let first: VmService;
    beforeAll(async () => {
      ({ real, link } = linkedLibrary());
      first = new VmService({ home: real });
      await first.createVm({ ...tinyVm(guest, 'busy'), diskSizeBytes: 16 * 1024 * 1024 });
      await first.startVm('busy');
    });
    afterAll(async () => {
      await run(CLI, link, ['service', 'stop']);
      await first?.powerOffAll();
    });

    it('a second service through the symlink refuses modify, delete and start, naming the VM, and leaves its folder and disk', async () => {
      const dir = path.join(real, 'machines', 'busy');
      const before = snapshot(dir);
      expect(Object.keys(before)).toContain('busy.qcow2');
      const refusal = `"busy" is running in another Guesthouse (process ${process.pid})`;
      const modify = await run(CLI, link, ['modify', 'busy', '--memory', '256']);
      expect(modify.code).not.toBe(0);
      expect(modify.stderr).toContain(refusal);
      const del = await run(CLI, link, ['delete', 'busy']);
      expect(del.code).not.toBe(0);
      expect(del.stderr).toContain(refusal);
      const start = await run(CLI, link, ['start', 'busy']);
      expect(start.code).not.toBe(0);
      expect(start.stderr).toContain(`"busy" is already running in another Guesthouse (process ${process.pid})`);
      expect(snapshot(dir)).toEqual(before);
      expect((await first.getVm('busy')).state).toBe('running');
    });
  });

  describe('while a service runs for it', () => {
    let real: string;
    let link: string;
    let running: RunningService;
    beforeAll(async () => {
      ({ real, link } = linkedLibrary());
      running = await startService({ home: real });
      await running.service.createVm({ ...tinyVm(guest, 'owned'), diskSizeBytes: 16 * 1024 * 1024 });
      await running.service.startVm('owned');
    });
    afterAll(async () => {
      await running?.close();
    });

    it('no second service starts through the symlink; the CLI reaches the first, which refuses to delete the running VM', async () => {
      const second = await run(SERVICE, link, []);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`A Guesthouse service for ${link} is already running.`);
      const list = await run(CLI, link, ['list']);
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(/owned\s.*running/);
      expect(fs.readFileSync(path.join(runtimeDir(link), 'service.pid'), 'utf8')).toBe(String(process.pid));
      const dir = path.join(real, 'machines', 'owned');
      const before = snapshot(dir);
      const del = await run(CLI, link, ['delete', 'owned']);
      expect(del.code).not.toBe(0);
      expect(del.stderr).toContain('owned');
      expect(snapshot(dir)).toEqual(before);
    });
  });
});
