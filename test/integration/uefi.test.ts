// The tiny guest booted by UEFI firmware (OVMF from Debian's ovmf package) under real QEMU.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findUefiFirmware } from '../../core/node/library/uefiVars';
import { tinyVm } from '../support/guest';
import { missingComponent, realGuestsMissing, skipBecause } from '../support/require';
import { guestService, runInGuest } from '../support/service';

const firmware = findUefiFirmware();
const missing = realGuestsMissing() ?? missingComponent('UEFI firmware (OVMF)', firmware !== null, 'apt-get install ovmf');

describe('UEFI firmware', () => {
  if (skipBecause(missing)) return;
  const t = guestService();

  it('refuses too little memory for OVMF with its sentence, and makes nothing', async () => {
    const { service, guest } = t;
    await expect(service.createVm({ ...tinyVm(guest, 'small'), firmware: 'uefi' })).rejects.toThrow('UEFI firmware needs at least 256 MiB of memory.');
    expect(await service.listVms()).toEqual([]);
  });

  it('boots the guest through OVMF, which keeps its variables in the VM folder', async () => {
    const { service, guest } = t;
    // OVMF loads the kernel through QEMU's fw_cfg and runs its EFI stub: that takes the bzImage.
    const vm = await service.createVm({ ...tinyVm(guest, 'efi'), kernelPath: guest.bzImage, memoryMib: 256, firmware: 'uefi' });
    expect(vm.config.firmware).toBe('uefi');
    await service.startVm('efi');
    expect(await service.waitForConsole('efi', guest.readyMarker, 90_000)).toBe(true);
    // Linux shows /sys/firmware/efi only when UEFI firmware started it.
    expect(await runInGuest(service, 'efi', 'test -d /sys/firmware/efi && echo booted-by-$((1+1))-efi')).toContain('booted-by-2-efi');
    // Its own variable store, as qcow2 (so snapshots hold it), the size of the template.
    const vars = path.join(vm.folder, 'uefi-vars.qcow2');
    const info = JSON.parse(execFileSync('qemu-img', ['info', '-U', '--output=json', vars], { encoding: 'utf8' })) as {
      format: string;
      'virtual-size': number;
    };
    expect(info).toMatchObject({ format: 'qcow2', 'virtual-size': fs.statSync(firmware!.vars).size });
    await service.powerOffVm('efi');
    await service.deleteVm('efi');
    expect(fs.existsSync(vm.folder)).toBe(false); // the variable store is the VM's own, and goes with it
  });

  it('a BIOS guest does not see EFI', async () => {
    const { service, guest } = t;
    await service.createVm(tinyVm(guest, 'bios'));
    await service.startVm('bios');
    expect(await service.waitForConsole('bios', guest.readyMarker, 60_000)).toBe(true);
    expect(await runInGuest(service, 'bios', 'test -d /sys/firmware/efi || echo no-efi-$((2+2))')).toContain('no-efi-4');
    await service.powerOffVm('bios');
  });
});
