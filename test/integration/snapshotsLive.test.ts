// Snapshots, clones and disk tools through the service, on real guests: content is written in
// the guest (an ext2 file system on its virtio disk, a shell variable) and read back there.
import { createHash } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressEvent, SnapshotList } from '../../core/common/api';
import { findUefiFirmware } from '../../core/node/library/uefiVars';
import { runtimeDir } from '../../core/node/shared/paths';
import { lockFile } from '../../core/node/shared/vmFolder';
import { processAlive } from '../../core/node/shared/processAlive';
import { CLI, cli, snapshot } from '../support/cli';
import { tinyGuest, tinyVm, type TestGuest, tinyVmArgs } from '../support/guest';
import { missingComponent, realGuestsMissing, skipBecause } from '../support/require';
import { guestService, runInGuest, tempHome } from '../support/service';

const missing = realGuestsMissing();
const MIB = 2 ** 20;
const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
/** The snapshot tags an image holds, read while a guest may have it open. */
const tags = (file: string): string[] =>
  ((JSON.parse(execFileSync('qemu-img', ['info', '-U', '--output=json', file], { encoding: 'utf8' })) as { snapshots?: { name: string }[] }).snapshots ?? [])
    .map((s) => s.name)
    .sort();

describe('snapshots, clones and disks on real guests', () => {
  if (skipBecause(missing)) return;
  const t = guestService();
  const sh = (vm: string, command: string) => runInGuest(t.service, vm, command, 60_000);
  /** Boots to the shell with its disk ready (the guest mounts nothing itself). */
  const boot = async (vm: string) => {
    await t.service.startVm(vm);
    expect(await t.service.waitForConsole(vm, t.guest.readyMarker, 120_000)).toBe(true);
  };
  /**
   * What the guest reads from /mnt/v, its disk mounted afresh where `mount` says so. Read behind
   * a prefix only the shell computes: the guest's own markers may come between (a reverted guest
   * says its input marker again), and a long command line wraps where it is echoed.
   */
  const content = async (vm: string, mount = false) =>
    /v1=(\S*)/.exec(await sh(vm, `${mount ? 'mkdir -p /mnt && mount /dev/vda /mnt && ' : ''}echo "v$((1))=$(cat /mnt/v)"`))?.[1];
  const write = (vm: string, text: string) => sh(vm, `echo ${text} > /mnt/v && sync`);
  /** The tiny guest with a new disk of its own, on virtio (the guest names it vda). */
  const withDisk = (name: string, sizeMib: number, diskFormat: 'qcow2' | 'raw' = 'qcow2') => ({
    ...tinyVm(t.guest, name),
    diskBus: 'virtio' as const,
    diskSizeBytes: sizeMib * MIB,
    diskFormat,
  });

  it('a live snapshot brings back files and the shell session; what came after is gone', async () => {
    const progress: ProgressEvent[] = [];
    t.service.onDidProgress((e) => progress.push(e));
    await t.service.createVm(withDisk('snap', 64));
    await boot('snap');
    await sh('snap', 'mke2fs -q /dev/vda && mkdir -p /mnt && mount /dev/vda /mnt && echo before > /mnt/before && X=set-before-$((1+1)) && sync');
    const taken = await t.service.takeSnapshot('snap', { name: 'a', description: 'freshly formatted' });
    expect(taken).toMatchObject({ name: 'a', kind: 'live', parentId: null, description: 'freshly formatted' });
    const ops = progress.filter((e) => e.operation === 'snapshot-take');
    expect(ops.at(-1)).toMatchObject({ done: true, percent: 100 });
    expect(ops.some((e) => e.step.message.includes('QEMU: running'))).toBe(true);
    await sh('snap', 'echo after > /mnt/after && X=set-after && sync');
    expect((await t.service.listSnapshots('snap')).currentChanged).toBe(true); // it ran on
    await t.service.revertSnapshot('snap', 'a');
    expect((await t.service.getVm('snap')).state).toBe('running');
    const back = await sh('snap', 'echo "x$((1))=$X b$((1))=$(cat /mnt/before)"; ls /mnt/after || echo no-after-$((2+2))');
    expect(back).toContain('x1=set-before-2 b1=before');
    expect(back).toContain('no-after-4');
    const disk = path.join((await t.service.getVm('snap')).folder, 'snap.qcow2');
    expect(tags(disk)).toEqual([taken.id]);
    // Revert offering to keep the current state first, as VirtualBox does.
    await sh('snap', 'X=kept-$((4+4))');
    await t.service.revertSnapshot('snap', 'a', { takeCurrentAs: 'kept' });
    expect(await sh('snap', 'echo "x=$X"')).toContain('x=set-before-2');
    const tree = await t.service.listSnapshots('snap');
    expect(tree.snapshots.map((s) => [s.name, s.parentId])).toEqual([
      ['a', null],
      ['kept', taken.id],
    ]);
    expect(tree.currentId).toBe(taken.id);
    await t.service.revertSnapshot('snap', 'kept');
    expect(await sh('snap', 'echo "x=$X"')).toContain('x=kept-8');
    await t.service.deleteSnapshot('snap', 'kept');
    expect(tags(disk)).toEqual([taken.id]);
  }, 240_000);

  it('a three-level tree: deleted in several orders, the snapshots left revert to their own content', async () => {
    // a(1) → b(2) → c(3), and a → d(4); the current state (5) below d.
    await write('snap', '1');
    await t.service.deleteSnapshot('snap', 'a');
    await t.service.takeSnapshot('snap', { name: 'a' });
    for (const [name, value] of [
      ['b', '2'],
      ['c', '3'],
    ] as const) {
      await write('snap', value);
      await t.service.takeSnapshot('snap', { name });
    }
    await t.service.revertSnapshot('snap', 'a');
    expect(await content('snap')).toBe('1');
    await write('snap', '4');
    await t.service.takeSnapshot('snap', { name: 'd' });
    await write('snap', '5');
    const list = await t.service.listSnapshots('snap');
    const byName = Object.fromEntries(list.snapshots.map((s) => [s.name, s]));
    expect(byName.b!.parentId).toBe(byName.a!.id);
    expect(byName.c!.parentId).toBe(byName.b!.id);
    expect(byName.d!.parentId).toBe(byName.a!.id);
    expect(list.currentId).toBe(byName.d!.id);
    await t.service.powerOffVm('snap');

    const value: Record<string, string> = { a: '1', b: '2', c: '3', d: '4' };
    const orders = [
      ['a', 'b', 'c', 'd'],
      ['c', 'd', 'a', 'b'],
      ['b', 'a', 'd', 'c'],
    ];
    for (const [i, order] of orders.entries()) {
      const vm = `order${i}`;
      await t.service.cloneVm('snap', { name: vm, mode: 'full', keepSnapshots: true });
      // Two deleted while stopped (qemu-img), then the others checked, one deleted live between.
      await t.service.deleteSnapshot(vm, order[0]!);
      await t.service.deleteSnapshot(vm, order[1]!);
      const [third, fourth] = [order[2]!, order[3]!];
      await t.service.revertSnapshot(vm, third); // a live snapshot of a stopped VM: it starts from it
      expect(await content(vm), `${order} ${third}`).toBe(value[third]);
      await t.service.revertSnapshot(vm, fourth);
      expect(await content(vm), `${order} ${fourth}`).toBe(value[fourth]);
      await t.service.deleteSnapshot(vm, third);
      await write(vm, '9');
      await t.service.revertSnapshot(vm, fourth);
      expect(await content(vm), `${order} ${fourth} again`).toBe(value[fourth]);
      const left = await t.service.listSnapshots(vm);
      expect(left.snapshots.map((s) => s.name)).toEqual([fourth]);
      expect(left.snapshots[0]!.parentId).toBeNull();
      await t.service.powerOffVm(vm);
      expect(tags(path.join((await t.service.getVm(vm)).folder, `${vm}.qcow2`))).toEqual([left.snapshots[0]!.id]);
      await t.service.deleteVm(vm);
    }
  }, 400_000);

  it('a linked clone boots and writes while its base image stays as it was; the base cannot go while it exists', async () => {
    const source = await t.service.getVm('snap');
    const clone = await t.service.cloneVm('snap', { name: 'linked', mode: 'linked', snapshot: 'b' });
    const base = fs.readdirSync(source.folder).find((n) => n.startsWith('base-'))!;
    expect(base).toBeDefined();
    const baseFile = path.join(source.folder, base);
    const before = sha(baseFile);
    const info = await t.service.listDisks('linked');
    expect(info[0]!.backingFile).toBe(baseFile);
    await boot('linked');
    expect(await content('linked', true)).toBe('2');
    await write('linked', 'clone-wrote');
    expect(await content('linked')).toBe('clone-wrote');
    await t.service.powerOffVm('linked');
    expect(sha(baseFile)).toBe(before);
    expect((await t.service.listSnapshots('snap')).snapshots.find((s) => s.name === 'b')!.linkedClones).toEqual(['linked']);
    await expect(t.service.deleteVm('snap')).rejects.toThrow('"snap" is the base of the linked clones "linked"; delete them first.');
    await expect(t.service.deleteSnapshot('snap', 'b')).rejects.toThrow('The snapshot "b" is the base of the linked clones "linked"; delete them first.');
    expect(fs.existsSync(path.join(source.folder, 'vm.json'))).toBe(true);
    await t.service.deleteVm('linked');
    expect(fs.existsSync(clone.folder)).toBe(false);
    await t.service.deleteSnapshot('snap', 'b');
    expect(fs.existsSync(baseFile)).toBe(false); // the base went with the snapshot
  }, 240_000);

  it('convert: the converted disk boots with the same data; grow: the guest sees the new size; the CD changes while it runs', async () => {
    const vm = await t.service.createVm({ ...withDisk('conv', 32, 'raw'), isoPath: t.guest.iso });
    await boot('conv');
    await sh('conv', 'mke2fs -q /dev/vda && mkdir -p /mnt && mount /dev/vda /mnt && echo kept-$((3*3)) > /mnt/v && sync');
    // Snapshots need qcow2: the raw disk is refused with the sentence that says how to convert.
    await expect(t.service.takeSnapshot('conv', { name: 'x' })).rejects.toThrow(
      `The disk ${path.join(vm.folder, 'conv.raw')} is a raw image, which cannot hold snapshots; convert it to qcow2 first (guesthouse disk convert).`,
    );
    await expect(t.service.resizeDisk('conv', 'conv.raw', 48 * MIB)).rejects.toThrow(
      'Cannot change the settings of "conv" because it is running. Stop it first.',
    );
    // The ISO the VM started with is open in QEMU; eject and insert change it while the guest runs.
    const qemu = (await t.service.getVm('conv')).runtime!.enginePid!;
    const opened = () =>
      fs.readdirSync(`/proc/${qemu}/fd`).map((fd) => {
        try {
          return fs.readlinkSync(`/proc/${qemu}/fd/${fd}`);
        } catch {
          return '';
        }
      });
    expect(opened()).toContain(t.guest.iso);
    await t.service.ejectMedia('conv');
    expect(opened()).not.toContain(t.guest.iso);
    expect((await t.service.getVm('conv')).config.optical).toBeNull();
    await t.service.insertMedia('conv', t.guest.iso);
    expect(opened()).toContain(t.guest.iso);
    expect((await t.service.getVm('conv')).config.optical).toEqual({ isoPath: t.guest.iso });
    await expect(t.service.insertMedia('conv', '/no/such.iso')).rejects.toThrow('The ISO file /no/such.iso does not exist.');
    await t.service.powerOffVm('conv');

    const converted = await t.service.convertDisk('conv', 'conv.raw', 'qcow2');
    expect(converted).toMatchObject({ path: 'conv.qcow2', format: 'qcow2', virtualBytes: 32 * MIB });
    expect(fs.existsSync(path.join(vm.folder, 'conv.raw'))).toBe(true); // the old file stays
    await expect(t.service.resizeDisk('conv', 'conv.qcow2', 16 * MIB)).rejects.toThrow(
      `The disk ${path.join(vm.folder, 'conv.qcow2')} is 32 MiB and can only grow: 16 MiB would cut off the guest's data.`,
    );
    expect((await t.service.resizeDisk('conv', 'conv.qcow2', 48 * MIB)).virtualBytes).toBe(48 * MIB);
    expect((await t.service.listDisks('conv')).map((d) => [d.path, d.format, d.virtualBytes])).toEqual([['conv.qcow2', 'qcow2', 48 * MIB]]);
    await boot('conv');
    expect(await content('conv', true)).toBe('kept-9');
    expect(/size1=(\d+)/.exec(await sh('conv', 'echo "size$((1))=$(blockdev --getsize64 /dev/vda)"'))?.[1]).toBe(String(48 * MIB));
    await t.service.powerOffVm('conv');
  }, 240_000);

  describe('UEFI', () => {
    const firmware = findUefiFirmware();
    if (skipBecause(missingComponent('UEFI firmware (OVMF)', firmware !== null, 'apt-get install ovmf'))) return;

    it('the raw variable store of an older VM becomes qcow2 once; a UEFI VM takes and reverts a live snapshot', async () => {
      const vm = await t.service.createVm({ ...withDisk('efi', 16), kernelPath: t.guest.bzImage, memoryMib: 256, firmware: 'uefi' });
      // As an older Guesthouse left it: the raw copy of the template.
      fs.copyFileSync(firmware!.vars, path.join(vm.folder, 'uefi-vars.fd'));
      await boot('efi');
      expect(fs.existsSync(path.join(vm.folder, 'uefi-vars.fd'))).toBe(false);
      expect(sha(path.join(vm.folder, 'uefi-vars.fd.orig'))).toBe(sha(firmware!.vars)); // kept as it was
      const vars = (await t.service.listDisks('efi')).find((d) => d.path === 'uefi-vars.qcow2')!;
      expect(vars).toMatchObject({ format: 'qcow2', virtualBytes: fs.statSync(firmware!.vars).size });
      await sh('efi', 'test -d /sys/firmware/efi && Y=efi-before-$((5*5))');
      const taken = await t.service.takeSnapshot('efi', { name: 'uefi' });
      expect(taken.kind).toBe('live');
      expect(tags(path.join(vm.folder, 'uefi-vars.qcow2'))).toEqual([taken.id]); // the variables are in the snapshot
      await sh('efi', 'Y=efi-after');
      await t.service.revertSnapshot('efi', 'uefi');
      expect(await sh('efi', 'echo "y=$Y"')).toContain('y=efi-before-25');
      await t.service.powerOffVm('efi');
      await t.service.deleteVm('efi');
    }, 240_000);
  });
});

