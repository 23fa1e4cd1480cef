// A VM's snapshot tree on its disks: take, list, revert, delete. Live (running or paused):
// QEMU's snapshot jobs in the guest host, on every writable image, memory included. Offline
// (stopped): qemu-img under the VM's lock, so no QEMU has an image open. One kind only:
// internal qcow2 snapshots with Guesthouse's tags (`gh-…`), the UEFI variable store included.
//
// Crash order: a take writes the disks, then the config; a delete the config, then the
// disks. So the config never lists a snapshot a disk lacks, and what a crash leaves behind
// is a tag nobody lists, which `reconcile` (before each operation) deletes; a snapshot a
// disk lacks all the same (a disk put back from elsewhere) leaves the tree.
//
// Revert of a stopped VM to a live snapshot starts the VM from it: QEMU starts paused, loads
// the snapshot and runs on (VirtualBox restores a saved state; here the guest runs at once).
// A running VM reverts to a live snapshot in place; to an offline one, only once powered off.
import fs from 'node:fs';
import path from 'node:path';
import type { HostBasics, RevertOptions, SnapshotInfo, SnapshotList, SnapshotRequest } from '../../common/api';
import { revertOptionsSchema, snapshotRequestSchema } from '../../common/apiSchemas';
import { parseOrThrow, vmConfigSchema, type VmConfig } from '../../common/config';
import { GuesthouseError, throwProblems } from '../../common/errors';
import { m } from '../../common/messages';
import { capabilitiesOf, whyNot } from '../../common/capabilities';
import type { BootSpec } from '../../common/protocol';
import {
  addSnapshot,
  deleteSnapshot as dropSnapshot,
  findSnapshot,
  markCurrentChanged,
  newSnapshotId,
  reconcileSnapshotTree,
  revertToSnapshot,
  snapshotDescriptionSchema,
  snapshotNameProblems,
  SNAPSHOT_DESCRIPTION_MAX_LENGTH,
  type Snapshot,
  type SnapshotTree,
} from '../../common/snapshots';
import { hasEnded, isActionAllowed, stateWord } from '../../common/state';
import type { Library, LibraryEntry } from '../library/library';
import { linkedClonesOf } from '../library/linkedClones';
import { convertUefiVarsToQcow2, deleteDiskSnapshots, listDiskSnapshots, revertDiskSnapshots, takeDiskSnapshots } from '../library/snapshotDisks';
import { rawUefiVarsFile, snapshotOfBaseFile, uefiVarsBackupFile, uefiVarsFile, UEFI_VARS_NAME } from '../shared/vmFolder';
import { updateVmConfig } from './configWrites';
import { qemuImgPath, snapshotsUnsupported } from './engineChoice';
import { Progress } from './progress';
import type { RunningGuest } from './runningGuest';
import type { ServiceEvents } from './serviceEvents';
import type { StateMirror } from './stateMirror';
import type { VmQueue } from './vmQueue';

export interface SnapshotContext {
  library: Library;
  host: () => Promise<HostBasics>;
  mirror: StateMirror;
  events: ServiceEvents;
  queue: VmQueue;
  /** Starts a stopped VM; `extra` goes into its boot spec (a live snapshot to load). */
  start: (ref: string, extra?: Pick<BootSpec, 'loadSnapshot'>) => Promise<void>;
}

/** An image a snapshot is on: as the config (and the snapshot) names it, and where it is. */
interface SnapshotImage {
  name: string;
  file: string;
}

/** The settings a snapshot keeps, restored on revert: all but the identity and the tree. */
export function settingsOf(config: VmConfig): Record<string, unknown> {
  const { version: _v, identity: _i, snapshots: _s, ...settings } = config;
  return settings;
}

/** What must match for a live snapshot to load into the running machine (the CD and timeouts may differ). */
function machineOf(settings: Record<string, unknown> | null): string {
  if (!settings) return '';
  const { optical: _o, shutdownTimeoutMs: _t, engine: _e, accelerator: _a, ...machine } = settings;
  return JSON.stringify(machine, Object.keys(machine).sort());
}

/** The config with a snapshot's settings back (what does not validate any more stays as it is now). */
function withSettings(config: VmConfig, settings: Record<string, unknown> | null): VmConfig {
  if (!settings) return config;
  const next = vmConfigSchema.safeParse({ ...config, ...settings, version: config.version, identity: config.identity, snapshots: config.snapshots });
  return next.success ? next.data : config;
}

