// Boots the tiny Debian guest under real QEMU, each in its own guest host process
// (child_process.fork of the same entry Electron's utilityProcess runs).
import { beforeAll, describe, expect, it } from 'vitest';
import type { StateChangeEvent } from '../../core/common/api';
import { tinyVm } from '../support/guest';
import { realGuestsMissing, skipBecause } from '../support/require';
import { guestService, runInGuest } from '../support/service';

const missing = realGuestsMissing();

describe('a real guest through the service', () => {
  if (skipBecause(missing)) return;
  const t = guestService();
  const events: StateChangeEvent[] = [];

  beforeAll(async () => {
    t.service.onDidChangeState((e) => events.push(e));
  });

  const create = (name: string, append = t.guest.append) => t.service.createVm(tinyVm(t.guest, name, append));

  it('boots to the ready marker and answers a command', async () => {
    await create('tiny');
    await t.service.startVm('tiny');
    const vm = await t.service.getVm('tiny');
    expect(vm.state).toBe('running');
    expect(vm.runtime?.guestHostPid).toBeGreaterThan(0);
    expect(vm.runtime?.enginePid).toBeGreaterThan(0);
    expect(vm.runtime?.guestHostPid).not.toBe(process.pid);
    expect(await t.service.waitForConsole('tiny', t.guest.readyMarker, 60_000)).toBe(true);
    expect(await runInGuest(t.service, 'tiny', 'echo answer-$((6*7))')).toContain('answer-42');
    expect(events.filter((e) => e.name === 'tiny').map((e) => e.state)).toEqual(['starting', 'running']);
  });

  it('a late viewer sees the recent screen from the ring buffer', async () => {
    const attachment = await t.service.attachConsole('tiny', () => undefined);
    attachment.dispose();
    const text = Buffer.from(attachment.backlog).toString('latin1');
    expect(text).toContain(t.guest.readyMarker);
    expect(text).toContain('answer-42');
  });

  it('pause stops the guest clock; resume continues where it was', async () => {
    const uptime = async () => Number((await runInGuest(t.service, 'tiny', 'cut -d" " -f1 /proc/uptime')).split('\n').pop());
    // Host times around each reading: the guest read its clock somewhere in between.
    const beforeFrom = performance.now();
    const before = await uptime();
    const beforeUntil = performance.now();
    await t.service.pauseVm('tiny');
    const pausedFrom = performance.now();
    expect((await t.service.getVm('tiny')).state).toBe('paused');
    // While paused nothing runs: a typed command gets no answer. The pause lasts well beyond
    // what a reading takes, so a clock that ran on through it could not hide in the margin below.
    await t.service.writeConsole('tiny', Buffer.from('echo while-$((1+1))-paused\n'));
    expect(await t.service.waitForConsole('tiny', 'while-2-paused', 3000 + 2 * (beforeUntil - beforeFrom))).toBe(false);
    const pausedUntil = performance.now();
    await t.service.resumeVm('tiny');
    expect((await t.service.getVm('tiny')).state).toBe('running');
    expect(await t.service.waitForConsole('tiny', 'while-2-paused', 30_000)).toBe(true);
    const after = await uptime();
    const afterUntil = performance.now();
    expect(after).toBeGreaterThan(before);
    // The guest's clock advanced at most for as long as the guest could run between the two
    // readings (however slow the host was): the whole span less the pause, give or take 5%
    // for its clock's rate and 100 ms for /proc/uptime's rounding.
    const couldRunMs = afterUntil - beforeFrom - (pausedUntil - pausedFrom);
    expect((after - before) * 1000).toBeLessThan(couldRunMs * 1.05 + 100);
  });

  it('reset reboots the guest: the marker comes again', async () => {
    const attachment = await t.service.attachConsole('tiny', (data) => {
      seen += Buffer.from(data).toString('latin1');
    });
    let seen = '';
    await t.service.resetVm('tiny');
    const again = await new Promise<boolean>((resolve) => {
      const timer = setInterval(() => {
        if (seen.includes(t.guest.readyMarker)) {
          clearInterval(timer);
          resolve(true);
        }
      }, 50);
      setTimeout(() => (clearInterval(timer), resolve(false)), 60_000);
    });
    attachment.dispose();
    expect(again).toBe(true);
    expect(await runInGuest(t.service, 'tiny', 'echo after-reset-$((2+3))')).toContain('after-reset-5');
  });

  it('refuses actions that make no sense in the state', async () => {
    await expect(t.service.startVm('tiny')).rejects.toThrow('Cannot start "tiny" because it is running.');
    await expect(t.service.resumeVm('tiny')).rejects.toThrow('Cannot resume "tiny" because it is running.');
    await expect(t.service.deleteVm('tiny')).rejects.toThrow('Cannot delete "tiny" because it is running. Stop it first.');
    await expect(t.service.modifyVm('tiny', { memoryMib: 256 })).rejects.toThrow('Cannot change the settings of "tiny" because it is running. Stop it first.');
  });

  it('shutdown: the guest powers itself off (asked through its guest agent, which the tiny guest runs)', async () => {
    await t.service.shutdownVm('tiny', { timeoutMs: 60_000 });
    const vm = await t.service.getVm('tiny');
    expect(vm.state).toBe('stopped');
    expect(vm.stateReason?.message).toBe('The guest shut down, asked through its guest agent.');
    expect(vm.runtime).toBeUndefined();
    await expect(t.service.pauseVm('tiny')).rejects.toThrow('Cannot pause "tiny" because it is stopped.');
  });

  it('a guest that ignores the power button is powered off after the timeout', async () => {
    // No agent either: it would power the guest off without the button.
    await create('deaf', `${t.guest.append} guesthouse.noacpid guesthouse.noagent`);
    await t.service.startVm('deaf');
    expect(await t.service.waitForConsole('deaf', t.guest.readyMarker, 60_000)).toBe(true);
    expect(await t.service.waitForConsole('deaf', 'ignoring the ACPI power button', 1000)).toBe(true);
    await t.service.shutdownVm('deaf', { timeoutMs: 3000 });
    const vm = await t.service.getVm('deaf');
    expect(vm.state).toBe('stopped');
    expect(vm.stateReason?.message).toBe('The guest did not shut down within 3 s, so it was powered off.');
  });

  it('starts again after a stop, with a fresh console log', async () => {
    await t.service.startVm('tiny');
    expect(await t.service.waitForConsole('tiny', t.guest.readyMarker, 60_000)).toBe(true);
    expect(await t.service.waitForConsole('tiny', 'answer-42', 100)).toBe(false);
    await t.service.powerOffVm('tiny');
    expect((await t.service.getVm('tiny')).state).toBe('stopped');
    expect((await t.service.getVm('tiny')).stateReason?.message).toBe('Powered off.');
  });
});
