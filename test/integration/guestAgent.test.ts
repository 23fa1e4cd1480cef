// The guest agent on a real QEMU with the tiny guest, which carries Debian's qemu-guest-agent
// (test/guests/build.mjs): the facts it gives (OS, addresses per card, matched against the
// guest's own `ip addr` read on its console), commands with their output and exit code, a
// 64 MiB file copied in and out unchanged, a client killed mid-request that leaves the next one
// right (resync), the clock after a restore, shutdown through the agent or the ACPI button,
// and bad input said in one sentence with nothing left half-written on the host. Then the CLI.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../core/common/api';
import { GuesthouseError } from '../../core/common/errors';
import { cli } from '../support/cli';
import { tinyVm, tinyVmArgs } from '../support/guest';
import { realGuestsMissing, skipBecause } from '../support/require';
import { guestService, runInGuest, tempHome } from '../support/service';

const missing = realGuestsMissing();

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** The sentence a call fails with (its catalog key and English text). */
async function refusal(call: Promise<unknown>): Promise<{ key: string | undefined; message: string }> {
  try {
    await call;
  } catch (err) {
    expect(err).toBeInstanceOf(GuesthouseError);
    return { key: (err as GuesthouseError).key, message: (err as Error).message };
  }
  throw new Error('the call was expected to fail');
}

