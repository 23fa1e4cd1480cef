// Snapshots and disk tools on real images: qemu-img and qemu-io on temp files, and live
// snapshot jobs against a real QEMU (no guest: data is written through QEMU's block layer
// with the monitor's qemu-io, and read back from the image file once QEMU has quit).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSnapshot, deleteSnapshot, emptySnapshotTree, findSnapshot, newSnapshotId, revertToSnapshot, type SnapshotTree } from '../../core/common/snapshots';
import { QmpClient } from '../../core/node/guestHost/qemu/qmp';
import { deleteLiveSnapshot, loadLiveSnapshot, saveLiveSnapshot, writableBlockNodes } from '../../core/node/guestHost/qemu/snapshotJobs';
import { convertDisk, copyDisk, createLinkedImage, diskInfo, parseConvertProgress, resizeDisk } from '../../core/node/library/diskImages';
import {
  convertUefiVarsToQcow2,
  deleteDiskSnapshots,
  extractSnapshotImage,
  listDiskSnapshots,
  revertDiskSnapshots,
  takeDiskSnapshots,
} from '../../core/node/library/snapshotDisks';
import { findUefiFirmware } from '../../core/node/library/uefiVars';
import { missingComponent, qemuPresent, skipBecause } from '../support/require';

const QEMU_IMG = 'qemu-img';
const qemuIoPresent = spawnSync('qemu-io', ['--version'], { stdio: 'ignore' }).status === 0;
const missing = missingComponent('QEMU', qemuPresent && qemuIoPresent, 'apt-get install qemu-system-x86 qemu-utils');

let dir = '';
const file = (name: string) => path.join(dir, name);
const img = (name: string, size = '4M', format = 'qcow2') => {
  execFileSync(QEMU_IMG, ['create', '-q', '-f', format, file(name), size]);
  return file(name);
};
/** Writes `pattern` over the first 64 KiB of an image, as a guest would. */
const write = (image: string, pattern: number, format = 'qcow2') =>
  execFileSync('qemu-io', ['-f', format, '-c', `write -P ${pattern} 0 64k`, image], { stdio: 'ignore' });
/** Whether the first 64 KiB of an image are all `pattern` (qemu-io fails the read otherwise). */
const holds = (image: string, pattern: number, format = 'qcow2') =>
  spawnSync('qemu-io', ['-f', format, '-c', `read -P ${pattern} 0 64k`, image], { stdio: 'ignore' }).status === 0;
const tags = async (image: string) => (await listDiskSnapshots(QEMU_IMG, image)).map((s) => s.tag).sort();
const sha = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');
const leftovers = () => fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'));

/** Holds an image open for writing, as a running VM would (qemu-io waits on its prompt). */
function holdOpen(image: string): ChildProcess {
  return spawn('qemu-io', ['-f', 'qcow2', image], { stdio: ['pipe', 'ignore', 'ignore'] });
}
async function heldOpen(image: string): Promise<ChildProcess> {
  const child = holdOpen(image);
  // Open once qemu-img cannot take the write lock any more.
  while (spawnSync(QEMU_IMG, ['info', '-f', 'qcow2', image], { stdio: 'ignore' }).status === 0) await new Promise((r) => setImmediate(r));
  return child;
}

