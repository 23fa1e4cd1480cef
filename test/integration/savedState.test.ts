// "Save the machine state" under QEMU: the running guest goes to a file in its folder and
// a later start continues it exactly where it was (the same shell session).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stateFile } from '../../core/node/shared/vmFolder';
import { tinyVm } from '../support/guest';
import { realGuestsMissing, skipBecause } from '../support/require';
import { guestService, runInGuest } from '../support/service';

const missing = realGuestsMissing();

describe('saved machine state under QEMU', () => {
  if (skipBecause(missing)) return;
  const t = guestService();

  const boot = async (name: string) => {
    const { service, guest } = t;
    await service.createVm(tinyVm(guest, name));
    await service.startVm(name);
    expect(await service.waitForConsole(name, guest.readyMarker, 60_000)).toBe(true);
  };

  it('saves a running guest; a start continues it in the same shell session', async () => {
    const { service } = t;
    await boot('keep');
    await runInGuest(service, 'keep', 'SECRET=kept-$((20+3))');
    const first = (await service.getVm('keep')).runtime!.enginePid;
    await service.saveVm('keep');
    const saved = await service.getVm('keep');
    expect(saved).toMatchObject({ state: 'saved', stateReason: { message: 'The machine state was saved.' } });
    expect(fs.statSync(stateFile(saved.folder, 'qemu')).size).toBeGreaterThan(100_000);
    await expect(service.modifyVm('keep', { memoryMib: 256 })).rejects.toThrow(
      'Cannot change the settings of "keep" because it is saved. Start it, or discard its saved state, first.',
    );
    await service.startVm('keep');
    const restored = await service.getVm('keep');
    expect(restored.state).toBe('running');
    expect(restored.runtime!.enginePid).not.toBe(first); // a new QEMU, with the old machine in it
    expect(await runInGuest(service, 'keep', 'echo "[$SECRET]"')).toContain('[kept-23]');
    expect(fs.existsSync(stateFile(saved.folder, 'qemu'))).toBe(false); // spent, as in VirtualBox
    await service.powerOffVm('keep');
  });

  it('saves a paused guest too, and discarding the state boots afresh', async () => {
    const { service, guest } = t;
    await boot('fresh');
    await runInGuest(service, 'fresh', 'SECRET=was-here');
    await service.pauseVm('fresh');
    await service.saveVm('fresh');
    expect((await service.getVm('fresh')).state).toBe('saved');
    await service.discardSavedState('fresh');
    expect((await service.getVm('fresh')).state).toBe('stopped');
    await service.startVm('fresh');
    expect(await service.waitForConsole('fresh', guest.readyMarker, 60_000)).toBe(true);
    expect(await runInGuest(service, 'fresh', 'echo "[$SECRET]"')).toContain('[]');
    await service.powerOffVm('fresh');
  });

  it('a state QEMU cannot load fails the start with a sentence and stays for discarding', async () => {
    const { service, guest } = t;
    const vm = await service.createVm(tinyVm(guest, 'broken'));
    fs.mkdirSync(`${vm.folder}/state`, { recursive: true });
    fs.writeFileSync(stateFile(vm.folder, 'qemu'), Buffer.alloc(4096, 0x5a));
    await expect(service.startVm('broken')).rejects.toThrow(/^QEMU could not start the VM: .+/);
    expect((await service.getVm('broken')).state).toBe('saved');
    await service.discardSavedState('broken');
    await service.startVm('broken');
    expect(await service.waitForConsole('broken', guest.readyMarker, 60_000)).toBe(true);
    await service.powerOffVm('broken');
  });

  it('a state saved by the other engine is not handed to QEMU', async () => {
    const { service, guest } = t;
    const vm = await service.createVm(tinyVm(guest, 'mixed'));
    fs.mkdirSync(`${vm.folder}/state`, { recursive: true });
    fs.writeFileSync(stateFile(vm.folder, 'v86'), 'not a real state');
    expect((await service.getVm('mixed')).state).toBe('saved');
    await expect(service.startVm('mixed')).rejects.toThrow(
      '"mixed" has a machine state saved by v86, which qemu cannot restore; set its engine to v86, or discard the saved state.',
    );
    expect((await service.getVm('mixed')).state).toBe('saved');
  });
});
