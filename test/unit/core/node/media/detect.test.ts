// OS detection from installer media: ISOs built with xorriso in each family's layout (file
// names, volume ids and boot entries as the vendors ship them, no OS inside), real ISOs from
// Debian packages (ipxe, grub-rescue-pc), and files that are not ISOs or are cut short.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectMedia } from '../../../../../core/node/media/detect';
import { makeIso } from '../../../../support/isos';
import { tempHome } from '../../../../support/service';

let dir: string;
beforeAll(() => {
  dir = tempHome('media');
});

const efi = { 'EFI/BOOT/BOOTX64.EFI': 'MZ', 'boot/grub/efi.img': 'fat' };

describe('detectMedia on layouts of the vendors', () => {
  it('Debian netinst: .disk/info, isolinux and an EFI image boot BIOS and UEFI', async () => {
    const iso = makeIso(dir, 'debian', {
      volumeId: 'Debian 12.8.0 amd64 n',
      files: {
        '.disk/info': 'Debian GNU/Linux 12.8.0 "Bookworm" - Official amd64 NETINST with firmware 20241109-11:04',
        'isolinux/isolinux.bin': 'x'.repeat(2048),
        ...efi,
      },
      bios: 'isolinux/isolinux.bin',
      uefi: 'boot/grub/efi.img',
    });
    const info = await detectMedia(iso);
    expect(info).toMatchObject({ family: 'debian', known: true, version: '12.8', arch: 'x86_64', edition: 'netinst', osType: 'linux-x64', firmware: 'bios' });
    expect(info.boots).toEqual({ bios: true, uefi: true });
    expect(info.volumeId).toBe('Debian 12.8.0 amd64 n');
    expect(info.description.message).toBe('Debian 12.8 amd64 netinst, boots BIOS and UEFI');
    expect(info.preset.memoryMib).toBe(1024);
  });

  it('Debian i386: the 32-bit Linux preset', async () => {
    const iso = makeIso(dir, 'debian386', {
      volumeId: 'Debian 12.8.0 i386 n',
      files: { '.disk/info': 'Debian GNU/Linux 12.8.0 "Bookworm" - Official i386 NETINST with firmware 20241109-11:04', 'isolinux/isolinux.bin': 'x' },
      bios: 'isolinux/isolinux.bin',
    });
    const info = await detectMedia(iso);
    expect(info).toMatchObject({ family: 'debian', arch: 'i386', osType: 'linux-x86' });
    expect(info.description.message).toBe('Debian 12.8 i386 netinst, boots BIOS');
  });

  it('Ubuntu Server: .disk/info and casper', async () => {
    const iso = makeIso(dir, 'ubuntu', {
      volumeId: 'Ubuntu-Server 24.04.1 LTS amd64',
      files: {
        '.disk/info': 'Ubuntu-Server 24.04.1 LTS "Noble Numbat" - Release amd64 (20240827.1)',
        'casper/vmlinuz': 'k',
        'boot/grub/i386-pc/eltorito.img': 'b',
        ...efi,
      },
      bios: 'boot/grub/i386-pc/eltorito.img',
      uefi: 'boot/grub/efi.img',
    });
    const info = await detectMedia(iso);
    expect(info).toMatchObject({ family: 'ubuntu', name: 'Ubuntu Server', version: '24.04.1', arch: 'x86_64', osType: 'linux-x64' });
    expect(info.description.message).toBe('Ubuntu Server 24.04.1 amd64, boots BIOS and UEFI');
  });

  it('Fedora: .treeinfo names the release and architecture', async () => {
    const treeinfo =
      '[header]\ntype = productmd.treeinfo\n\n[release]\nname = Fedora\nshort = Fedora\nversion = 41\n\n[tree]\narch = x86_64\nplatforms = x86_64\n\n[general]\nfamily = Fedora\nversion = 41\narch = x86_64\nvariant = Server\n';
    const iso = makeIso(dir, 'fedora', {
      volumeId: 'Fedora-S-dvd-x86_64-41',
      files: { '.treeinfo': treeinfo, 'images/eltorito.img': 'b', ...efi },
      bios: 'images/eltorito.img',
      uefi: 'boot/grub/efi.img',
    });
    const info = await detectMedia(iso);
    expect(info).toMatchObject({ family: 'fedora', name: 'Fedora', version: '41', arch: 'x86_64', edition: 'server', osType: 'linux-x64' });
    expect(info.description.message).toBe('Fedora 41 x86_64 server, boots BIOS and UEFI');
  });

  it('Alpine: .alpine-release', async () => {
    const iso = makeIso(dir, 'alpine', {
      volumeId: 'alpine-virt 3.20.3 x86_64',
      files: { '.alpine-release': 'alpine-virt-3.20.3 x86_64\n', 'boot/syslinux/isolinux.bin': 'b' },
      bios: 'boot/syslinux/isolinux.bin',
    });
    const info = await detectMedia(iso);
    expect(info).toMatchObject({ family: 'alpine', version: '3.20.3', arch: 'x86_64', edition: 'virt', osType: 'linux-x64' });
  });

  it('Windows: sources/install.wim, UEFI only, takes the Windows preset and UEFI firmware', async () => {
    const iso = makeIso(dir, 'windows', {
      volumeId: 'CCCOMA_X64FRE_EN-US_DV9',
      files: { 'sources/install.wim': 'wim', 'sources/boot.wim': 'wim', 'efi/microsoft/boot/efisys.bin': 'fat', 'EFI/BOOT/BOOTX64.EFI': 'MZ' },
      uefi: 'efi/microsoft/boot/efisys.bin',
    });
    const info = await detectMedia(iso);
    expect(info).toMatchObject({ family: 'windows', arch: 'x86_64', osType: 'windows-x64', firmware: 'uefi' });
    expect(info.boots).toEqual({ bios: false, uefi: true });
    expect(info.preset).toMatchObject({ memoryMib: 4096, diskBus: 'sata', nicModel: 'e1000' });
    expect(info.description.message).toBe('Windows x86_64, boots UEFI only');
  });

  it('an unknown medium gets the Other preset and says so', async () => {
    const iso = makeIso(dir, 'unknown', { volumeId: 'MY_DATA', files: { 'readme.txt': 'hello' }, publisher: 'Someone', application: 'A tool' });
    const info = await detectMedia(iso);
    expect(info).toMatchObject({ family: 'other', known: false, osType: 'other-x64', publisherId: 'SOMEONE', applicationId: 'A TOOL' }); // d-characters: xorriso writes them upper case
    expect(info.description.message).toBe('MY_DATA, not bootable (no El Torito boot entry); Guesthouse does not know this OS, so it takes the Other preset.');
    expect(info.description.key).toBe('media.unknown');
  });
});

