/**
 * The snapshot benchmark (`--only snapshot`): a live snapshot's take and revert of a running
 * tiny guest (128 MiB, and 1 GiB without --quick) through Guesthouse (the service's
 * takeSnapshot / revertSnapshot: guest host, QEMU's snapshot jobs, the config written) against
 * the same QMP commands typed by hand into a raw QEMU of the same argv (snapshot-save /
 * snapshot-load with every writable node, waiting for the job to conclude, job-dismiss).
 * Also what each snapshot costs on disk: the image's actual size before and after the take.
 * Measures and reports; never fails on a number.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildQemuArgv } from '../../core/node/guestHost/qemu/argv';
import { pickAccelerator } from '../../core/node/host/hostProbe';
import { RawQemu } from './rawQemu';
import { pairResult, summarize, type PairResult } from './stats';
import type { BenchContext, BenchGuest } from './context';

export type SnapshotGuest = Pick<BenchGuest, 'kernel' | 'initrd' | 'append' | 'readyMarker'>;

export type SnapshotBenchContext = BenchContext;

const MIB = 2 ** 20;
const now = () => performance.timeOrigin + performance.now();
interface ImageInfo {
  'actual-size': number;
  snapshots?: { name: string; 'vm-state-size': number }[];
}
const info = (file: string) => JSON.parse(execFileSync('qemu-img', ['info', '-U', '--output=json', file], { encoding: 'utf8' })) as ImageInfo;
/** The space an image takes on the host (qemu-img's actual size), read while a guest has it open. */
const actualBytes = (file: string) => info(file)['actual-size'];
/** The machine state a snapshot keeps in the image (its disk data costs only what changes after it). */
const stateBytes = (file: string, tag: string) => info(file).snapshots?.find((s) => s.name === tag)?.['vm-state-size'] ?? Number.NaN;

/** A snapshot job by hand: the command, then its JOB_STATUS_CHANGE to concluded, its error if any, and job-dismiss. */
async function rawJob(raw: RawQemu, command: string, args: Record<string, unknown>): Promise<void> {
  const id = `${command}-${Math.random().toString(36).slice(2, 8)}`;
  const concluded = raw.waitEvent((event, data) => event === 'JOB_STATUS_CHANGE' && data.id === id && data.status === 'concluded');
  await raw.execute(command, { 'job-id': id, ...args });
  await concluded;
  const jobs = await raw.execute<{ id: string; error?: string }[]>('query-jobs');
  await raw.execute('job-dismiss', { id });
  const error = jobs.find((j) => j.id === id)?.error;
  if (error) throw new Error(`${command}: ${error}`);
}

