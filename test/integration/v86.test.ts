// The embedded engine: the i386 tiny guest in v86, inside its own guest host process.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findV86Firmware } from '../../core/node/host/v86Firmware';
import { VmService } from '../../core/node/service/vmService';
import { stateFile } from '../../core/node/shared/vmFolder';
import { tinyGuest, tinyVm, type TestGuest } from '../support/guest';
import { i386PackagesAvailable } from '../support/components';
import { guestToolsPresent, missingComponent, qemuPresent, skipBecause } from '../support/require';
import { runInGuest, tempHome } from '../support/service';

const missing =
  missingComponent('SeaBIOS', findV86Firmware() !== null, 'apt-get install seabios') ??
  missingComponent("Debian's apt and xz (to build the test guests)", guestToolsPresent, 'the test guests are built from Debian packages') ??
  missingComponent("Debian's i386 packages", guestToolsPresent && i386PackagesAvailable(), 'dpkg --add-architecture i386 && apt-get update') ??
  missingComponent('QEMU', qemuPresent, 'apt-get install qemu-system-x86 qemu-utils');

describe('the v86 engine', () => {
  if (skipBecause(missing)) return;
  let guest: TestGuest;
  let service: VmService;
  let home: string;

  beforeAll(async () => {
    guest = await tinyGuest('i386');
    home = tempHome();
    service = new VmService({ home });
    await service.createVm({
      name: 'small',
      engine: 'v86',
      osType: 'other-x86',
      memoryMib: 128,
      kernelPath: guest.bzImage,
      initrdPath: guest.initrd,
      append: guest.append,
    });
    await service.startVm('small');
    expect(await service.waitForConsole('small', guest.readyMarker, 150_000)).toBe(true);
  }, 200_000);
  afterAll(async () => {
    await service?.powerOffAll();
  });

  it('boots in its own guest host and answers a command', async () => {
    const vm = await service.getVm('small');
    expect(vm.runtime).toMatchObject({ engine: 'v86' });
    expect(vm.runtime!.guestHostPid).not.toBe(process.pid);
    expect(vm.runtime!.enginePid).toBeUndefined(); // the guest host is the hypervisor
    expect(vm.engineNotes.map((n) => n.message)).toContain('v86: the machine state can be saved and restored.');
    expect(await runInGuest(service, 'small', 'echo v86-$((6*7))', 60_000)).toContain('v86-42');
  });

  it('pauses (no progress) and resumes', async () => {
    await service.pauseVm('small');
    expect((await service.getVm('small')).state).toBe('paused');
    await service.writeConsole('small', Buffer.from('echo held-$((1+2))\n'));
    expect(await service.waitForConsole('small', 'held-3', 2000)).toBe(false);
    await service.resumeVm('small');
    expect(await service.waitForConsole('small', 'held-3', 60_000)).toBe(true);
  });

  it('saves its state, powers off, and continues the same shell session when started', async () => {
    await runInGuest(service, 'small', 'SECRET=kept-$((40+2))', 60_000);
    await service.saveVm('small');
    const saved = await service.getVm('small');
    expect(saved.state).toBe('saved');
    expect(fs.statSync(stateFile(saved.folder, 'v86')).size).toBeGreaterThan(1_000_000);
    await expect(service.modifyVm('small', { memoryMib: 256 })).rejects.toThrow(
      'Cannot change the settings of "small" because it is saved. Start it, or discard its saved state, first.',
    );
    await service.startVm('small');
    expect(fs.existsSync(stateFile(saved.folder, 'v86'))).toBe(false);
    expect(await runInGuest(service, 'small', 'echo got-$SECRET', 60_000)).toContain('got-kept-42');
  });

  it('shuts down through the ACPI power button', async () => {
    await service.shutdownVm('small', { timeoutMs: 60_000 });
    expect(await service.getVm('small')).toMatchObject({ state: 'stopped', stateReason: { message: 'The guest powered off.' } });
  });

  it('kill -9 of its guest host marks only it crashed', async () => {
    const g64 = await tinyGuest('amd64');
    await service.createVm({ ...tinyVm(g64, 'neighbour'), engine: 'qemu' });
    await service.startVm('neighbour');
    await service.startVm('small');
    expect(await service.waitForConsole('neighbour', g64.readyMarker, 90_000)).toBe(true);
    const pid = (await service.getVm('small')).runtime!.guestHostPid;
    const crashed = new Promise<string | undefined>((resolve) => {
      const sub = service.onDidChangeState((e) => e.name === 'small' && e.state === 'crashed' && (sub.dispose(), resolve(e.reason?.message)));
    });
    process.kill(pid, 'SIGKILL');
    expect(await crashed).toBe('The guest host process was killed by SIGKILL.');
    expect((await service.getVm('neighbour')).state).toBe('running');
    expect(await runInGuest(service, 'neighbour', 'echo fine-$((9*9))')).toContain('fine-81');
  });

  it('refuses what v86 cannot do, with a sentence each', async () => {
    await expect(service.createVm({ name: 'big', engine: 'v86', osType: 'linux-x64', cpus: 2, memoryMib: 4096, network: 'none' })).rejects.toMatchObject({
      problems: [
        { message: 'The v86 engine runs 32-bit x86 guests only; choose the OS type linux-x86 or other-x86, or use QEMU.', field: 'osType' },
        { message: 'The v86 engine emulates one CPU; set the CPU count to 1.', field: 'cpus' },
        { message: 'The v86 engine supports at most 2048 MiB of memory.', field: 'memory' },
      ],
    });
    await expect(
      service.createVm({ name: 'tight', engine: 'v86', osType: 'other-x86', memoryMib: 64, kernelPath: guest.bzImage, initrdPath: guest.initrd }),
    ).rejects.toThrow(/^With an initrd the v86 engine needs at least \d+ MiB of memory \(it loads the initrd at 64 MiB\)\.$/);
    await expect(service.resetVm('small')).rejects.toThrow('Cannot reset "small" because it is crashed.');
    // Disks: a new qcow2 disk, or a QEMU VM's qcow2 disk when the engine turns to v86.
    await expect(service.createVm({ name: 'q', engine: 'v86', osType: 'other-x86', diskSizeBytes: 2 ** 24, diskFormat: 'qcow2' })).rejects.toThrow(
      'The v86 engine reads raw disk images only; convert q.qcow2 with "qemu-img convert -O raw", or use QEMU.',
    );
    await service.createVm({ name: 'was-qemu', engine: 'qemu', osType: 'other-x86', diskSizeBytes: 2 ** 24 });
    await expect(service.modifyVm('was-qemu', { engine: 'v86' })).rejects.toThrow(
      'The v86 engine reads raw disk images only; convert was-qemu.qcow2 with "qemu-img convert -O raw", or use QEMU.',
    );
    await service.deleteVm('was-qemu');
    expect((await service.listVms()).map((v) => v.name)).toEqual(['neighbour', 'small']);
  });
});