describe('offline snapshots with qemu-img', () => {
  if (skipBecause(missing)) return;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-snap-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('takes, lists, reverts and deletes a snapshot across every disk, checked by content', async () => {
    const disks = [img('a1.qcow2'), img('a2.qcow2')];
    disks.forEach((d) => write(d, 0xaa));
    await takeDiskSnapshots(QEMU_IMG, disks, 'gh-one');
    disks.forEach((d) => write(d, 0xbb));
    await takeDiskSnapshots(QEMU_IMG, disks, 'gh-two');
    disks.forEach((d) => write(d, 0xcc));
    for (const d of disks) expect(await tags(d)).toEqual(['gh-one', 'gh-two']);

    await revertDiskSnapshots(QEMU_IMG, disks, 'gh-one');
    for (const d of disks) expect(holds(d, 0xaa)).toBe(true);
    await revertDiskSnapshots(QEMU_IMG, disks, 'gh-two');
    for (const d of disks) expect(holds(d, 0xbb)).toBe(true);
    await deleteDiskSnapshots(QEMU_IMG, disks, 'gh-one');
    for (const d of disks) expect(await tags(d)).toEqual(['gh-two']); // the revert's own undo snapshot is gone too
    disks.forEach((d) => write(d, 0xdd));
    await revertDiskSnapshots(QEMU_IMG, disks, 'gh-two');
    for (const d of disks) expect(holds(d, 0xbb)).toBe(true);
    // Deleting again (a delete cut short, finished) is no error and changes nothing.
    await deleteDiskSnapshots(QEMU_IMG, disks, 'gh-one');
    expect(leftovers()).toEqual([]);
  });

  it('deletes each node of a three-level tree in every order; every remaining snapshot reverts to its own content', async () => {
    // a(0x11) → b(0x22) → c(0x33), and a → d(0x44); current state 0x55 below d.
    const base = img('tree.qcow2');
    const pattern: Record<string, number> = { a: 0x11, b: 0x22, c: 0x33, d: 0x44 };
    let tree: SnapshotTree = emptySnapshotTree();
    const take = async (name: string) => {
      write(base, pattern[name]!);
      const id = newSnapshotId(`tree-${name}`);
      await takeDiskSnapshots(QEMU_IMG, [base], id);
      tree = addSnapshot(tree, { id, name, createdAt: new Date().toISOString(), kind: 'offline', disks: [base], vmstateDisk: null, settings: null });
    };
    await take('a');
    await take('b');
    await take('c');
    await revertDiskSnapshots(QEMU_IMG, [base], findSnapshot(tree, 'a').id);
    tree = revertToSnapshot(tree, 'a');
    await take('d');
    write(base, 0x55);
    const template = sha(base);

    const orders = (xs: string[]): string[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => orders(xs.filter((_, j) => j !== i)).map((r) => [x, ...r])));
    for (const order of orders(['a', 'b', 'c', 'd'])) {
      const disk = file('order.qcow2');
      fs.copyFileSync(base, disk);
      let t = tree;
      for (const [i, name] of order.entries()) {
        await deleteDiskSnapshots(QEMU_IMG, [disk], findSnapshot(t, name).id);
        t = deleteSnapshot(t, name);
        if (i === 2) {
          expect(await tags(disk), `${order}`).toEqual([t.nodes[0]!.id]);
          // The current state is untouched by the deletes; the one snapshot left still has its own content.
          expect(holds(disk, 0x55), `${order}`).toBe(true);
          await revertDiskSnapshots(QEMU_IMG, [disk], t.nodes[0]!.id);
          expect(holds(disk, pattern[t.nodes[0]!.name]!), `${order}: ${t.nodes[0]!.name}`).toBe(true);
        }
      }
      expect(t.nodes).toEqual([]);
      expect(await tags(disk)).toEqual([]);
    }
    // Check every survivor after each single delete too (one delete, then all three others revert).
    for (const name of ['a', 'b', 'c', 'd']) {
      const disk = file('one.qcow2');
      fs.copyFileSync(base, disk);
      const t = deleteSnapshot(tree, name);
      await deleteDiskSnapshots(QEMU_IMG, [disk], findSnapshot(tree, name).id);
      for (const left of t.nodes) {
        await revertDiskSnapshots(QEMU_IMG, [disk], left.id);
        expect(holds(disk, pattern[left.name]!), `deleted ${name}, reverted to ${left.name}`).toBe(true);
      }
    }
    expect(sha(base)).toBe(template);
  });

  it('refuses raw disks with a sentence that says how to convert, and changes nothing', async () => {
    const raw = img('plain.raw', '1M', 'raw');
    const qcow = img('with-raw.qcow2');
    const before = [sha(raw), sha(qcow)];
    await expect(takeDiskSnapshots(QEMU_IMG, [qcow, raw], 'gh-x')).rejects.toThrow(
      `The disk ${raw} is a raw image, which cannot hold snapshots; convert it to qcow2 first (guesthouse disk convert).`,
    );
    expect([sha(raw), sha(qcow)]).toEqual(before);
  });

  it('refuses a revert some disk cannot do, and a tag taken already, before changing anything', async () => {
    const [one, two] = [img('r1.qcow2'), img('r2.qcow2')];
    write(one, 0x01);
    write(two, 0x01);
    await takeDiskSnapshots(QEMU_IMG, [one], 'gh-only-one');
    write(one, 0x02);
    await expect(revertDiskSnapshots(QEMU_IMG, [one, two], 'gh-only-one')).rejects.toThrow(`The disk ${two} does not hold the snapshot gh-only-one.`);
    expect(holds(one, 0x02)).toBe(true);
    await expect(takeDiskSnapshots(QEMU_IMG, [two, one], 'gh-only-one')).rejects.toThrow(`The disk ${one} holds a snapshot gh-only-one already.`);
    expect(await tags(two)).toEqual([]);
  });

  it('a take or revert that fails on one disk (open in another program) leaves every disk as it was', async () => {
    const [free, busy] = [img('free.qcow2'), img('busy.qcow2')];
    write(free, 0x0f);
    write(busy, 0x0f);
    await takeDiskSnapshots(QEMU_IMG, [free, busy], 'gh-before');
    write(free, 0x1f);
    const holder = await heldOpen(busy);
    try {
      await expect(takeDiskSnapshots(QEMU_IMG, [free, busy], 'gh-new')).rejects.toThrow(
        `The disk ${busy} is open in another program (a running VM?); stop it first.`,
      );
      expect(await tags(free)).toEqual(['gh-before']);
      await expect(revertDiskSnapshots(QEMU_IMG, [free, busy], 'gh-before')).rejects.toThrow(`The disk ${busy} is open in another program`);
      expect(holds(free, 0x1f)).toBe(true);
      expect(await tags(free)).toEqual(['gh-before']);
    } finally {
      holder.kill();
      await new Promise((r) => holder.once('exit', r));
    }
    await revertDiskSnapshots(QEMU_IMG, [free, busy], 'gh-before');
    expect(holds(free, 0x0f)).toBe(true);
  });
});

