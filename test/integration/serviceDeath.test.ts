// The headless service dies (kill -9): its guests run on, and the next service takes them over.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyGuest, tinyVmArgs, type TestGuest } from '../support/guest';
import { realGuestsMissing, skipBecause } from '../support/require';
import { tempHome } from '../support/service';
import { CLI, cli } from '../support/cli';
import { runtimeDir } from '../../core/node/shared/paths';
import { processAlive } from '../../core/node/shared/processAlive';

const missing = realGuestsMissing();

/** QEMU processes of this library (their sockets are in its runtime folder). */
function qemusOf(home: string): number[] {
  const r = spawnSync('pgrep', ['-f', `qemu-system.*${runtimeDir(home)}/`], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

describe('the service dies, its guests do not', () => {
  if (skipBecause(missing)) return;
  let guest: TestGuest;
  let home: string;
  let boot: string[];
  const servicePid = () => Number(fs.readFileSync(path.join(runtimeDir(home), 'service.pid'), 'utf8'));

  beforeAll(async () => {
    guest = await tinyGuest('amd64');
    home = tempHome();
    boot = tinyVmArgs(guest);
  });
  afterAll(() => {
    if (home) cli(home, ['service', 'stop']);
  });

  it('kill -9 of the service leaves both guests running; the next service takes them over', async () => {
    for (const name of ['one', 'two']) {
      expect(cli(home, ['create', name, ...boot]).code).toBe(0);
      expect(cli(home, ['start', name]).code).toBe(0);
    }
    for (const name of ['one', 'two']) {
      expect(cli(home, ['wait', name, '--for', guest.readyMarker, '--timeout-s', '90']).code).toBe(0);
      expect(cli(home, ['send', name, `echo before-${name}-$((6*7))\\n`]).code).toBe(0);
      expect(cli(home, ['wait', name, '--for', `before-${name}-42`, '--timeout-s', '30']).code).toBe(0);
    }
    const before = JSON.parse(cli(home, ['list', '--json']).stdout) as { name: string }[];
    const hostPids = ['one', 'two'].map((n) => JSON.parse(cli(home, ['show', n, '--json']).stdout).runtime.guestHostPid as number);
    expect(before).toHaveLength(2);
    const old = servicePid();
    process.kill(old, 'SIGKILL');
    await expect.poll(() => processAlive(old), { timeout: 5000, message: 'the old service gone' }).toBe(false);
    // The guests and their guest hosts live on without a service: each guest host has seen it go
    // (its log says so) and is still there, and so is its QEMU.
    for (const name of ['one', 'two']) {
      await expect
        .poll(() => fs.readFileSync(path.join(home, 'machines', name, 'logs', 'guesthost.log'), 'utf8'), {
          timeout: 10_000,
          message: `the guest host of "${name}" seeing the service go`,
        })
        .toContain('the service is gone; the guest runs on');
    }
    for (const pid of hostPids) expect(processAlive(pid)).toBe(true);
    expect(qemusOf(home)).toHaveLength(2);

    // The next CLI call starts a service that finds them.
    const listed = JSON.parse(cli(home, ['list', '--json']).stdout) as { name: string; state: string }[];
    expect(listed).toMatchObject([
      { name: 'one', state: 'running' },
      { name: 'two', state: 'running' },
    ]);
    expect(servicePid()).not.toBe(old);
    const shown = JSON.parse(cli(home, ['show', 'one', '--json']).stdout);
    expect(shown.runtime.guestHostPid).toBe(hostPids[0]);
    expect(shown.runtime.enginePid).toBeGreaterThan(0);
    // The lock is the guest host's: no other Guesthouse may run or change the VM meanwhile.
    expect(fs.readFileSync(path.join(home, 'machines', 'one', '.guesthouse.lock'), 'utf8')).toBe(String(hostPids[0]));

    for (const name of ['one', 'two']) {
      expect(cli(home, ['send', name, `echo after-${name}-$((8*8))\\n`]).code).toBe(0);
      expect(cli(home, ['wait', name, '--for', `after-${name}-64`, '--timeout-s', '30']).code).toBe(0);
    }
    // The console's backlog from before the kill is there, and input and output go on.
    const child = spawn(process.execPath, [CLI, 'console', 'two'], { env: { ...process.env, GUESTHOUSE_HOME: home } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
    await expect.poll(() => out, { timeout: 10_000 }).toContain('before-two-42');
    child.stdin.write('echo typed-$((9*9))\n');
    await expect.poll(() => out, { timeout: 10_000 }).toContain('typed-81');
    child.stdin.write(Buffer.from([0x1d]));
    expect(await new Promise<number | null>((r) => child.once('exit', r))).toBe(0);

    for (const name of ['one', 'two']) expect(cli(home, ['stop', name, '--force']).code).toBe(0);
    expect(JSON.parse(cli(home, ['list', '--json']).stdout)).toMatchObject([
      { name: 'one', state: 'stopped' },
      { name: 'two', state: 'stopped' },
    ]);
    await expect.poll(() => [qemusOf(home), hostPids.filter(processAlive)], { timeout: 10_000, interval: 100 }).toEqual([[], []]);
    expect(fs.existsSync(path.join(home, 'machines', 'one', '.guesthouse.lock'))).toBe(false);
    expect(fs.readdirSync(runtimeDir(home)).filter((n) => n.endsWith('.gh'))).toEqual([]);
  }, 240_000);

  it('service stop still powers its guests off', async () => {
    expect(cli(home, ['start', 'one']).code).toBe(0);
    const pid = JSON.parse(cli(home, ['show', 'one', '--json']).stdout).runtime.guestHostPid as number;
    expect(cli(home, ['service', 'stop']).code).toBe(0);
    await expect.poll(() => [qemusOf(home), processAlive(pid)], { timeout: 15_000, interval: 100 }).toEqual([[], false]);
    expect(JSON.parse(cli(home, ['list', '--json']).stdout)).toMatchObject([
      { name: 'one', state: 'stopped' },
      { name: 'two', state: 'stopped' },
    ]);
  }, 120_000);
});
