// Two guests at once; killing one guest's processes must leave the other running.
import { beforeAll, describe, expect, it } from 'vitest';
import { processAlive } from '../../core/node/library/library';
import type { VmService } from '../../core/node/service/vmService';
import { tinyVm } from '../support/guest';
import { realGuestsMissing, skipBecause } from '../support/require';
import { guestService, runInGuest } from '../support/service';

const missing = realGuestsMissing();

/** Resolves once the VM reaches `state`, by the service's own events. */
function stateReached(service: VmService, name: string, state: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const sub = service.onDidChangeState((e) => {
      if (e.name === name && e.state === state) {
        sub.dispose();
        resolve(e.reason?.message);
      }
    });
  });
}

/** Resolves once a process is gone (the kernel delivers the parent-death signal at once); fails after 10 s. */
async function gone(pid: number, what: string): Promise<void> {
  await expect.poll(() => processAlive(pid), { timeout: 10_000, interval: 20, message: `${what} gone` }).toBe(false);
}

describe('one guest failing takes down only itself', () => {
  if (skipBecause(missing)) return;
  const t = guestService();

  beforeAll(async () => {
    for (const name of ['alpha', 'beta']) {
      await t.service.createVm(tinyVm(t.guest, name));
    }
    await Promise.all(['alpha', 'beta'].map((n) => t.service.startVm(n)));
    for (const n of ['alpha', 'beta']) expect(await t.service.waitForConsole(n, t.guest.readyMarker, 90_000)).toBe(true);
  });

  it('runs two guests at once, each in its own guest host and QEMU', async () => {
    const [a, b] = await Promise.all([t.service.getVm('alpha'), t.service.getVm('beta')]);
    expect(a.runtime!.guestHostPid).not.toBe(b.runtime!.guestHostPid);
    expect(a.runtime!.enginePid).not.toBe(b.runtime!.enginePid);
    expect(await runInGuest(t.service, 'alpha', 'echo from-$((100+1))')).toContain('from-101');
    expect(await runInGuest(t.service, 'beta', 'echo from-$((200+2))')).toContain('from-202');
  });

  it('kill -9 of a guest host: that VM is crashed with the reason, its QEMU goes too, the other answers', async () => {
    const a = await t.service.getVm('alpha');
    const crashed = stateReached(t.service, 'alpha', 'crashed');
    process.kill(a.runtime!.guestHostPid, 'SIGKILL');
    expect(await crashed).toBe('The guest host process was killed by SIGKILL.');
    const vm = await t.service.getVm('alpha');
    expect(vm.state).toBe('crashed');
    expect(vm.stateReason?.message).toBe('The guest host process was killed by SIGKILL.');
    await gone(a.runtime!.enginePid!, "alpha's QEMU"); // no orphaned QEMU
    expect((await t.service.getVm('beta')).state).toBe('running');
    expect(await runInGuest(t.service, 'beta', 'echo still-$((3*3))')).toContain('still-9');
  });

  it('a crashed VM starts again', async () => {
    await t.service.startVm('alpha');
    expect(await t.service.waitForConsole('alpha', t.guest.readyMarker, 90_000)).toBe(true);
    expect(await runInGuest(t.service, 'alpha', 'echo back-$((4*4))')).toContain('back-16');
  });

  it('kill -9 of a QEMU: that VM is crashed with the reason, the other answers', async () => {
    const b = await t.service.getVm('beta');
    const crashed = stateReached(t.service, 'beta', 'crashed');
    process.kill(b.runtime!.enginePid!, 'SIGKILL');
    expect(await crashed).toBe('QEMU was killed by SIGKILL.');
    expect((await t.service.getVm('beta')).stateReason?.message).toBe('QEMU was killed by SIGKILL.');
    await gone(b.runtime!.guestHostPid, "beta's guest host");
    expect((await t.service.getVm('alpha')).state).toBe('running');
    expect(await runInGuest(t.service, 'alpha', 'echo alive-$((5*5))')).toContain('alive-25');
    const listed = await t.service.listVms();
    expect(listed.map((v) => [v.name, v.state])).toEqual([
      ['alpha', 'running'],
      ['beta', 'crashed'],
    ]);
  });
});