/**
 * The headless service and QEMU are killed (-9) while the CLI takes, then deletes, a live
 * snapshot. Afterwards the VM starts, every snapshot the tree lists reverts to its own content,
 * and no tag is left on the disk that the tree does not list.
 */
describe('a take and a delete cut short by the death of the service and QEMU (CLI)', () => {
  if (skipBecause(missing)) return;
  let guest: TestGuest;
  let home: string;
  let asked = 0;
  const run = (...args: string[]) => cli(home, args);
  /** Runs a command that must succeed (its stderr says why where it did not). */
  const ok = (...args: string[]) => {
    const r = run(...args);
    expect([r.code, r.code === 0 ? '' : r.stderr], args.join(' ')).toEqual([0, '']);
    return r;
  };
  beforeAll(async () => {
    guest = await tinyGuest('amd64');
    home = tempHome();
  });
  afterAll(() => {
    if (home) run('service', 'stop');
  });

  /** The guest's answer to `command`, read from its console log behind a marker only the shell can compute. */
  const ask = (command: string): string => {
    const n = ++asked;
    expect(run('send', 'k', `echo q$((${n}*1))q-$(${command})-qq\\n`).code).toBe(0);
    ok('wait', 'k', '--for', `q${n}q-`, '--timeout-s', '60');
    return new RegExp(`q${n}q-(.*?)-qq`).exec(run('log', 'k').stdout)?.[1] ?? '';
  };
  const list = () => JSON.parse(run('snapshot', 'k', 'list', '--json').stdout) as SnapshotList;
  const disk = () => path.join(home, 'machines', 'k', 'k.qcow2');
  const tags = () =>
    (
      (JSON.parse(execFileSync('qemu-img', ['info', '-U', '--output=json', disk()], { encoding: 'utf8' })) as { snapshots?: { name: string }[] }).snapshots ??
      []
    )
      .map((s) => s.name)
      .sort();

  /** Starts `snapshot k ARGS` and kills the service and QEMU once its progress line says `when`. */
  async function killDuring(args: string[], when: string): Promise<void> {
    const qemu = (JSON.parse(run('show', 'k', '--json').stdout) as { runtime: { enginePid: number } }).runtime.enginePid;
    const service = Number(fs.readFileSync(path.join(runtimeDir(home), 'service.pid'), 'utf8'));
    // The VM's lock names its guest host, which outlives the service and ends once it sees its QEMU die.
    const guestHost = Number(fs.readFileSync(lockFile(path.join(home, 'machines', 'k')), 'utf8'));
    const child = spawn(process.execPath, [CLI, 'snapshot', 'k', ...args], { env: { ...process.env, GUESTHOUSE_HOME: home } });
    let err = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes(when)) resolve();
      });
      void exited.then(() => resolve());
    });
    process.kill(service, 'SIGKILL');
    try {
      process.kill(qemu, 'SIGKILL');
    } catch {
      // already gone
    }
    await exited;
    // All of the run that died is gone (on a loaded machine the guest host can take a while to
    // end), so the next start is not refused as the VM "running in another Guesthouse".
    while (processAlive(service) || processAlive(qemu) || processAlive(guestHost)) await new Promise((r) => setTimeout(r, 50));
  }

  /** Every listed snapshot reverts to its content; then the disk holds exactly the listed tags. */
  function checkTree(expected: Record<string, string>): SnapshotList {
    const tree = list();
    for (const s of tree.snapshots) {
      ok('snapshot', 'k', 'revert', s.name);
      expect(ask('cat /mnt/v'), s.name).toBe(expected[s.name]);
    }
    expect(tags()).toEqual(tree.snapshots.map((s) => s.id).sort());
    return tree;
  }

  it('kill -9 during a live take and during a delete: the VM starts, and the tree lists only snapshots that revert', async () => {
    ok('create', 'k', ...tinyVmArgs(guest), '--disk', '64M', '--disk-bus', 'virtio');
    ok('start', 'k');
    ok('wait', 'k', '--for', guest.readyMarker, '--timeout-s', '120');
    expect(ask('mke2fs -q /dev/vda >/dev/null 2>&1 && mkdir -p /mnt && mount /dev/vda /mnt && echo 0 > /mnt/v && sync && cat /mnt/v')).toBe('0');
    const took = run('snapshot', 'k', 'take', 'k0', '--description', 'zero');
    expect(took.stdout.trim()).toBe('Took the live snapshot "k0" of "k".');
    expect(took.stderr).toContain('Taking the snapshot "k0"');
    expect(ask('echo 1 > /mnt/v && sync && cat /mnt/v')).toBe('1');

    await killDuring(['take', 'k1'], 'QEMU: running');
    const afterTake = list();
    expect(afterTake.snapshots.map((s) => s.name)).toContain('k0');
    // (k1 is listed only if the take finished before the kill; either way it must revert.)
    checkTree({ k0: '0', k1: '1' });
    ok('stop', 'k', '--force');
    ok('start', 'k');
    ok('wait', 'k', '--for', guest.readyMarker, '--timeout-s', '120');
    expect(ask('mkdir -p /mnt && mount /dev/vda /mnt && cat /mnt/v')).toMatch(/^[01]$/);
    // A snapshot that must outlive the delete cut short below.
    expect(ask('echo 2 > /mnt/v && sync && cat /mnt/v')).toBe('2');
    ok('snapshot', 'k', 'take', 'k2');

    await killDuring(['delete', 'k0'], '(QEMU: '); // the config says it is gone; the disk may hold it
    ok('start', 'k');
    ok('wait', 'k', '--for', guest.readyMarker, '--timeout-s', '120');
    expect(checkTree({ k0: '0', k1: '1', k2: '2' }).snapshots.map((s) => s.name)).toContain('k2');
    ok('stop', 'k', '--force');
  }, 300_000);

  it('lists the tree with the current state, and refuses bad input with one sentence, changing nothing', () => {
    ok('snapshot', 'k', 'take', 'offline one'); // stopped: the disks only
    const human = run('snapshot', 'k', 'list');
    expect(human.code).toBe(0);
    const lines = human.stdout.trimEnd().split('\n');
    expect(lines.at(-2)).toMatch(/^ *offline one {2}\(offline, /);
    expect(lines.at(-1)).toMatch(/^ +\* current state$/);
    expect(lines.at(-1)!.indexOf('*')).toBeGreaterThan(lines.at(-2)!.search(/\S/));
    const before = snapshot(home, { skipLogs: true });
    const refused = (args: string[], code: number, sentence: string) => {
      const r = run(...args);
      expect([r.code, r.stderr, r.stdout], args.join(' ')).toEqual([code, `${sentence}\n`, '']);
    };
    refused(['snapshot', 'k', 'frobnicate'], 2, 'Say "snapshot NAME list", or "snapshot NAME take|revert|delete SNAP".');
    refused(['snapshot', 'k', 'take'], 2, 'Say which one snapshot to take: "snapshot NAME take SNAP".');
    refused(['snapshot', 'k', 'take', ' spaced'], 1, 'The snapshot name must not start or end with a space.');
    refused(['snapshot', 'k', 'take', 'offline one'], 1, 'There is a snapshot named "offline one" already; choose another name.');
    refused(
      ['snapshot', 'k', 'revert', 'nope'],
      1,
      `There is no snapshot "nope"; this VM has ${list()
        .snapshots.map((s) => `"${s.name}"`)
        .join(', ')}.`,
    );
    refused(['clone', 'k', 'k2', '--linked'], 2, 'A linked clone stands on a snapshot; name the snapshot to make it from (--snapshot SNAP).');
    refused(['disk', 'resize', 'k', 'k.qcow2', '1M'], 1, `The disk ${disk()} is 64 MiB and can only grow: 1 MiB would cut off the guest's data.`);
    refused(['disk', 'resize', 'k', 'k.qcow2', 'big'], 2, '"big" is not a size; write it like 512M or 8G.');
    refused(['disk', 'convert', 'k', 'k.qcow2'], 1, `The disk ${disk()} is already a qcow2 image.`);
    refused(['media', 'k', 'insert'], 2, 'Say "media NAME insert ISO", "media NAME eject" or "media detect FILE".');
    expect(snapshot(home, { skipLogs: true })).toEqual(before);
    const info = JSON.parse(run('disk', 'info', 'k', '--json').stdout) as { path: string; snapshotCount: number }[];
    expect(info).toMatchObject([{ path: 'k.qcow2', snapshotCount: list().snapshots.length }]);
  }, 120_000);
});