describe('guest agent (QEMU, qemu-guest-agent in the tiny guest)', () => {
  if (skipBecause(missing)) return;
  const t = guestService();
  const vm = 'agent';

  /** Creates and starts a VM with a NAT card and room for a 64 MiB file in its RAM disk, waiting for the agent. */
  async function boot(name: string, append = t.guest.append): Promise<void> {
    await t.service.createVm({ ...tinyVm(t.guest, name, append), memoryMib: 384, network: 'nat', nicModel: 'virtio' });
    await t.service.startVm(name);
    if (!append.includes('guesthouse.noagent')) expect(await t.service.waitForConsole(name, t.guest.agentReadyMarker!, 90_000)).toBe(true);
    expect(await t.service.waitForConsole(name, t.guest.netReadyMarker, 90_000)).toBe(true);
  }

  it('gives the OS and each card with the addresses the guest itself shows (ip addr), in the details and the list', async () => {
    await boot(vm);
    const info = await t.service.guestInfo(vm);
    expect(info.agent).toBe(true);
    expect(info.os?.name).toBe('Guesthouse tiny guest');
    const mac = (await t.service.getVm(vm)).config.nics[0]!.mac;
    const eth0 = info.nics.find((n) => n.name === 'eth0')!;
    expect(eth0.mac).toBe(mac);
    expect(eth0.card).toBe('net0');
    // What the guest says of its own addresses, on its console.
    const shown = await runInGuest(t.service, vm, 'ip -o -4 addr show dev eth0');
    const guestV4 = [...shown.matchAll(/inet (\S+)/g)].map((x) => x[1]);
    expect(guestV4.length).toBeGreaterThan(0);
    expect(eth0.addresses.filter((a) => !a.includes(':'))).toEqual(guestV4);
    // The details and the list carry what the agent said last (published by the guest host).
    const details = await t.service.getVm(vm);
    expect(details.guest?.agent).toBe(true);
    expect(details.guest?.nics.find((n) => n.name === 'eth0')?.addresses).toEqual(expect.arrayContaining(guestV4));
    expect((await t.service.listVms()).find((v) => v.name === vm)?.guest?.os?.name).toBe('Guesthouse tiny guest');
  }, 180_000);

  it('runs commands: output, exit code (zero and not), and one sentence for a command the guest does not have', async () => {
    const ok = await t.service.execInGuest(vm, ['sh', '-c', 'echo out; echo err >&2']);
    expect([ok.exitCode, Buffer.from(ok.stdout).toString(), Buffer.from(ok.stderr).toString()]).toEqual([0, 'out\n', 'err\n']);
    const failed = await t.service.execInGuest(vm, ['sh', '-c', 'exit 3']);
    expect(failed.exitCode).toBe(3);
    const none = await refusal(t.service.execInGuest(vm, ['/no/such/program']));
    expect(none.key).toBe('agent.execFailed');
    expect(none.message).toMatch(/^The guest could not run \/no\/such\/program \(.*No such file or directory.*\)\.$/);
  }, 60_000);

  it('copies a 64 MiB file into the guest and back unchanged, with progress', async () => {
    const dir = fs.mkdtempSync(path.join(t.home, 'copy-'));
    const src = path.join(dir, 'big.bin');
    fs.writeFileSync(src, crypto.randomBytes(64 * 2 ** 20));
    const events: ProgressEvent[] = [];
    const sub = t.service.onDidProgress((e) => events.push(e));
    try {
      expect(await t.service.copyToGuest(vm, src, '/tmp/big.bin')).toEqual({ bytes: 64 * 2 ** 20 });
      const inGuest = await t.service.execInGuest(vm, ['sha256sum', '/tmp/big.bin']);
      expect(Buffer.from(inGuest.stdout).toString().split(' ')[0]).toBe(sha256(src));
      const back = path.join(dir, 'back.bin');
      expect(await t.service.copyFromGuest(vm, '/tmp/big.bin', back)).toEqual({ bytes: 64 * 2 ** 20 });
      expect(sha256(back)).toBe(sha256(src));
    } finally {
      sub.dispose();
    }
    for (const operation of ['copy-to-guest', 'copy-from-guest'] as const) {
      const mine = events.filter((e) => e.operation === operation);
      expect(mine.some((e) => !e.done && e.percent !== null && e.percent > 0 && e.percent < 100)).toBe(true);
      expect(mine.at(-1)).toMatchObject({ done: true, percent: 100 });
    }
    expect(fs.readdirSync(dir).sort()).toEqual(['back.bin', 'big.bin']);
  }, 300_000);

  it('a client killed in the middle of a request leaves the next request its own answers (resync)', async () => {
    const pid = (await t.service.getVm(vm)).runtime!.enginePid!;
    const chardev = fs
      .readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .find((a) => a.startsWith('socket,id=ga,'))!;
    const socketPath = /path=([^,]+)/.exec(chardev)![1]!;
    // Another client asks for things and is killed before it reads a byte: qemu-ga keeps the replies for whoever connects next.
    const script = `const s=require('net').connect(${JSON.stringify(socketPath)},()=>{s.write('{"execute":"guest-get-osinfo"}\\n{"execute":"guest-exec","arguments":{"path":"echo","arg":["stale"],"capture-output":true}}\\n',()=>console.log('sent'))});`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const fresh = await t.service.execInGuest(vm, ['echo', 'fresh']);
    expect([fresh.exitCode, Buffer.from(fresh.stdout).toString()]).toEqual([0, 'fresh\n']);
    expect((await t.service.guestInfo(vm)).os?.name).toBe('Guesthouse tiny guest');
  }, 60_000);

  it('bad input: a guest path that is not there, a host file that cannot be read, a host folder that is not there, a guest disk too small: one sentence each, nothing left', async () => {
    const dir = fs.mkdtempSync(path.join(t.home, 'bad-'));
    const missingGuest = await refusal(t.service.copyFromGuest(vm, '/no/such/file', path.join(dir, 'out.bin')));
    expect(missingGuest.key).toBe('agent.guestOpen');
    expect(missingGuest.message).toBe('The guest cannot open /no/such/file (No such file or directory).');
    const unreadable = await refusal(t.service.copyToGuest(vm, path.join(dir, 'absent.bin'), '/tmp/x'));
    expect(unreadable).toEqual({ key: 'agent.hostUnreadable', message: `The host file ${path.join(dir, 'absent.bin')} cannot be read (ENOENT).` });
    const noFolder = await refusal(t.service.copyFromGuest(vm, '/etc/os-release', path.join(dir, 'nope', 'x')));
    expect(noFolder.key).toBe('agent.hostUnwritable');
    // A guest file that fails midway (a folder cannot be read as a file): nothing on the host.
    const folder = await refusal(t.service.copyFromGuest(vm, '/etc', path.join(dir, 'etc.bin')));
    expect(folder.message).toMatch(/^The guest (could not read|cannot open) \/etc \(.*\)\.$/);
    expect(fs.readdirSync(dir)).toEqual([]);
    // A copy larger than the guest's free space (a 1 MiB tmpfs): the guest's refusal, in one sentence.
    expect((await t.service.execInGuest(vm, ['sh', '-c', 'mkdir -p /small && mount -t tmpfs -o size=1m none /small'])).exitCode).toBe(0);
    const big = path.join(t.home, 'three-mib.bin');
    fs.writeFileSync(big, crypto.randomBytes(3 * 2 ** 20));
    const full = await refusal(t.service.copyToGuest(vm, big, '/small/x'));
    expect(full.key).toBe('agent.guestWrite');
    expect(full.message).toMatch(/^The guest could not write \/small\/x \(.+\); is its disk full\?$/);
    const noCommand = await refusal(t.service.execInGuest(vm, []));
    expect(noCommand.message).toMatch(/Say which command to run in the guest/);
  }, 60_000);

  it("sets the guest's clock after a restore of a saved state and after a long pause", async () => {
    await t.service.saveVm(vm);
    // The guest's clock stood still while it was saved: 12 s behind the host without the agent.
    const savedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    expect(Date.now() - savedAt).toBeGreaterThanOrEqual(12_000);
    await t.service.startVm(vm);
    // The clock is set as soon as the restored guest runs; give the agent's answer a moment to land by asking it something after.
    await t.service.guestInfo(vm);
    const r = await t.service.execInGuest(vm, ['date', '+%s']);
    const guestS = Number(Buffer.from(r.stdout).toString().trim());
    expect(Math.abs(guestS - Date.now() / 1000)).toBeLessThan(2);
    expect((await t.service.getVm(vm)).guest?.clockNote).toBeUndefined();
    // A pause longer than 2 s: the clock is set again at resume.
    await t.service.pauseVm(vm);
    await new Promise((resolve) => setTimeout(resolve, 8000));
    await t.service.resumeVm(vm);
    await t.service.guestInfo(vm);
    const afterPause = Number(
      Buffer.from((await t.service.execInGuest(vm, ['date', '+%s'])).stdout)
        .toString()
        .trim(),
    );
    expect(Math.abs(afterPause - Date.now() / 1000)).toBeLessThan(2);
  }, 150_000);

  it('shuts down through the agent when it answers, and says so', async () => {
    await t.service.shutdownVm(vm);
    const after = await t.service.getVm(vm);
    expect(after.state).toBe('stopped');
    expect(after.stateReason?.key).toBe('exit.agentShutdown');
    expect(after.guest).toBeUndefined();
  }, 90_000);

  it('a guest whose agent does not run: the details say so, a command gets one sentence, shutdown uses the ACPI button', async () => {
    const quiet = 'agent-off';
    await boot(quiet, `${t.guest.append} guesthouse.noagent`);
    expect((await t.service.guestInfo(quiet)).agent).toBe(false);
    const noAgent = await refusal(t.service.execInGuest(quiet, ['true']));
    expect(noAgent.message).toBe(
      '"agent-off"\'s guest agent does not answer: install qemu-guest-agent in the guest (Windows: the guest agent from virtio-win) and start it.',
    );
    await t.service.shutdownVm(quiet);
    expect((await t.service.getVm(quiet)).stateReason?.key).toBe('exit.acpiShutdown');
  }, 180_000);
});

