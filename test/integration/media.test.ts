// Installer media through the real CLI and service: `media detect`, `create --cdrom` without
// --os picking the preset from what the ISO holds, `os list`, and `os download` from a
// loopback server standing in for the vendor's mirror (GUESTHOUSE_MIRROR_ALPINE; the
// vendors cannot be reached here), with its progress lines; bad input gets one sentence.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { osCatalogue } from '../../core/common/osCatalogue';
import { CLI, cli as run, snapshot } from '../support/cli';
import { makeIso } from '../support/isos';
import { rangeServer, type RangeServer } from '../support/rangeServer';
import { tempHome } from '../support/service';

const OS_WHAT = 'Say "os list", "os download ID", "os cancel ID" or "os mirror OS URL|none".';
const alpine = osCatalogue().find((e) => e.id === 'alpine-3.22-x86_64-virt')!;
let home: string;
let server: RangeServer;
let debian: string;
let windows: string;
const cli = (args: string[]) => run(home, args, { env: { GUESTHOUSE_MIRROR_ALPINE: server.url } });
/** The CLI, awaited without blocking this process. */
function cliAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, GUESTHOUSE_HOME: home, GUESTHOUSE_MIRROR_ALPINE: server.url } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

beforeAll(async () => {
  home = tempHome('media-cli');
  server = await rangeServer({
    path: alpine.path,
    content: crypto.randomBytes(3 * 1024 * 1024),
    sumsPath: alpine.checksum.path,
    sumsName: alpine.checksum.name,
  });
  debian = makeIso(home, 'debian', {
    volumeId: 'Debian 12.8.0 amd64 n',
    files: {
      '.disk/info': 'Debian GNU/Linux 12.8.0 "Bookworm" - Official amd64 NETINST with firmware 20241109-11:04',
      'isolinux/isolinux.bin': 'x',
      'boot/grub/efi.img': 'f',
    },
    bios: 'isolinux/isolinux.bin',
    uefi: 'boot/grub/efi.img',
  });
  windows = makeIso(home, 'windows', {
    volumeId: 'CCCOMA_X64FRE_EN-US_DV9',
    files: { 'sources/install.wim': 'w', 'efi/microsoft/boot/efisys.bin': 'f' },
    uefi: 'efi/microsoft/boot/efisys.bin',
  });
});
afterAll(async () => {
  if (home) cli(['service', 'stop']);
  await server?.close();
});

describe('guesthouse media detect', () => {
  it('says what the ISO holds, as a line and as JSON', () => {
    const r = cli(['media', 'detect', debian]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.split('\n')[0]).toBe('Debian 12.8 amd64 netinst, boots BIOS and UEFI');
    expect(r.stdout).toContain('Preset:       linux-x64, firmware bios, 1 GiB, 1 CPU, disk 8 GiB');
    const json = JSON.parse(cli(['media', 'detect', debian, '--json']).stdout);
    expect(json).toMatchObject({ family: 'debian', version: '12.8', arch: 'x86_64', osType: 'linux-x64', boots: { bios: true, uefi: true } });
  });

  it.each([
    [['media', 'detect'], 2, 'Say "media NAME insert ISO", "media NAME eject" or "media detect FILE".'],
    [['media', 'detect', 'a', 'b'], 2, 'Say "media NAME insert ISO", "media NAME eject" or "media detect FILE".'],
    [['media', 'detect', '/nonexistent/x.iso'], 1, 'The ISO file /nonexistent/x.iso does not exist.'],
    [['media', 'detect', '/etc/hostname'], 1, '/etc/hostname is not an ISO image (it has no ISO 9660 volume descriptor at 32 KiB).'],
    [['os'], 2, OS_WHAT],
    [['os', 'download'], 2, OS_WHAT],
    [['os', 'list', 'extra'], 2, OS_WHAT],
    [['os', 'download', 'nope'], 1, 'There is no OS "nope" in the catalogue; "guesthouse os list" shows them.'],
    [['os', 'cancel', 'debian-12-amd64-netinst'], 1, 'No download of "debian-12-amd64-netinst" is under way.'],
    [['os', 'download', 'x'.repeat(65)], 1, 'Give an OS of the catalogue by its id (such as debian-12-amd64-netinst).'],
    [['os', 'mirror', 'debian'], 2, OS_WHAT],
    [['os', 'mirror', 'windows', 'http://m.lan/'], 2, 'Give one of debian, ubuntu, fedora, alpine as the OS of a mirror, not "windows".'],
    [['os', 'mirror', 'debian', 'ftp://m.lan/'], 1, 'A mirror must be an http or https URL.'],
  ])('%j: one sentence, exit %i', (args, code, sentence) => {
    const before = snapshot(home);
    expect(cli(args)).toMatchObject({ code, stdout: '', stderr: `${sentence}\n` });
    expect(snapshot(home)).toEqual(before);
  });
});