export async function benchSnapshot(c: SnapshotBenchContext, g: SnapshotGuest): Promise<{ pairs: PairResult[]; extra: Record<string, unknown> }> {
  const pairs: PairResult[] = [];
  const extra: Record<string, unknown> = {};
  const binary = c.host.qemu.binaries.find((b) => b.arch === 'x86_64')!.path;
  for (const memoryMib of c.quick ? [128] : [128, 1024]) {
    const name = `snap-${memoryMib}`;
    const vm = await c.ensureVm(name, {
      osType: 'other-x64',
      memoryMib,
      kernelPath: g.kernel,
      initrdPath: g.initrd,
      append: g.append,
      network: 'none',
      diskSizeBytes: 64 * MIB,
      diskBus: 'virtio',
    });
    await c.service.startVm(name);
    await c.consoleMarker(c.service, name, g.readyMarker);
    const disk = path.join(vm.folder, vm.config.disks[0]!.path);

    // The same machine by hand: its own copy of the argv, on a disk of its own.
    const rawDisk = path.join(vm.folder, 'raw-bench.qcow2');
    fs.rmSync(rawDisk, { force: true });
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', rawDisk, String(64 * MIB)]);
    const qmp = path.join(c.runtimeDir, 'rawsnap.qmp');
    const ser = path.join(c.runtimeDir, 'rawsnap.ser');
    const config = {
      ...vm.config,
      identity: { ...vm.config.identity, uuid: '00000000-0000-4000-8000-000000000002' },
      disks: [{ path: rawDisk, format: 'qcow2' as const, owned: false }],
    };
    const argv = buildQemuArgv(config, vm.folder, { accelerator: pickAccelerator('auto', c.host).accelerator, qmpSocket: qmp, serialSocket: ser });
    const raw = new RawQemu();
    await raw.start(binary, argv, qmp, ser);
    await raw.waitFor(g.readyMarker);
    // What a person looks up once: the writable nodes and which one takes the machine state.
    const nodes = (await raw.execute<{ inserted?: { 'node-name': string; ro: boolean } }[]>('query-block'))
      .filter((b) => b.inserted && !b.inserted.ro)
      .map((b) => b.inserted!['node-name']);

    const take: [number, number][] = [];
    const revert: [number, number][] = [];
    const cost: [number, number][] = [];
    /** The image's growth at the first snapshot (later ones reuse what deleted ones freed). */
    const firstGrowth: number[] = [];
    for (let i = 0; i < c.warmup + c.pairs; i++) {
      const tag = `s${i}`;
      // A: Guesthouse.
      const ghBefore = actualBytes(disk);
      let t = now();
      const taken = await c.service.takeSnapshot(name, { name: tag });
      const ghTake = now() - t;
      const ghCost = stateBytes(disk, taken.id);
      if (i === 0) firstGrowth.push(actualBytes(disk) - ghBefore);
      t = now();
      await c.service.revertSnapshot(name, tag);
      const ghRevert = now() - t;
      await c.service.deleteSnapshot(name, tag);
      // B: by hand.
      const rawBefore = actualBytes(rawDisk);
      t = now();
      await rawJob(raw, 'snapshot-save', { tag, vmstate: nodes[0], devices: nodes });
      const rawTake = now() - t;
      const rawCost = stateBytes(rawDisk, tag);
      if (i === 0) firstGrowth.push(actualBytes(rawDisk) - rawBefore);
      t = now();
      await rawJob(raw, 'snapshot-load', { tag, vmstate: nodes[0], devices: nodes });
      const rawRevert = now() - t;
      await rawJob(raw, 'snapshot-delete', { tag, devices: nodes });
      if (i < c.warmup) continue;
      take.push([ghTake, rawTake]);
      revert.push([ghRevert, rawRevert]);
      cost.push([ghCost / MIB, rawCost / MIB]);
      c.log(
        `snapshot ${memoryMib} MiB pair ${i - c.warmup + 1}: take ${ghTake.toFixed(0)} vs ${rawTake.toFixed(0)} ms, revert ${ghRevert.toFixed(0)} vs ${rawRevert.toFixed(0)} ms, cost ${(ghCost / MIB).toFixed(1)} vs ${(rawCost / MIB).toFixed(1)} MiB`,
      );
    }
    await raw.stop();
    fs.rmSync(rawDisk, { force: true });
    await c.service.powerOffVm(name);
    pairs.push(
      pairResult(`live snapshot take, ${memoryMib} MiB guest`, 'ms', 'guesthouse takeSnapshot', 'QMP snapshot-save by hand', take, '≤ 1.1'),
      pairResult(`live snapshot revert, ${memoryMib} MiB guest`, 'ms', 'guesthouse revertSnapshot', 'QMP snapshot-load by hand', revert, '≤ 1.1'),
    );
    extra[`diskCostMib${memoryMib}`] = {
      guesthouse: summarize(cost.map((p) => p[0])),
      raw: summarize(cost.map((p) => p[1])),
      firstGrowthMib: firstGrowth.map((b) => b / MIB),
    };
  }
  return { pairs, extra };
}

/** The disk cost lines of the Markdown report. */
export function snapshotMarkdown(extra: Record<string, unknown>): string[] {
  const lines = [
    '| disk space a live snapshot costs: machine state kept (median) | Guesthouse MiB | by hand MiB | image growth at the first snapshot (Guesthouse / by hand) MiB |',
    '|---|---|---|---|',
  ];
  for (const [key, value] of Object.entries(extra)) {
    const v = value as { guesthouse: { median: number }; raw: { median: number }; firstGrowthMib: number[] };
    lines.push(
      `| ${key.replace('diskCostMib', '')} MiB guest | ${v.guesthouse.median.toFixed(1)} | ${v.raw.median.toFixed(1)} | ${v.firstGrowthMib.map((g) => g.toFixed(1)).join(' / ')} |`,
    );
  }
  return [...lines, ''];
}
