// A full disk under the library: the guest keeps running and answering, the service and the
// guest host stay up, the console log pauses (said once in the VM's notes) and resumes when
// space comes back, and a config write that fails leaves no temp file behind.
// The library is a 4 MiB tmpfs: mounting one needs root (CI runs as root).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { m } from '../../core/common/messages';
import { processAlive } from '../../core/node/library/library';
import { VmService } from '../../core/node/service/vmService';
import { tinyGuest, tinyVm, type TestGuest } from '../support/guest';
import { missingComponent, realGuestsMissing, skipBecause } from '../support/require';
import { runInGuest, tempHome } from '../support/service';

/** A tmpfs of `size` at a fresh folder, or the reason there cannot be one here. */
function mountTmpfs(size: string): { dir: string } | { missing: string } {
  const dir = tempHome('gh-full');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const r = isRoot ? spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' }) : null;
  const reason = !isRoot ? 'not running as root' : r!.status !== 0 ? `mount failed: ${(r!.stderr || r!.error?.message || '').trim()}` : null;
  const missing = missingComponent('A small filesystem for the library (tmpfs)', reason === null, `${reason}; run as root to mount one`);
  return missing ? { missing } : { dir };
}

/** Fills the filesystem at `dir` to the last byte with `file`. */
function fillUp(file: string): void {
  const fd = fs.openSync(file, 'a');
  const chunk = Buffer.alloc(4096, 0x2e);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    fs.closeSync(fd);
  }
}

const missing = realGuestsMissing();
const mounted = missing ? null : mountTmpfs('4m');

describe('a full disk under the library', () => {
  if (skipBecause(missing ?? (mounted && 'missing' in mounted ? mounted.missing : null))) return;
  const home = (mounted as { dir: string }).dir;
  let guest: TestGuest;
  let service: VmService;
  const filler = path.join(home, 'filler');
  const consoleLog = () => path.join(home, 'machines', 'flood', 'logs', 'console.log');
  const note = m('notes.consoleLogFull', { name: 'flood' }).message;

  beforeAll(async () => {
    guest = await tinyGuest();
    service = new VmService({ home });
    await service.createVm(tinyVm(guest, 'flood'));
    await service.createVm(tinyVm(guest, 'spare'));
    await service.startVm('flood');
    expect(await service.waitForConsole('flood', guest.readyMarker, 90_000)).toBe(true);
  });

  afterAll(async () => {
    await service?.powerOffAll();
    spawnSync('umount', [home]);
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('a guest printing a flood onto a full disk keeps running, answering, and its service and guest host live', async () => {
    // Leave 64 KiB and let the guest print 300 kB (the serial console carries ~30 kB/s under TCG): the console log fills the disk.
    const { bavail, bsize } = fs.statfsSync(home);
    fs.writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - 64 * 1024), 0x2e));
    expect(await runInGuest(service, 'flood', 'yes filler-line | head -c 300000; echo; echo flood-$((2*50))', 60_000)).toContain('flood-100');
    expect(fs.statfsSync(home).bavail).toBe(0);
    const vm = await service.getVm('flood');
    expect(vm.state).toBe('running');
    expect(processAlive(vm.runtime!.guestHostPid)).toBe(true);
    expect(processAlive(vm.runtime!.enginePid!)).toBe(true);
    expect(await runInGuest(service, 'flood', 'echo alive-$((6*7))')).toContain('alive-42');
    // Said once, as a note of the VM (guesthouse show, the GUI's details).
    expect(vm.engineNotes.filter((n) => n.message === note)).toHaveLength(1);
    expect((await service.getVm('flood')).engineNotes.map((n) => n.message)).toContain(note);
  });

  it('a config write on the full disk says so and leaves the config as it was, with no temp file', async () => {
    fillUp(path.join(home, 'filler-2'));
    const dir = path.join(home, 'machines', 'spare');
    const before = fs.readFileSync(path.join(dir, 'vm.json'), 'utf8');
    await expect(service.modifyVm('spare', { memoryMib: 96 })).rejects.toThrow(m('library.diskFull', { name: 'spare' }).message);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(fs.readFileSync(path.join(dir, 'vm.json'), 'utf8')).toBe(before);
  });

  it('once space is freed, the console log resumes and the note goes', async () => {
    fs.rmSync(filler);
    fs.rmSync(path.join(home, 'filler-2'));
    // The log tries again on output at most every few seconds (LOG_RETRY_MS): keep the guest
    // talking until it has. The interval only paces the ticks; the wait is on the note going.
    let n = 0;
    await expect
      .poll(
        async () => {
          await runInGuest(service, 'flood', `echo tick-${n++}`);
          return (await service.getVm('flood')).engineNotes.map((e) => e.message);
        },
        { timeout: 30_000, interval: 500, message: 'the note of the paused log gone' },
      )
      .not.toContain(note);
    expect(await runInGuest(service, 'flood', 'echo back-$((7*8))')).toContain('back-56');
    expect(fs.readFileSync(consoleLog(), 'latin1')).toContain('back-56');
    expect((await service.getVm('flood')).state).toBe('running');
  });
});