describe('disk tools', () => {
  if (skipBecause(missing)) return;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-disk-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('shows virtual and actual size, grows a disk with snapshots, and refuses to shrink one', async () => {
    const disk = img('grow.qcow2', '8M');
    write(disk, 0x42);
    await takeDiskSnapshots(QEMU_IMG, [disk], 'gh-small');
    const info = await diskInfo(QEMU_IMG, disk);
    expect(info).toMatchObject({ format: 'qcow2', virtualSizeBytes: 8 * 2 ** 20, backingFile: null });
    expect(info.actualSizeBytes).toBeGreaterThan(64 * 1024);
    expect((await resizeDisk(QEMU_IMG, disk, 16 * 2 ** 20)).virtualSizeBytes).toBe(16 * 2 ** 20);
    await expect(resizeDisk(QEMU_IMG, disk, 12 * 2 ** 20)).rejects.toThrow(
      `The disk ${disk} is 16 MiB and can only grow: 12 MiB would cut off the guest's data.`,
    );
    expect((await diskInfo(QEMU_IMG, disk)).virtualSizeBytes).toBe(16 * 2 ** 20);
    expect(holds(disk, 0x42)).toBe(true);
    const raw = img('grow.raw', '1M', 'raw');
    expect((await resizeDisk(QEMU_IMG, raw, 3 * 2 ** 20)).virtualSizeBytes).toBe(3 * 2 ** 20);
  });

  it('converts raw, vmdk, vdi and vhdx into qcow2 (and qcow2 to raw) with progress, keeping the data', async () => {
    const raw = img('src.raw', '4M', 'raw');
    write(raw, 0x5a, 'raw');
    for (const format of ['raw', 'vmdk', 'vdi', 'vhdx']) {
      const src = format === 'raw' ? raw : file(`src.${format}`);
      if (format !== 'raw') execFileSync(QEMU_IMG, ['convert', '-f', 'raw', '-O', format, raw, src]);
      const progress: number[] = [];
      // The format is found by qemu-img's probe, as for an imported file.
      const out = await convertDisk(QEMU_IMG, src, file(`from-${format}.qcow2`), { format: 'qcow2', onProgress: (p) => progress.push(p) });
      expect(out).toMatchObject({ format: 'qcow2', virtualSizeBytes: 4 * 2 ** 20 });
      expect(holds(out.file, 0x5a), format).toBe(true);
      expect(progress.at(-1)).toBe(100);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
    }
    const back = await convertDisk(QEMU_IMG, file('from-vdi.qcow2'), file('back.raw'), { format: 'raw', sourceFormat: 'qcow2' });
    expect(holds(back.file, 0x5a, 'raw')).toBe(true);
    expect(parseConvertProgress('    (0.00/100%)\r    (49.50/100%)\r')).toEqual([0, 49.5]);
  });

  it('a convert that fails or is refused leaves no file behind and the target untouched', async () => {
    // A qcow2 whose first L1 entry points nowhere: qemu-img fails reading it, after it made its output.
    const broken = img('broken.qcow2');
    write(broken, 0x11);
    const fd = fs.openSync(broken, 'r+');
    const header = Buffer.alloc(48);
    fs.readSync(fd, header, 0, 48, 0);
    const entry = Buffer.alloc(8);
    entry.writeBigUInt64BE(0x8000000000000201n);
    fs.writeSync(fd, entry, 0, 8, Number(header.readBigUInt64BE(40)));
    fs.closeSync(fd);
    await expect(convertDisk(QEMU_IMG, broken, file('out.qcow2'), { format: 'qcow2', sourceFormat: 'qcow2' })).rejects.toThrow(
      `qemu-img could not convert ${broken}: `,
    );
    expect(fs.existsSync(file('out.qcow2'))).toBe(false);
    expect(leftovers()).toEqual([]);

    const taken = img('taken.qcow2');
    const before = sha(taken);
    await expect(convertDisk(QEMU_IMG, img('other.raw', '1M', 'raw'), taken, { format: 'qcow2' })).rejects.toThrow(
      `The file ${taken} exists already; choose another name.`,
    );
    expect(sha(taken)).toBe(before);
    execFileSync(QEMU_IMG, ['create', '-q', '-f', 'qed', file('old.qed'), '1M']);
    await expect(convertDisk(QEMU_IMG, file('old.qed'), file('new.qcow2'), { format: 'qcow2' })).rejects.toThrow(
      `The disk ${file('old.qed')} is a qed image; Guesthouse converts raw, qcow2, vmdk, vdi, vhdx images.`,
    );
    expect(leftovers()).toEqual([]);
  });

  it('a linked clone of a snapshot writes on its own while the base stays byte for byte the same', async () => {
    const vmDisk = img('vm.qcow2');
    write(vmDisk, 0x61);
    await takeDiskSnapshots(QEMU_IMG, [vmDisk], 'gh-golden');
    write(vmDisk, 0x62); // the VM goes on after the snapshot
    const base = await extractSnapshotImage(QEMU_IMG, vmDisk, 'gh-golden', file('golden-base.qcow2'));
    expect(fs.statSync(base.file).mode & 0o222).toBe(0);
    const before = sha(base.file);
    fs.mkdirSync(file('clone'));
    const clone = await createLinkedImage(QEMU_IMG, base.file, file('clone/disk.qcow2'));
    expect(clone).toMatchObject({ backingFile: base.file, backingFileAsWritten: '../golden-base.qcow2', backingFormat: 'qcow2' });
    expect(holds(clone.file, 0x61)).toBe(true); // the snapshot's content, not the VM's later writes
    write(clone.file, 0x63);
    expect(holds(clone.file, 0x63)).toBe(true);
    expect(sha(base.file)).toBe(before);
    expect(holds(vmDisk, 0x62)).toBe(true);
  });

  it('copies a disk for a full clone with or without its snapshots', async () => {
    const src = img('full.qcow2');
    write(src, 0x71);
    await takeDiskSnapshots(QEMU_IMG, [src], 'gh-kept');
    write(src, 0x72);
    const percents: number[] = [];
    const withSnaps = await copyDisk(QEMU_IMG, src, file('copy-snaps.qcow2'), { keepSnapshots: true, onProgress: (p) => percents.push(p) });
    expect(withSnaps.snapshots.map((s) => s.tag)).toEqual(['gh-kept']);
    expect(percents.at(-1)).toBe(100);
    const plain = await copyDisk(QEMU_IMG, src, file('copy-plain.qcow2'), { keepSnapshots: false });
    expect(plain.snapshots).toEqual([]);
    expect(holds(plain.file, 0x72)).toBe(true);
    await revertDiskSnapshots(QEMU_IMG, [withSnaps.file], 'gh-kept');
    expect(holds(withSnaps.file, 0x71)).toBe(true);
    expect(holds(src, 0x72)).toBe(true);
    // A linked clone copied elsewhere keeps finding its base.
    const overlay = await createLinkedImage(QEMU_IMG, src, file('overlay.qcow2'));
    fs.mkdirSync(file('elsewhere'));
    const moved = await copyDisk(QEMU_IMG, overlay.file, file('elsewhere/overlay.qcow2'), { keepSnapshots: true });
    expect(moved).toMatchObject({ backingFile: src, backingFileAsWritten: '../full.qcow2' });
    expect(holds(moved.file, 0x72)).toBe(true);
  });

  it('converts a raw UEFI variable store to qcow2 once, keeping the raw file as a backup', async () => {
    const template = findUefiFirmware()?.vars;
    const source = template ?? img('vars-template.fd', '528K', 'raw');
    const vm = file('uefi-vm');
    fs.mkdirSync(vm);
    const [raw, qcow2, backup] = ['uefi-vars.fd', 'uefi-vars.qcow2', 'uefi-vars.fd.backup'].map((n) => path.join(vm, n));
    fs.copyFileSync(source, raw!);
    expect(await convertUefiVarsToQcow2(QEMU_IMG, raw!, qcow2!, backup!)).toEqual({ converted: true });
    expect(fs.existsSync(raw!)).toBe(false);
    expect(sha(backup!)).toBe(sha(source));
    // pflash wants the same size as the raw file had.
    expect(await diskInfo(QEMU_IMG, qcow2!)).toMatchObject({ format: 'qcow2', virtualSizeBytes: fs.statSync(source).size });
    execFileSync(QEMU_IMG, ['compare', '-q', '-f', 'raw', '-F', 'qcow2', backup!, qcow2!]);
    expect(await convertUefiVarsToQcow2(QEMU_IMG, raw!, qcow2!, backup!)).toEqual({ converted: false });
    // A crash after the qcow2 was written but before the raw file moved: the next call finishes.
    fs.copyFileSync(source, raw!);
    const done = sha(qcow2!);
    expect(await convertUefiVarsToQcow2(QEMU_IMG, raw!, qcow2!, backup!)).toEqual({ converted: false });
    expect([fs.existsSync(raw!), sha(qcow2!)]).toEqual([false, done]);
  });
});