describe('detectMedia on real ISOs from Debian packages', () => {
  it.each([
    ['/usr/lib/ipxe/ipxe.iso', 'ipxe'],
    ['/usr/lib/grub-rescue/grub-rescue-cdrom.iso', 'grub-rescue-pc'],
  ])('%s (package %s) boots BIOS, and is not an OS it knows', async (file) => {
    const info = await detectMedia(file);
    expect(info.boots.bios).toBe(true);
    expect(info.known).toBe(false);
    expect(info.osType).toBe('other-x64');
  });
});

describe('detectMedia on files that are no ISO', () => {
  it('a text file gets one sentence', async () => {
    const file = path.join(dir, 'notes.txt');
    fs.writeFileSync(file, 'hello\n'.repeat(10_000));
    await expect(detectMedia(file)).rejects.toThrow(`${file} is not an ISO image (it has no ISO 9660 volume descriptor at 32 KiB).`);
  });

  it('an empty file and a missing one', async () => {
    const file = path.join(dir, 'empty.iso');
    fs.writeFileSync(file, '');
    await expect(detectMedia(file)).rejects.toThrow('is not an ISO image');
    await expect(detectMedia(path.join(dir, 'nope.iso'))).rejects.toThrow(`The ISO file ${path.join(dir, 'nope.iso')} does not exist.`);
    await expect(detectMedia(dir)).rejects.toThrow('is not a file');
  });

  it('an ISO cut short (an unfinished download) says so', async () => {
    const iso = makeIso(dir, 'whole', {
      volumeId: 'Debian 12.8.0 amd64 n',
      files: { '.disk/info': 'Debian GNU/Linux 12.8.0', 'big.bin': 'x'.repeat(1 << 20) },
    });
    for (const keep of [0x8000 + 1000, 0x8000 + 2048 * 3, 512 * 1024]) {
      const cut = path.join(dir, `cut-${keep}.iso`);
      fs.writeFileSync(cut, fs.readFileSync(iso).subarray(0, keep));
      await expect(detectMedia(cut)).rejects.toThrow(`${cut} is cut short`);
    }
  });
});
