// "Save the machine state" under QEMU: the running guest goes to a file in its folder and
// a later start continues it exactly where it was (the same shell session).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stateFile } from '../../core/node/shared/vmFolder';
import { buildQemuArgv } from '../../core/node/guestHost/qemu/argv';
import { RawQemu } from '../bench/rawQemu';
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

  it("a state saved before the guest agent's channel existed (no marker beside it) restores into a machine without it", async () => {
    const { service, guest } = t;
    await service.createVm(tinyVm(guest, 'older'));
    const vm = await service.getVm('older');
    // The machine as it was before the channel: the same argv with no agent socket, run by hand, saved to the VM's state file.
    const host = await service.getHostInfo();
    const binary = host.qemu.binaries.find((b) => b.arch === 'x86_64')!.path;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-old-'));
    const raw = new RawQemu();
    const [qmp, ser] = [path.join(dir, 'q'), path.join(dir, 's')];
    await raw.start(binary, buildQemuArgv(vm.config, vm.folder, { accelerator: 'tcg', qmpSocket: qmp, serialSocket: ser }), qmp, ser);
    try {
      await raw.waitFor(guest.readyMarker);
      raw.write('SECRET=from-$((1+1))-before; echo set-$((40+2))\n');
      await raw.waitFor('set-42');
      await raw.execute('stop');
      const file = stateFile(vm.folder, 'qemu');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      await raw.execute('migrate', { uri: `exec:cat > ${file}` });
      await expect.poll(async () => (await raw.execute<{ status?: string }>('query-migrate')).status, { timeout: 60_000 }).toBe('completed');
    } finally {
      await raw.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect((await service.getVm('older')).state).toBe('saved');
    await service.startVm('older');
    expect(await runInGuest(service, 'older', 'echo "[$SECRET]"')).toContain('[from-2-before]');
    await service.powerOffVm('older');
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