/** The images a VM's snapshots go on now: its disks and, once it has one, its UEFI variable store. */
export function snapshotImages(config: VmConfig, dir: string): SnapshotImage[] {
  const images = config.disks.map((d) => ({ name: d.path, file: path.resolve(dir, d.path) }));
  if (config.firmware === 'uefi' && fs.existsSync(uefiVarsFile(dir))) images.push({ name: UEFI_VARS_NAME, file: uefiVarsFile(dir) });
  return images;
}

/** A snapshot's images, by the names it keeps. */
const imagesOf = (names: readonly string[], dir: string): SnapshotImage[] => names.map((name) => ({ name, file: path.resolve(dir, name) }));

/** The sentence naming the linked clones that stand on a snapshot. */
const cloneList = (names: readonly string[]) => names.map((n) => `"${n}"`).join(', ');

export class Snapshots {
  /**
   * VMs whose tree and disks agree as far as this service knows: reconciled since it started,
   * and no operation on them failed since (what is left behind comes from a crash or a failure).
   */
  private readonly agreed = new Set<string>();

  constructor(private readonly c: SnapshotContext) {}

  private async qemuImg(): Promise<string> {
    return qemuImgPath(await this.c.host());
  }

  /** The VM as it is on disk now (an operation that waited its turn re-reads it). */
  private fresh(uuid: string): LibraryEntry {
    return this.c.library.find(uuid);
  }

  /**
   * How an operation on the VM goes now: `live` through its running guest, `offline` with
   * qemu-img; a saved machine state or a VM on its way up or down is refused with a sentence.
   */
  private mode(entry: LibraryEntry, action: 'takeSnapshot' | 'revertSnapshot' | 'deleteSnapshot'): { live: RunningGuest } | { live: null } {
    const { uuid, name } = entry.config.identity;
    const state = this.c.mirror.summary(entry).state;
    if (!isActionAllowed(action, state)) {
      if (state === 'saved') throw new GuesthouseError('invalid-state', m('snapshot.savedState', { name }));
      throw new GuesthouseError('invalid-state', m('snapshot.notNow', { name, state: stateWord(state) }));
    }
    if (hasEnded(state)) return { live: null };
    const guest = this.c.mirror.guest(uuid)!;
    const refused = guest.runtime && whyNot(capabilitiesOf(guest.runtime.engine).liveSnapshots, { name });
    if (refused) throw new GuesthouseError('invalid-state', refused);
    return { live: guest };
  }

  private async requireSupported(entry: LibraryEntry, live: RunningGuest | null): Promise<void> {
    const reason = snapshotsUnsupported(entry, await this.c.host(), live ? (live.runtime?.engine ?? 'qemu') : undefined, live !== null);
    if (reason) throw new GuesthouseError('invalid-state', reason);
  }

  /**
   * The tree and the disks agree again after a crash: a snapshot some image lacks leaves the
   * tree, and a tag of Guesthouse's no snapshot has (a take or delete cut short, a revert's
   * undo point) is deleted, through the running guest or with qemu-img. Where an image cannot
   * be read at all (a missing disk), nothing is changed.
   */
  private async reconcile(entry: LibraryEntry, live: RunningGuest | null): Promise<LibraryEntry> {
    const { config, dir } = entry;
    if (this.agreed.has(config.identity.uuid)) return entry;
    const qemuImg = await this.qemuImg();
    const images = new Map<string, string>();
    for (const image of [...snapshotImages(config, dir), ...config.snapshots.nodes.flatMap((n) => imagesOf(n.disks, dir))]) images.set(image.name, image.file);
    const formats = new Map(config.disks.map((d) => [d.path, d.format]));
    const tags = new Map<string, Set<string>>();
    for (const [name, file] of images) {
      if ((formats.get(name) ?? 'qcow2') !== 'qcow2') continue;
      try {
        tags.set(name, new Set((await listDiskSnapshots(qemuImg, file)).map((s) => s.tag)));
      } catch {
        return entry;
      }
    }
    const { tree, dropped, orphans } = reconcileSnapshotTree(config.snapshots, tags);
    let now = entry;
    if (dropped.length) now = updateVmConfig(this.c, config.identity.uuid, (c) => ({ ...c, snapshots: tree }));
    for (const tag of new Set([...orphans.values()].flat())) {
      if (live) await live.request('snapshotDelete', { snapshot: { tag } }).catch(() => undefined);
    }
    if (!live) {
      for (const [name, list] of orphans) for (const tag of list) await deleteDiskSnapshots(qemuImg, [images.get(name)!], tag).catch(() => undefined);
    }
    this.agreed.add(config.identity.uuid);
    return now;
  }