/** Every QEMU a test started, killed at the end if a failed test left it running. */
const started: ChildProcess[] = [];

/** A QEMU with no guest, paused (-S), whose QMP connects to a socket the test listens on. */
async function startQemu(drives: string[], machine = 'pc'): Promise<{ qmp: QmpClient; quit: () => Promise<void>; kill: () => Promise<void> }> {
  const sock = path.join(dir, `qmp-${process.hrtime.bigint()}.sock`);
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(sock, r));
  const connected = new Promise<net.Socket>((r) => server.once('connection', r));
  const qemu = spawn(
    'qemu-system-x86_64',
    [
      '-S',
      '-nodefaults',
      '-display',
      'none',
      '-machine',
      machine,
      '-accel',
      'tcg',
      '-m',
      '64M',
      '-chardev',
      `socket,id=qmp,path=${sock}`,
      '-mon',
      'chardev=qmp,mode=control',
      ...drives,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  started.push(qemu);
  let stderr = '';
  qemu.stderr!.on('data', (d: Buffer) => (stderr += String(d)));
  const exited = new Promise<void>((r) => qemu.once('exit', () => r()));
  const socket = await Promise.race([connected, exited.then(() => Promise.reject(new Error(`QEMU exited: ${stderr}`)))]);
  server.close();
  const qmp = new QmpClient(socket);
  await qmp.handshake();
  return {
    qmp,
    quit: async () => {
      await qmp.execute('quit').catch(() => undefined);
      await exited;
    },
    kill: async () => {
      qemu.kill('SIGKILL');
      await exited;
    },
  };
}
const hmpWrite = (qmp: QmpClient, device: string, pattern: number) =>
  qmp.execute('human-monitor-command', { 'command-line': `qemu-io ${device} "write -P ${pattern} 0 64k"` });
const status = async (qmp: QmpClient) => (await qmp.execute<{ status: string }>('query-status')).status;
const drive = (id: string, image: string, format = 'qcow2') => [
  '-drive',
  `if=none,id=${id},file=${image},format=${format}`,
  '-device',
  `virtio-blk-pci,drive=${id}`,
];

describe('live snapshots with QEMU job commands', () => {
  if (skipBecause(missing)) return;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-live-'));
  });
  afterAll(() => {
    for (const qemu of started) if (qemu.exitCode === null && qemu.signalCode === null) qemu.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('saves, loads and deletes the whole machine on every writable disk; the guest runs on', async () => {
    const [d0, d1] = [img('live0.qcow2', '16M'), img('live1.qcow2')];
    let vm = await startQemu([...drive('d0', d0), ...drive('d1', d1)]);
    await vm.qmp.execute('cont');
    await hmpWrite(vm.qmp, 'd0', 0xaa);
    await hmpWrite(vm.qmp, 'd1', 0xaa);
    const statuses: string[] = [];
    const saved = await saveLiveSnapshot(vm.qmp, 'gh-s1', { onStatus: (s) => statuses.push(s) });
    expect(saved).toEqual({ disks: [d0, d1], vmstateDisk: d0 });
    expect(statuses.at(-1)).toBe('concluded');
    expect(await status(vm.qmp)).toBe('running');
    await hmpWrite(vm.qmp, 'd0', 0xbb);
    await hmpWrite(vm.qmp, 'd1', 0xbb);
    await saveLiveSnapshot(vm.qmp, 'gh-s2');
    await hmpWrite(vm.qmp, 'd0', 0xcc);
    await hmpWrite(vm.qmp, 'd1', 0xcc);
    // QEMU's own refusal comes back as the job's error, and the job is gone afterwards.
    await expect(saveLiveSnapshot(vm.qmp, 'gh-s1')).rejects.toThrow(
      "QEMU could not take the snapshot: Snapshot 'gh-s1' already exists in one or more devices.",
    );
    await loadLiveSnapshot(vm.qmp, 'gh-s1', saved.vmstateDisk);
    expect(await status(vm.qmp)).toBe('running');
    expect(await vm.qmp.execute('query-jobs')).toEqual([]);
    await vm.quit();
    expect([holds(d0, 0xaa), holds(d1, 0xaa)]).toEqual([true, true]);
    // The machine state is on the first disk only.
    const state = async (image: string) => (await listDiskSnapshots(QEMU_IMG, image)).map((s) => [s.tag, s.vmStateBytes > 0]);
    expect(await state(d0)).toEqual([
      ['gh-s1', true],
      ['gh-s2', true],
    ]);
    expect(await state(d1)).toEqual([
      ['gh-s1', false],
      ['gh-s2', false],
    ]);

    // A paused machine (here never started) loads and stays paused; delete leaves the other snapshot whole.
    vm = await startQemu([...drive('d0', d0), ...drive('d1', d1)]);
    await loadLiveSnapshot(vm.qmp, 'gh-s2', d0);
    expect(await status(vm.qmp)).not.toBe('running');
    await deleteLiveSnapshot(vm.qmp, 'gh-s2');
    await expect(loadLiveSnapshot(vm.qmp, 'gh-s2', d0)).rejects.toThrow(`The disk ${d0} does not hold the snapshot gh-s2.`);
    await hmpWrite(vm.qmp, 'd0', 0xdd);
    await loadLiveSnapshot(vm.qmp, 'gh-s1', d0);
    await vm.quit();
    expect([holds(d0, 0xaa), holds(d1, 0xaa)]).toEqual([true, true]);
    expect(await tags(d0)).toEqual(['gh-s1']);
    expect(await tags(d1)).toEqual(['gh-s1']);
  });

  it('QEMU killed during a save ends the wait with a sentence, and leaves a consistent image', async () => {
    const disk = img('killed.qcow2', '16M');
    const vm = await startQemu(drive('d0', disk));
    await hmpWrite(vm.qmp, 'd0', 0x3c);
    await vm.qmp.execute('human-monitor-command', { 'command-line': 'qemu-io d0 flush' }); // as a guest's fsync would
    const save = saveLiveSnapshot(vm.qmp, 'gh-cut', { onStatus: (s) => s === 'running' && void vm.kill() });
    await expect(save).rejects.toThrow(/^(QEMU could not take the snapshot: QEMU closed its control socket\.|QEMU is no longer running\.)$/);
    // qemu-img check: no corruption, whether the snapshot made it or not (the tree reconciles with what is there).
    execFileSync(QEMU_IMG, ['check', '-q', '-f', 'qcow2', disk]);
    expect(holds(disk, 0x3c)).toBe(true);
  });

  it('refuses a raw writable disk before QEMU is asked', async () => {
    const [q, raw] = [img('mixed.qcow2'), img('mixed.raw', '1M', 'raw')];
    const vm = await startQemu([...drive('d0', q), ...drive('d1', raw, 'raw')]);
    try {
      await expect(saveLiveSnapshot(vm.qmp, 'gh-no')).rejects.toThrow(
        `The disk ${raw} is a raw image, which cannot hold snapshots; convert it to qcow2 first (guesthouse disk convert).`,
      );
    } finally {
      await vm.quit();
    }
    expect(await tags(q)).toEqual([]);
  });

  const firmware = findUefiFirmware();
  it.skipIf(!firmware)('snapshots a UEFI machine: the qcow2 variable store is in, the read-only firmware code is not (raw store refused)', async () => {
    const disk = img('efi.qcow2');
    const vars = file('efi-vars.qcow2');
    execFileSync(QEMU_IMG, ['convert', '-f', 'raw', '-O', 'qcow2', firmware!.vars, vars]);
    const pflash = (varsFile: string, format: string) => [
      '-drive',
      `if=pflash,format=raw,unit=0,readonly=on,file=${firmware!.code}`,
      '-drive',
      `if=pflash,format=${format},unit=1,file=${varsFile}`,
    ];
    let vm = await startQemu([...pflash(vars, 'qcow2'), ...drive('d0', disk)], 'q35');
    const nodes = await writableBlockNodes(vm.qmp);
    expect(nodes.map((n) => [n.device, n.file])).toEqual([
      ['pflash1', vars],
      ['d0', disk],
    ]);
    const saved = await saveLiveSnapshot(vm.qmp, 'gh-efi');
    expect(saved).toEqual({ disks: [vars, disk], vmstateDisk: disk });
    await loadLiveSnapshot(vm.qmp, 'gh-efi', disk);
    await vm.quit();
    expect(await tags(vars)).toEqual(['gh-efi']);

    const rawVars = file('efi-vars.fd');
    fs.copyFileSync(firmware!.vars, rawVars);
    vm = await startQemu([...pflash(rawVars, 'raw'), ...drive('d0', disk)], 'q35');
    try {
      await expect(saveLiveSnapshot(vm.qmp, 'gh-raw')).rejects.toThrow(`The UEFI variable store ${rawVars} is a raw file, which cannot hold snapshots;`);
    } finally {
      await vm.quit();
    }
    expect(await tags(disk)).toEqual(['gh-efi']);
  });
});
