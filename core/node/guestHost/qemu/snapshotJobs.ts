import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { GuesthouseError } from '../../../common/errors';
import { m, type MessageKey } from '../../../common/messages';
import type { QmpClient, QmpEvent } from './qmp';

/**
 * Live snapshots of a running or paused guest with QEMU's job commands (since QEMU 6.0):
 * `snapshot-save` / `snapshot-load` / `snapshot-delete`, each given every writable block
 * node of the machine (disks and the UEFI variable store; the read-only OVMF code and
 * CD-ROMs are not), then waited for until the job concludes, its error reported, and the
 * job dismissed. QEMU stops the guest for the save or load and resumes it afterwards if
 * it was running (STOP and RESUME events with status save-vm / restore-vm in between).
 */

/** A writable image QEMU has open, as `query-block` shows it. */
export interface SnapshotBlockNode {
  /** The BlockBackend's name (`virtio0`, `disk0`, `pflash1`, a `-drive id=`); empty for -blockdev ones. */
  device: string;
  /** The top node, the one a snapshot job is given. */
  nodeName: string;
  /** The image file (absolute). */
  file: string;
  /** The image format (`qcow2`, `raw`…). */
  format: string;
  /** The internal snapshots the image holds: their tags and the size of the machine state each keeps there. */
  snapshots: { tag: string; vmStateBytes: number }[];
}

interface QueryBlockEntry {
  device: string;
  qdev?: string;
  inserted?: {
    'node-name': string;
    ro: boolean;
    drv: string;
    file: string;
    image?: { snapshots?: { name: string; 'vm-state-size': number }[] };
  };
}

interface QueryJobsEntry {
  id: string;
  type: string;
  status: string;
  error?: string;
}

/** Every writable image the guest has (read-only ones, the OVMF code and CD-ROMs, hold nothing to snapshot). */
export async function writableBlockNodes(qmp: QmpClient): Promise<SnapshotBlockNode[]> {
  const blocks = await qmp.execute<QueryBlockEntry[]>('query-block');
  return blocks
    .filter((b) => b.inserted && !b.inserted.ro)
    .map((b) => ({
      device: b.device,
      nodeName: b.inserted!['node-name'],
      file: b.inserted!.file,
      format: b.inserted!.drv,
      snapshots: (b.inserted!.image?.snapshots ?? []).map((s) => ({ tag: s.name, vmStateBytes: s['vm-state-size'] })),
    }));
}

/** Refuses, with a sentence that says how to fix it, images that cannot hold an internal snapshot. */
export function requireSnapshotNodes(nodes: readonly SnapshotBlockNode[]): void {
  if (nodes.length === 0) throw new GuesthouseError('invalid-state', m('snapshot.noDisks'));
  for (const node of nodes) {
    if (node.format === 'qcow2') continue;
    if (node.device.startsWith('pflash')) throw new GuesthouseError('invalid-state', m('snapshot.rawUefiVars', { path: node.file }));
    throw new GuesthouseError('invalid-state', m('disk.notQcow2', { path: node.file, format: node.format }));
  }
}

/**
 * The node that holds the machine state: the one whose image is `file` when given (a load
 * must use the node the save used), else the first disk that is not a flash chip.
 */
export function vmstateNode(nodes: readonly SnapshotBlockNode[], file?: string | null): SnapshotBlockNode {
  if (file) {
    const wanted = path.resolve(file);
    const hit = nodes.find((n) => path.resolve(n.file) === wanted);
    if (!hit) throw new GuesthouseError('invalid-state', m('snapshot.vmstateMissing', { path: file }));
    return hit;
  }
  return nodes.find((n) => !n.device.startsWith('pflash')) ?? nodes[0]!;
}

export interface SnapshotJobOptions {
  /** Give up waiting after this long (default 10 minutes: a large guest's memory under TCG). */
  timeoutMs?: number;
  /** Each status the job goes through (created, running, waiting, pending, concluded…), for a progress line. */
  onStatus?: (status: string) => void;
}

const failures = {
  'snapshot-save': 'snapshot.saveFailed',
  'snapshot-load': 'snapshot.loadFailed',
  'snapshot-delete': 'snapshot.deleteFailed',
} as const satisfies Record<string, MessageKey>;
type SnapshotCommand = keyof typeof failures;

/**
 * Runs one snapshot job to its end: listens for its JOB_STATUS_CHANGE events before it is
 * started (so none is missed), waits for `concluded`, reads its error from `query-jobs`,
 * and dismisses it whether it failed or not. A failure becomes a GuesthouseError with
 * QEMU's reason; QEMU going away ends the wait with its sentence.
 */