  /** A stopped UEFI VM's raw variable store (from an older version) becomes qcow2 first, so snapshots hold it. */
  private async qcow2UefiVars(entry: LibraryEntry): Promise<void> {
    if (entry.config.firmware !== 'uefi') return;
    await convertUefiVarsToQcow2(await this.qemuImg(), rawUefiVarsFile(entry.dir), uefiVarsFile(entry.dir), uefiVarsBackupFile(entry.dir));
  }

  /** Runs `work` on a stopped VM under its lock, the tree first reconciled with the disks. */
  private async offline<T>(entry: LibraryEntry, work: (entry: LibraryEntry) => Promise<T>): Promise<T> {
    const release = this.c.library.guard(entry.dir, entry.config.identity.name);
    try {
      await this.qcow2UefiVars(entry);
      return await work(await this.reconcile(this.fresh(entry.config.identity.uuid), null));
    } finally {
      release();
    }
  }

  /** Runs `work` in the VM's turn; a failure may leave what reconcile cleans up, so the next operation looks. */
  private turn<T>(uuid: string, work: () => Promise<T>): Promise<T> {
    return this.c.queue.run(uuid, async () => {
      try {
        return await work();
      } catch (err) {
        this.agreed.delete(uuid);
        throw err;
      }
    });
  }

  async list(ref: string): Promise<SnapshotList> {
    const entry = this.c.library.find(ref);
    const tree = entry.config.snapshots;
    const clones = linkedClonesOf(this.c.library, entry);
    const guest = this.c.mirror.guest(entry.config.identity.uuid);
    const unsupported = snapshotsUnsupported(entry, await this.c.host(), guest?.runtime?.engine, guest?.runtime !== undefined);
    return {
      snapshots: tree.nodes.map((n) => this.info(n, clones)),
      currentId: tree.currentId,
      currentChanged: tree.currentChanged,
      unsupported,
    };
  }

  private info(node: Snapshot, clones: Map<string, string[]>): SnapshotInfo {
    const { id, name, description, createdAt, parentId, kind } = node;
    return { id, name, description, createdAt, parentId, kind, linkedClones: clones.get(id) ?? [] };
  }

  async take(ref: string, request: SnapshotRequest): Promise<SnapshotInfo> {
    const req = parseOrThrow(snapshotRequestSchema, request, m('term.snapshot'));
    const uuid = this.c.library.find(ref).config.identity.uuid;
    return this.turn(uuid, async () => {
      const entry = this.fresh(uuid);
      // Bad input is refused before the operation begins (no progress to show for it).
      this.checkNew(entry.config.snapshots, req.name, req.description ?? '');
      this.mode(entry, 'takeSnapshot');
      const progress = new Progress(this.c.events, uuid, 'snapshot-take');
      return progress.run(async () => {
        const node = await this.takeNow(entry, req.name, req.description ?? '', progress);
        progress.done(m('progress.taken', { name: node.name }));
        return this.info(node, new Map());
      });
    });
  }

  /** Checks a new snapshot's name and description against the tree, before anything is done. */
  private checkNew(tree: SnapshotTree, name: string, description: string): void {
    const problems = snapshotNameProblems(name, tree);
    const parsed = snapshotDescriptionSchema.safeParse(description);
    if (!parsed.success) problems.push(m('snapshot.descriptionTooLong', { max: SNAPSHOT_DESCRIPTION_MAX_LENGTH }));
    throwProblems(problems, m('term.snapshot'));
  }