describe('guest agent from the CLI', () => {
  if (skipBecause(missing)) return;
  const t = guestService();

  it('exec exits with the command code and prints its output; copy shows progress; show and list --json tell the agent; bad input one sentence', async () => {
    const home = tempHome('gacli');
    const run = (args: string[]) => cli(home, args);
    try {
      expect(run(['create', 'c', ...tinyVmArgs(t.guest)]).code).toBe(0);
      expect(run(['start', 'c']).code).toBe(0);
      expect(run(['wait', 'c', '--for', t.guest.agentReadyMarker!, '--timeout-s', '90']).code).toBe(0);
      const ran = run(['exec', 'c', '--', 'sh', '-c', 'echo hello; echo oops >&2; exit 7']);
      expect([ran.code, ran.stdout, ran.stderr]).toEqual([7, 'hello\n', 'oops\n']);
      const dir = fs.mkdtempSync(path.join(home, 'files-'));
      const src = path.join(dir, 'in.txt');
      fs.writeFileSync(src, 'through the agent\n');
      const copied = run(['copy', 'c', src, ':/tmp/in.txt']);
      expect(copied.code).toBe(0);
      expect(copied.stderr).toMatch(/Copied .*in\.txt to \/tmp\/in\.txt/);
      expect(run(['copy', 'c', ':/tmp/in.txt', path.join(dir, 'out.txt')]).code).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8')).toBe('through the agent\n');
      const shown = run(['show', 'c']);
      expect(shown.stdout).toMatch(/Guest agent: {2}answers; Guesthouse tiny guest/);
      const listed = JSON.parse(run(['list', '--json']).stdout) as { name: string; guest?: { agent: boolean } }[];
      expect(listed.find((v) => v.name === 'c')?.guest?.agent).toBe(true);
      // Bad input: one sentence each, exit 2 for the command line, 1 for what the guest or host refused.
      const both = run(['copy', 'c', 'a', 'b']);
      expect([both.code, both.stderr.trim().split('\n').length]).toEqual([2, 1]);
      expect(both.stderr).toMatch(/^Say which side is in the guest with a colon/);
      const unreadable = run(['copy', 'c', path.join(dir, 'absent'), ':/tmp/x']);
      expect([unreadable.code, unreadable.stderr]).toEqual([1, `The host file ${path.join(dir, 'absent')} cannot be read (ENOENT).\n`]);
      const missingGuest = run(['copy', 'c', ':/no/such', path.join(dir, 'x')]);
      expect([missingGuest.code, missingGuest.stderr]).toEqual([1, 'The guest cannot open /no/such (No such file or directory).\n']);
      expect(fs.existsSync(path.join(dir, 'x'))).toBe(false);
      expect(run(['exec', 'c']).stderr).toMatch(/^Say which command to run in the guest/);
      expect(run(['exec', 'c', '--timeout-s', '0', '--', 'true']).stderr).toMatch(/^The timeout must be a whole number of seconds/);
      const stopped = run(['stop', 'c']);
      expect([stopped.code, stopped.stdout]).toEqual([0, expect.stringContaining('The guest shut down, asked through its guest agent.')]);
    } finally {
      run(['stop', 'c', '--force']);
      run(['service', 'stop']);
    }
  }, 240_000);
});
