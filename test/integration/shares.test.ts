// Shared folders on a real QEMU with the tiny guest (which loads 9p when a virtio-9p device is
// on its bus): a file written on the host is read in the guest and the other way; a read-only
// share refuses the guest's write; neither a symlink made in the guest nor one on the host
// pointing out of the folder shows the guest a file outside it; a live snapshot and a saved
// state of the running VM are refused with their sentences; bad input is one sentence each
// with the config unchanged.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mountCommand, type VmConfig } from '../../core/common/config';
import { tinyVm, tinyVmArgs } from '../support/guest';
import { cli, snapshot } from '../support/cli';
import { realGuestsMissing, skipBecause } from '../support/require';
import { guestService, runInGuest, tempHome } from '../support/service';

const missing = realGuestsMissing();

describe('shared folders', () => {
  if (skipBecause(missing)) return;
  const t = guestService();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-shares-'));
  const rw = path.join(root, 'rw');
  const ro = path.join(root, 'ro');
  const outside = path.join(root, 'outside');
  const secret = path.join(outside, 'secret.txt');
  const SECRET = 'host-secret-7f3a9c';
  for (const d of [rw, ro, outside]) fs.mkdirSync(d);
  fs.writeFileSync(secret, `${SECRET}\n`);
  fs.writeFileSync(path.join(rw, 'from-host.txt'), 'written-on-host\n');
  fs.writeFileSync(path.join(ro, 'readme.txt'), 'read-only-file\n');
  // Host symlinks inside the shared folder that point out of it, absolute and relative.
  fs.symlinkSync(secret, path.join(rw, 'host-abs'));
  fs.symlinkSync('../outside/secret.txt', path.join(rw, 'host-rel'));
  fs.symlinkSync(outside, path.join(rw, 'host-dir'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const configOf = async (vm: string): Promise<VmConfig> => (await t.service.getVm(vm)).config;
  const sh = (cmd: string) => runInGuest(t.service, 'sh', cmd);

  it('writable both ways, read-only refuses writes, no symlink escapes, no live snapshot or saved state', async () => {
    await t.service.createVm({
      ...tinyVm(t.guest, 'sh'),
      shares: [
        { path: rw, tag: 'rw' },
        { path: ro, tag: 'ro', readOnly: true },
      ],
    });
    expect((await configOf('sh')).shares).toEqual([
      { tag: 'rw', path: rw, readOnly: false },
      { tag: 'ro', path: ro, readOnly: true },
    ]);
    await t.service.startVm('sh');
    expect(await t.service.waitForConsole('sh', t.guest.netReadyMarker, 90_000)).toBe(true);
    for (const tag of ['rw', 'ro']) {
      const mount = mountCommand(tag).replace(/\/mnt$/, `/mnt/${tag}`);
      expect(await sh(`mkdir -p /mnt/${tag} && ${mount} && echo mounted-${tag}`)).toContain(`mounted-${tag}`);
    }

    // Host → guest, guest → host.
    expect(await sh('cat /mnt/rw/from-host.txt')).toBe('written-on-host');
    await sh('echo written-in-guest > /mnt/rw/from-guest.txt');
    expect(fs.readFileSync(path.join(rw, 'from-guest.txt'), 'utf8')).toBe('written-in-guest\n');
    fs.writeFileSync(path.join(rw, 'later.txt'), 'changed-on-host\n');
    expect(await sh('cat /mnt/rw/later.txt')).toBe('changed-on-host');

    // Read-only: read, but the write is refused and nothing reaches the host.
    expect(await sh('cat /mnt/ro/readme.txt')).toBe('read-only-file');
    expect(await sh('echo x > /mnt/ro/new.txt; echo rc=$?')).toMatch(/rc=[1-9]/);
    expect(await sh('rm /mnt/ro/readme.txt; echo rc=$?')).toMatch(/rc=[1-9]/);
    expect(fs.existsSync(path.join(ro, 'new.txt'))).toBe(false);
    expect(fs.existsSync(path.join(ro, 'readme.txt'))).toBe(true);

    // Host symlinks pointing out: the guest never sees the file outside.
    const hostLinks = await sh('cat /mnt/rw/host-abs /mnt/rw/host-rel /mnt/rw/host-dir/secret.txt; ls /mnt/rw/host-dir/; echo done');
    expect(hostLinks).toContain('done');
    expect(hostLinks).not.toContain(SECRET);
    expect(await sh('ls /mnt/rw/host-dir/ 2>/dev/null | wc -l')).toBe('0');

    // Symlinks made in the guest pointing out (absolute, relative, up the tree): the same.
    const guestLinks = await sh(
      [
        `ln -s ${secret} /mnt/rw/guest-abs`,
        'ln -s ../outside/secret.txt /mnt/rw/guest-rel',
        'ln -s ../../../../../../.. /mnt/rw/guest-up',
        `cat /mnt/rw/guest-abs /mnt/rw/guest-rel /mnt/rw/guest-up${secret} /mnt/rw/../outside/secret.txt`,
        'echo done',
      ].join('; '),
    );
    expect(guestLinks).toContain('done');
    expect(guestLinks).not.toContain(SECRET);
    // No machine state with a share: refused before QEMU is asked, the VM running on.
    const before = await configOf('sh');
    await expect(t.service.takeSnapshot('sh', { name: 'live' })).rejects.toThrow(
      `"sh" shares the folder ${rw} (tag rw), and QEMU cannot keep the state of a running machine with a shared folder: power the VM off and take an offline snapshot, or remove the share.`,
    );
    await expect(t.service.saveVm('sh')).rejects.toThrow(`"sh" shares the folder ${rw} (tag rw), and QEMU cannot save the state of a running machine`);
    expect((await t.service.getVm('sh')).state).toBe('running');
    expect(await configOf('sh')).toEqual(before);
    expect(await sh('cat /mnt/rw/from-host.txt')).toBe('written-on-host');
    await t.service.powerOffVm('sh');
  });

  it('bad input: a missing folder, a file, a tag twice, a bad tag, an unknown share: one sentence each, nothing changed', async () => {
    const file = path.join(root, 'a-file.txt');
    fs.writeFileSync(file, 'x');
    const gone = path.join(root, 'gone');
    await expect(t.service.createVm({ ...tinyVm(t.guest, 'bad-new'), shares: [{ path: gone }] })).rejects.toThrow(
      `The folder ${gone} to share does not exist.`,
    );
    expect((await t.service.listVms()).map((v) => v.name)).not.toContain('bad-new');

    await t.service.createVm({ ...tinyVm(t.guest, 'bad'), shares: [{ path: rw }] });
    const before = await configOf('bad');
    expect(before.shares).toEqual([{ tag: 'rw', path: rw, readOnly: false }]);
    const refusals: [Parameters<typeof t.service.modifyVm>[1], string][] = [
      [{ shares: [{ path: gone }] }, `The folder ${gone} to share does not exist.`],
      [{ shares: [{ path: file, tag: 'f' }] }, `The path ${file} to share is not a folder.`],
      [{ shares: [{ path: ro, tag: 'rw' }] }, 'Two shared folders have the mount tag rw; give one another tag (--share PATH,tag=T).'],
      [
        { shares: [{ path: ro, tag: 'a b' }] },
        "A share's mount tag must be 1 to 31 letters, digits, dots, dashes or underscores, beginning with a letter or digit.",
      ],
      [{ unshare: ['nope'] }, 'No shared folder has the mount tag nope.'],
    ];
    for (const [change, sentence] of refusals) {
      await expect(t.service.modifyVm('bad', change), sentence).rejects.toThrow(sentence);
      expect(await configOf('bad')).toEqual(before);
    }
    // And the good change: one off, one on (its tag the folder's name).
    await t.service.modifyVm('bad', { unshare: ['rw'], shares: [{ path: ro, readOnly: true }] });
    expect((await configOf('bad')).shares).toEqual([{ tag: 'ro', path: ro, readOnly: true }]);
  });

  it('the CLI: --share and --unshare on create and modify, show prints the mount command, bad input one sentence with nothing changed', () => {
    const home = tempHome();
    try {
      const file = path.join(root, 'a-file.txt');
      fs.writeFileSync(file, 'x');
      expect(cli(home, ['create', 'c', ...tinyVmArgs(t.guest), '--share', `${rw},tag=code`, '--share', `${ro},ro`]).code).toBe(0);
      const show = cli(home, ['show', 'c']).stdout;
      expect(show).toContain(`Shared:       ${rw} as code (writable); in the guest: mount -t 9p -o trans=virtio,version=9p2000.L code /mnt\n`);
      expect(show).toContain(`Shared:       ${ro} as ro (read-only); in the guest: mount -t 9p -o trans=virtio,version=9p2000.L ro /mnt\n`);
      for (const [args, sentence] of [
        [['modify', 'c', '--share', path.join(root, 'gone')], `The folder ${path.join(root, 'gone')} to share does not exist.`],
        [['modify', 'c', '--share', file], `The path ${file} to share is not a folder.`],
        [['modify', 'c', '--share', `${outside},tag=code`], 'Two shared folders have the mount tag code; give one another tag (--share PATH,tag=T).'],
        [
          ['modify', 'c', '--share', `${outside},tag=no/pe`],
          "A share's mount tag must be 1 to 31 letters, digits, dots, dashes or underscores, beginning with a letter or digit.",
        ],
        [['modify', 'c', '--share', `${outside},rw`], `Give a shared folder as --share HOSTPATH[,tag=TAG][,ro], not "${outside},rw".`],
        [['modify', 'c', '--unshare', 'nope'], 'No shared folder has the mount tag nope.'],
      ] as [string[], string][]) {
        const before = snapshot(home, { skipLogs: true });
        const r = cli(home, args);
        expect(r.code, args.join(' ')).not.toBe(0);
        expect(r.stderr).toBe(`${sentence}\n`);
        expect(snapshot(home, { skipLogs: true })).toEqual(before);
      }
      expect(cli(home, ['modify', 'c', '--unshare', 'code']).code).toBe(0);
      expect(JSON.parse(cli(home, ['show', 'c', '--json']).stdout).config.shares).toEqual([{ tag: 'ro', path: ro, readOnly: true }]);
    } finally {
      cli(home, ['service', 'stop']);
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