  /** Takes a snapshot (the queue's turn is the caller's): disks first, then the config. */
  private async takeNow(entry: LibraryEntry, name: string, description: string, progress: Progress): Promise<Snapshot> {
    const { uuid } = entry.config.identity;
    this.checkNew(entry.config.snapshots, name, description);
    const { live } = this.mode(entry, 'takeSnapshot');
    await this.requireSupported(entry, live);
    const id = newSnapshotId();
    const step = m('progress.taking', { name });
    progress.step(step);
    let disks: string[];
    let vmstateDisk: string | null = null;
    let undo: () => Promise<void>;
    let now: LibraryEntry;
    if (live) {
      now = await this.reconcile(entry, live);
      this.checkNew(now.config.snapshots, name, description);
      const { snapshot: saved } = await live.request(
        'snapshotSave',
        { snapshot: { tag: id } },
        { onProgress: (status) => progress.step(m('progress.job', { step, status })) },
      );
      const nameOf = (file: string) => snapshotImages(now.config, now.dir).find((i) => i.file === path.resolve(file))?.name ?? file;
      disks = saved.disks.map(nameOf);
      vmstateDisk = nameOf(saved.vmstateDisk);
      undo = () => live.request('snapshotDelete', { snapshot: { tag: id } }).then(() => undefined);
    } else {
      const qemuImg = await this.qemuImg();
      ({ disks, undo, now } = await this.offline(entry, async (e) => {
        this.checkNew(e.config.snapshots, name, description);
        const images = snapshotImages(e.config, e.dir);
        await takeDiskSnapshots(
          qemuImg,
          images.map((i) => i.file),
          id,
        );
        return {
          disks: images.map((i) => i.name),
          undo: () =>
            deleteDiskSnapshots(
              qemuImg,
              images.map((i) => i.file),
              id,
            ),
          now: e,
        };
      }));
    }
    const kind = live ? 'live' : 'offline';
    let node!: Snapshot;
    try {
      updateVmConfig(this.c, uuid, (config) => {
        let tree = addSnapshot(config.snapshots, {
          id,
          name,
          description,
          createdAt: new Date().toISOString(),
          kind,
          disks,
          vmstateDisk,
          settings: settingsOf(now.config),
        });
        // A guest that runs on has changed since the snapshot the moment it was taken.
        if (live?.state === 'running') tree = markCurrentChanged(tree);
        node = tree.nodes.at(-1)!;
        return { ...config, snapshots: tree };
      });
    } catch (err) {
      // The config could not say so (a full disk): the disks give the snapshot up again.
      await undo().catch(() => undefined);
      throw err;
    }
    return node;
  }

  async revert(ref: string, snapshotRef: string, options?: RevertOptions): Promise<void> {
    const opts = parseOrThrow(revertOptionsSchema, options ?? {}, m('term.snapshot'));
    const uuid = this.c.library.find(ref).config.identity.uuid;
    const pending: { startFrom?: Snapshot } = {};
    await this.turn(uuid, async () => {
      const entry = this.fresh(uuid);
      const node = findSnapshot(entry.config.snapshots, snapshotRef);
      if (opts.takeCurrentAs !== undefined) this.checkNew(entry.config.snapshots, opts.takeCurrentAs, '');
      const { live } = this.mode(entry, 'revertSnapshot');
      await this.requireSupported(entry, live);
      const name = entry.config.identity.name;
      if (live) {
        if (node.kind === 'offline') throw new GuesthouseError('invalid-state', m('snapshot.offlineWhileRunning', { name, snapshot: node.name }));
        if (machineOf(node.settings) !== machineOf(settingsOf(entry.config)))
          throw new GuesthouseError('invalid-state', m('snapshot.settingsChanged', { name, snapshot: node.name }));
      }
      const progress = new Progress(this.c.events, uuid, 'snapshot-revert');
      await progress.run(async () => {
        if (opts.takeCurrentAs !== undefined) await this.takeNow(entry, opts.takeCurrentAs, '', progress);
        const step = m('progress.reverting', { name: node.name });
        progress.step(step);
        if (live) {
          const now = await this.reconcile(this.fresh(uuid), live);
          const target = findSnapshot(now.config.snapshots, node.id);
          const vmstateFile = path.resolve(now.dir, target.vmstateDisk ?? '');
          await live.request(
            'snapshotLoad',
            { snapshot: { tag: target.id, vmstateFile } },
            { onProgress: (status) => progress.step(m('progress.job', { step, status })) },
          );
          updateVmConfig(this.c, uuid, (config) => {
            const tree = revertToSnapshot(config.snapshots, target.id);
            return { ...config, snapshots: live.state === 'running' ? markCurrentChanged(tree) : tree };
          });
          progress.done(m('progress.reverted', { name: target.name }));
          return;
        }
        const qemuImg = await this.qemuImg();
        await this.offline(this.fresh(uuid), async (now) => {
          const target = findSnapshot(now.config.snapshots, node.id);
          if (target.kind === 'live') {
            // Started from it once the lock is let go; meanwhile the settings the machine state needs come back.
            updateVmConfig(this.c, uuid, (config) => ({ ...withSettings(config, target.settings), snapshots: markCurrentChanged(config.snapshots) }));
            pending.startFrom = target;
            return;
          }
          await revertDiskSnapshots(
            qemuImg,
            imagesOf(target.disks, now.dir).map((i) => i.file),
            target.id,
          );
          updateVmConfig(this.c, uuid, (config) => ({ ...withSettings(config, target.settings), snapshots: revertToSnapshot(config.snapshots, target.id) }));
        });
        if (!pending.startFrom) progress.done(m('progress.reverted', { name: node.name }));
      });
    });
    const target = pending.startFrom;
    if (!target) return;
    // A live snapshot of a stopped VM: the VM starts from it (outside the queue, which a start waits for).
    const progress = new Progress(this.c.events, uuid, 'snapshot-revert');
    await progress.run(async () => {
      const entry = this.fresh(uuid);
      await this.c.start(uuid, { loadSnapshot: { tag: target.id, vmstateFile: path.resolve(entry.dir, target.vmstateDisk ?? '') } }).catch((err: unknown) => {
        this.agreed.delete(uuid);
        throw err;
      });
      await this.c.queue.run(uuid, async () => {
        updateVmConfig(this.c, uuid, (config) => ({ ...config, snapshots: markCurrentChanged(revertToSnapshot(config.snapshots, target.id)) }));
      });
      progress.done(m('progress.reverted', { name: target.name }));
    });
  }