describe('guesthouse create --cdrom without --os', () => {
  it('takes the preset and firmware of what the ISO holds, and says so', () => {
    const r = cli(['create', 'win', '--cdrom', windows, '--network', 'none']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('The CD: Windows x86_64, boots UEFI only; the VM takes the windows-x64 preset.\n');
    const vm = JSON.parse(cli(['show', 'win', '--json']).stdout);
    expect(vm).toMatchObject({ osType: 'windows-x64', memoryMib: 4096, config: { firmware: 'uefi' } });
    // --os given: the ISO is not asked.
    const said = cli(['create', 'deb', '--cdrom', debian, '--os', 'other-x86', '--network', 'none']);
    expect(said).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(cli(['show', 'deb', '--json']).stdout).osType).toBe('other-x86');
  });
});

describe('guesthouse os', () => {
  it('os mirror sets the setting that the list follows, and none takes it away', () => {
    expect(cli(['os', 'mirror', 'debian', 'http://m.lan/debian-cd'])).toMatchObject({
      code: 0,
      stdout: 'The mirror for debian is now http://m.lan/debian-cd.\n',
    });
    const url = () => (JSON.parse(cli(['os', 'list', '--json']).stdout) as { id: string; url: string }[]).find((o) => o.id === 'debian-12-amd64-netinst')!.url;
    expect(url()).toBe('http://m.lan/debian-cd/archive/12.11.0/amd64/iso-cd/debian-12.11.0-amd64-netinst.iso');
    expect(cli(['os', 'mirror', 'debian', 'none'])).toMatchObject({ code: 0, stdout: 'debian downloads come from the vendor again.\n' });
    expect(url()).toBe('https://cdimage.debian.org/cdimage/archive/12.11.0/amd64/iso-cd/debian-12.11.0-amd64-netinst.iso');
  });

  it('lists the catalogue with the mirror, and downloads through it with progress lines', async () => {
    const list = JSON.parse(cli(['os', 'list', '--json']).stdout) as { id: string; url: string; downloaded: string | null }[];
    expect(list.map((o) => o.id)).toContain(alpine.id);
    expect(list.find((o) => o.id === alpine.id)).toMatchObject({ url: server.url + alpine.path, downloaded: null });
    server.throttle = 256 * 1024; // ~25 MiB/s: a few seconds' worth of progress
    // Not spawnSync: the loopback server runs in this process and must go on serving.
    const r = await cliAsync(['os', 'download', alpine.id]);
    const file = path.join(home, 'media', 'alpine-virt-3.22.2-x86_64.iso');
    expect(r).toMatchObject({ code: 0, stdout: `Downloaded ${alpine.id} to ${file} (SHA-256 checked).\n` });
    expect(r.stderr).toMatch(/^Fetching the checksums of Alpine Linux 3\.22\.2\n/);
    expect(r.stderr).toMatch(/Downloading Alpine Linux 3\.22\.2: [\d.]+ [KM]iB of 3\.0 MiB, [\d.]+ [KM]iB\/s, \d+:\d\d left \(\d+%\)\n/);
    expect(crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')).toBe(server.sha256);
    expect(cli(['os', 'list']).stdout).toMatch(new RegExp(`^\\*\\s+${alpine.id.replace(/\./g, '\\.')}\\s`, 'm'));
  });
});