export async function runSnapshotJob(qmp: QmpClient, command: SnapshotCommand, args: Record<string, unknown>, options: SnapshotJobOptions = {}): Promise<void> {
  const jobId = `gh-${command}-${randomUUID().slice(0, 8)}`;
  // QEMU's reasons come without a full stop; the sentence gets one.
  const fail = (detail: string) => new GuesthouseError('engine-failed', m(failures[command], { detail: detail.replace(/[.]?$/, '.') }));
  let onEvent: (e: QmpEvent) => void = () => undefined;
  let onClose: () => void = () => undefined;
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  const concluded = new Promise<void>((resolve, reject) => {
    onEvent = (e) => {
      if (e.event !== 'JOB_STATUS_CHANGE' || e.data?.id !== jobId) return;
      const status = String(e.data.status);
      if (done) return; // the dismissal's 'null' is not the job's progress
      options.onStatus?.(status);
      if (status === 'concluded') {
        done = true;
        resolve();
      }
    };
    onClose = () => reject(new GuesthouseError('engine-failed', m('qemu.gone')));
    timer = setTimeout(
      () => reject(new GuesthouseError('timeout', m('snapshot.timeout', { seconds: Math.round((options.timeoutMs ?? 600_000) / 1000) }))),
      options.timeoutMs ?? 600_000,
    );
  });
  // Awaited below; until then a rejection (QEMU gone while the command is on its way) is not unhandled.
  concluded.catch(() => undefined);
  qmp.on('event', onEvent);
  qmp.once('close', onClose);
  try {
    try {
      await qmp.execute(command, { 'job-id': jobId, ...args });
    } catch (err) {
      // Refused before any job existed (a bad argument, an old QEMU).
      throw fail((err as Error).message);
    }
    await concluded;
    const jobs = await qmp.execute<QueryJobsEntry[]>('query-jobs');
    const error = jobs.find((j) => j.id === jobId)?.error;
    await qmp.execute('job-dismiss', { id: jobId }).catch(() => undefined);
    if (error) throw fail(error);
  } finally {
    clearTimeout(timer);
    qmp.off('event', onEvent);
    qmp.off('close', onClose);
  }
}

export interface LiveSnapshotResult {
  /** The images that now hold the snapshot. */
  disks: string[];
  /** The image that holds the machine state. */
  vmstateDisk: string;
}

/**
 * Takes a live snapshot `tag` of the whole machine: memory on the first disk (or
 * `vmstateFile`), every writable image's contents. Raw images are refused before QEMU is
 * asked, so a refusal changes nothing; a tag that exists already is QEMU's refusal.
 */
export async function saveLiveSnapshot(qmp: QmpClient, tag: string, options: SnapshotJobOptions & { vmstateFile?: string } = {}): Promise<LiveSnapshotResult> {
  const nodes = await writableBlockNodes(qmp);
  requireSnapshotNodes(nodes);
  const vmstate = vmstateNode(nodes, options.vmstateFile);
  await runSnapshotJob(qmp, 'snapshot-save', { tag, vmstate: vmstate.nodeName, devices: nodes.map((n) => n.nodeName) }, options);
  return { disks: nodes.map((n) => n.file), vmstateDisk: vmstate.file };
}

/**
 * Brings the whole machine back to the live snapshot `tag`; `vmstateFile` is the image the
 * save put the machine state on. A guest that was running runs on from the snapshot; a
 * paused one stays paused. Every image is checked to hold the snapshot (and the state
 * image its machine state) before QEMU is asked, so such a refusal changes nothing. QEMU
 * 7.2 leaves the guest stopped (status restore-vm) when the load itself fails; its disks
 * may then be at the snapshot already, so the caller powers it off rather than resuming it.
 */
export async function loadLiveSnapshot(qmp: QmpClient, tag: string, vmstateFile: string, options: SnapshotJobOptions = {}): Promise<void> {
  const nodes = await writableBlockNodes(qmp);
  requireSnapshotNodes(nodes);
  const vmstate = vmstateNode(nodes, vmstateFile);
  const lacking = nodes.find((n) => !n.snapshots.some((s) => s.tag === tag));
  if (lacking) throw new GuesthouseError('invalid-state', m('disk.missingSnapshot', { path: lacking.file, tag }));
  if (!vmstate.snapshots.some((s) => s.tag === tag && s.vmStateBytes > 0)) throw new GuesthouseError('invalid-state', m('snapshot.noMachineState', { tag }));
  await runSnapshotJob(qmp, 'snapshot-load', { tag, vmstate: vmstate.nodeName, devices: nodes.map((n) => n.nodeName) }, options);
}

/** Deletes the snapshot `tag` from every writable image (an image without it is left alone). */
export async function deleteLiveSnapshot(qmp: QmpClient, tag: string, options: SnapshotJobOptions = {}): Promise<void> {
  const nodes = await writableBlockNodes(qmp);
  requireSnapshotNodes(nodes);
  await runSnapshotJob(qmp, 'snapshot-delete', { tag, devices: nodes.map((n) => n.nodeName) }, options);
}