  async delete(ref: string, snapshotRef: string): Promise<void> {
    const uuid = this.c.library.find(ref).config.identity.uuid;
    await this.turn(uuid, async () => {
      const entry = this.fresh(uuid);
      const node = findSnapshot(entry.config.snapshots, snapshotRef);
      const clones = linkedClonesOf(this.c.library, entry).get(node.id);
      if (clones?.length) throw new GuesthouseError('invalid-state', m('snapshot.hasClones', { snapshot: node.name, clones: cloneList(clones) }));
      const { live } = this.mode(entry, 'deleteSnapshot');
      await this.requireSupported(entry, live);
      const progress = new Progress(this.c.events, uuid, 'snapshot-delete');
      await progress.run(async () => {
        const step = m('progress.deleting', { name: node.name });
        progress.step(step);
        if (live) {
          await this.reconcile(entry, live);
          // The config first: a crash between the two leaves a tag nobody lists, which reconcile deletes.
          updateVmConfig(this.c, uuid, (config) => ({ ...config, snapshots: dropSnapshot(config.snapshots, node.id) }));
          await live.request('snapshotDelete', { snapshot: { tag: node.id } }, { onProgress: (status) => progress.step(m('progress.job', { step, status })) });
        } else {
          const qemuImg = await this.qemuImg();
          await this.offline(entry, async (now) => {
            updateVmConfig(this.c, uuid, (config) => ({ ...config, snapshots: dropSnapshot(config.snapshots, node.id) }));
            const files = imagesOf(node.disks, now.dir)
              .filter((i) => fs.existsSync(i.file))
              .map((i) => i.file);
            if (files.length) await deleteDiskSnapshots(qemuImg, files, node.id);
          });
        }
        // The base images linked clones of it stood on (none stand on them now).
        for (const name of fs.readdirSync(entry.dir)) if (snapshotOfBaseFile(name) === node.id) fs.rmSync(path.join(entry.dir, name), { force: true });
        progress.done(m('progress.deleted', { name: node.name }));
      });
    });
  }

  /** The VM has run since its current snapshot (it started or resumed): the tree says so. */
  async markChanged(uuid: string): Promise<void> {
    await this.c.queue.run(uuid, async () => {
      let entry: LibraryEntry;
      try {
        entry = this.fresh(uuid);
      } catch {
        return; // deleted meanwhile, or unreadable: nothing to mark
      }
      const tree = entry.config.snapshots;
      if (tree.currentChanged || tree.currentId === null) return;
      try {
        updateVmConfig(this.c, uuid, (config) => ({ ...config, snapshots: markCurrentChanged(config.snapshots) }));
      } catch {
        // A full disk: the mark is a hint for the next revert, not worth failing anything for.
      }
    });
  }

  /** A VM that is the base of linked clones cannot be deleted until they are: the sentence names them. */
  assertNoClones(ref: string): void {
    let entry: LibraryEntry;
    try {
      entry = this.c.library.find(ref);
    } catch {
      return; // an inaccessible VM: its delete says what it says
    }
    const clones = [...new Set([...linkedClonesOf(this.c.library, entry).values()].flat())];
    if (clones.length) throw new GuesthouseError('invalid-state', m('vm.hasClones', { name: entry.config.identity.name, clones: cloneList(clones) }));
  }
}
