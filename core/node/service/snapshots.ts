// A VM's snapshot tree on its disks: take, list, revert, delete. The facade: it checks the
// request, chooses the strategy by the VM's state (live: running or paused, liveSnapshots.ts;
// offline: stopped, offlineSnapshots.ts; one interface, snapshotStrategy.ts), keeps the tree
// in the config, and runs one operation at a time per VM, the tree first reconciled with the
// images (snapshotReconcile.ts).
//
// Crash order: a take writes the disks, then the config; a delete the config, then the
// disks. So the config never lists a snapshot a disk lacks, and what a crash leaves behind
// is a tag nobody lists, which the reconcile (before each operation) deletes; a snapshot a
// disk lacks all the same (a disk put back from elsewhere) leaves the tree.
//
// Revert of a stopped VM to a live snapshot starts the VM from it: QEMU starts paused, loads
// the snapshot and runs on (VirtualBox restores a saved state; here the guest runs at once).
// A running VM reverts to a live snapshot in place; to an offline one, only once powered off.
import fs from 'node:fs';
import path from 'node:path';
import type { HostBasics, RevertOptions, SnapshotInfo, SnapshotList, SnapshotRequest } from '../../common/api';
import { revertOptionsSchema, snapshotRequestSchema } from '../../common/apiSchemas';
import { parseOrThrow } from '../../common/config';
import { GuesthouseError, throwProblems } from '../../common/errors';
import { m, type Sentence } from '../../common/messages';
import { capabilitiesOf, whyNot } from '../../common/capabilities';
import type { BootSpec } from '../../common/protocol';
import { machineOf, settingsOf, settingsToRestore, withSettings } from '../../common/snapshotSettings';
import {
  addSnapshot,
  deleteSnapshot as dropSnapshot,
  findSnapshot,
  markCurrentChanged,
  newSnapshotId,
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
import { snapshotOfBaseFile } from '../shared/vmFolder';
import { updateVmConfig } from './configWrites';
import { qemuImgPath, snapshotsUnsupported } from './engineChoice';
import { LiveSnapshots } from './liveSnapshots';
import { OfflineSnapshots } from './offlineSnapshots';
import { Progress } from './progress';
import type { RunningGuest } from './runningGuest';
import type { ServiceEvents } from './serviceEvents';
import { SnapshotReconciler } from './snapshotReconcile';
import type { SnapshotStrategy } from './snapshotStrategy';
import type { StateMirror } from './stateMirror';
import type { VmQueue } from './vmQueue';

export interface SnapshotContext {
  library: Library;
  host: () => Promise<HostBasics>;
  mirror: StateMirror;
  events: ServiceEvents;
  queue: VmQueue;
  /** Starts a stopped VM; `extra` goes into its boot spec (a live snapshot to load). */
  start: (ref: string, extra?: Pick<BootSpec, 'loadSnapshot'> & { noGuestAgent?: boolean }) => Promise<void>;
}

/** How an operation goes now: the strategy, and the running guest for a live one. */
interface Mode {
  strategy: SnapshotStrategy;
  live: RunningGuest | null;
}

/** The sentence naming the linked clones that stand on a snapshot. */
const cloneList = (names: readonly string[]) => names.map((n) => `"${n}"`).join(', ');

/** A QEMU job's status as the progress line says it. */
const jobStatus = (progress: Progress, step: Sentence) => (status: string) => progress.step(m('progress.job', { step, status }));

export class Snapshots {
  private readonly offlineStrategy: OfflineSnapshots;
  private readonly reconciler: SnapshotReconciler;

  constructor(private readonly c: SnapshotContext) {
    const qemuImg = async () => qemuImgPath(await c.host());
    this.offlineStrategy = new OfflineSnapshots({ library: c.library, qemuImg });
    this.reconciler = new SnapshotReconciler({ library: c.library, events: c.events, qemuImg });
  }

  /** The VM as it is on disk now (an operation that waited its turn re-reads it). */
  private fresh(uuid: string): LibraryEntry {
    return this.c.library.find(uuid);
  }

  /**
   * How an operation on the VM goes now: live through its running guest, offline with
   * qemu-img; a saved machine state or a VM on its way up or down is refused with a sentence.
   */
  private mode(entry: LibraryEntry, action: 'takeSnapshot' | 'revertSnapshot' | 'deleteSnapshot'): Mode {
    const { uuid, name } = entry.config.identity;
    const state = this.c.mirror.summary(entry).state;
    if (!isActionAllowed(action, state)) {
      if (state === 'saved') throw new GuesthouseError('invalid-state', m('snapshot.savedState', { name }));
      throw new GuesthouseError('invalid-state', m('snapshot.notNow', { name, state: stateWord(state) }));
    }
    if (hasEnded(state)) return { strategy: this.offlineStrategy, live: null };
    const guest = this.c.mirror.guest(uuid)!;
    const refused = guest.runtime && whyNot(capabilitiesOf(guest.runtime.engine).liveSnapshots, { name });
    if (refused) throw new GuesthouseError('invalid-state', refused);
    return { strategy: new LiveSnapshots(guest), live: guest };
  }

  private async requireSupported(entry: LibraryEntry, live: RunningGuest | null): Promise<void> {
    const reason = snapshotsUnsupported(entry, await this.c.host(), live ? (live.runtime?.engine ?? 'qemu') : undefined, live !== null);
    if (reason) throw new GuesthouseError('invalid-state', reason);
  }

  /** Runs `work` with what the strategy holds, on the VM as it is now, its tree first reconciled with the images. */
  private session<T>(uuid: string, strategy: SnapshotStrategy, work: (now: LibraryEntry) => Promise<T>): Promise<T> {
    return strategy.hold(uuid, async () => work(await this.reconciler.reconcile(this.fresh(uuid), strategy)));
  }

  /** Runs `work` in the VM's turn; a failure may leave what reconcile cleans up, so the next operation looks. */
  private turn<T>(uuid: string, work: () => Promise<T>): Promise<T> {
    return this.c.queue.run(uuid, async () => {
      try {
        return await work();
      } catch (err) {
        this.reconciler.forget(uuid);
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
    const problems = snapshotNameProblems(name, tree.nodes);
    const parsed = snapshotDescriptionSchema.safeParse(description);
    if (!parsed.success) problems.push(m('snapshot.descriptionTooLong', { max: SNAPSHOT_DESCRIPTION_MAX_LENGTH }));
    throwProblems(problems, m('term.snapshot'));
  }

  /** Takes a snapshot (the queue's turn is the caller's): disks first, then the config. */
  private async takeNow(entry: LibraryEntry, name: string, description: string, progress: Progress): Promise<Snapshot> {
    const { uuid } = entry.config.identity;
    this.checkNew(entry.config.snapshots, name, description);
    const { strategy, live } = this.mode(entry, 'takeSnapshot');
    await this.requireSupported(entry, live);
    const id = newSnapshotId();
    const step = m('progress.taking', { name });
    progress.step(step);
    return this.session(uuid, strategy, async (now) => {
      this.checkNew(now.config.snapshots, name, description);
      const taken = await strategy.take(now, id, jobStatus(progress, step));
      let node!: Snapshot;
      try {
        updateVmConfig(this.c, uuid, (config) => {
          let tree = addSnapshot(config.snapshots, {
            id,
            name,
            description,
            createdAt: new Date().toISOString(),
            kind: strategy.kind,
            disks: taken.disks,
            vmstateDisk: taken.vmstateDisk,
            settings: settingsOf(now.config),
            ...(taken.guestAgent !== undefined ? { guestAgent: taken.guestAgent } : {}),
          });
          // A guest that runs on has changed since the snapshot the moment it was taken.
          if (live?.state === 'running') tree = markCurrentChanged(tree);
          node = tree.nodes.at(-1)!;
          return { ...config, snapshots: tree };
        });
      } catch (err) {
        // The config could not say so (a full disk): the disks give the snapshot up again.
        await taken.undo().catch(() => undefined);
        throw err;
      }
      return node;
    });
  }

  async revert(ref: string, snapshotRef: string, options?: RevertOptions): Promise<void> {
    const opts = parseOrThrow(revertOptionsSchema, options ?? {}, m('term.snapshot'));
    const uuid = this.c.library.find(ref).config.identity.uuid;
    const pending: { startFrom?: Snapshot } = {};
    await this.turn(uuid, async () => {
      const entry = this.fresh(uuid);
      const node = findSnapshot(entry.config.snapshots, snapshotRef);
      if (opts.takeCurrentAs !== undefined) this.checkNew(entry.config.snapshots, opts.takeCurrentAs, '');
      const { strategy, live } = this.mode(entry, 'revertSnapshot');
      await this.requireSupported(entry, live);
      const name = entry.config.identity.name;
      if (live) {
        if (node.kind === 'offline') throw new GuesthouseError('invalid-state', m('snapshot.offlineWhileRunning', { name, snapshot: node.name }));
        // The same settings, and the same devices beyond them (a snapshot from before the guest agent's channel has none).
        const agentNow = !this.c.mirror.guest(uuid)?.spec.qemu?.noGuestAgent;
        if (machineOf(settingsToRestore(entry.config, node)) !== machineOf(settingsOf(entry.config)) || agentNow !== (node.guestAgent === true))
          throw new GuesthouseError('invalid-state', m('snapshot.settingsChanged', { name, snapshot: node.name }));
      } else {
        withSettings(entry.config, node); // settings it could not restore refuse the revert before anything is done
      }
      const progress = new Progress(this.c.events, uuid, 'snapshot-revert');
      await progress.run(async () => {
        if (opts.takeCurrentAs !== undefined) await this.takeNow(entry, opts.takeCurrentAs, '', progress);
        const step = m('progress.reverting', { name: node.name });
        progress.step(step);
        await this.session(uuid, strategy, async (now) => {
          const target = findSnapshot(now.config.snapshots, node.id);
          if (live) {
            await strategy.revert(now, target, jobStatus(progress, step));
            updateVmConfig(this.c, uuid, (config) => {
              const tree = revertToSnapshot(config.snapshots, target.id);
              return { ...config, snapshots: live.state === 'running' ? markCurrentChanged(tree) : tree };
            });
            return;
          }
          if (target.kind === 'live') {
            // Started from it once the lock is let go; meanwhile the settings the machine state needs come back.
            updateVmConfig(this.c, uuid, (config) => ({ ...withSettings(config, target), snapshots: markCurrentChanged(config.snapshots) }));
            pending.startFrom = target;
            return;
          }
          withSettings(now.config, target); // refused before the disks are touched
          await strategy.revert(now, target, jobStatus(progress, step));
          updateVmConfig(this.c, uuid, (config) => ({ ...withSettings(config, target), snapshots: revertToSnapshot(config.snapshots, target.id) }));
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
      const loadSnapshot = { tag: target.id, vmstateFile: path.resolve(entry.dir, target.vmstateDisk ?? '') };
      await this.c.start(uuid, { loadSnapshot, ...(target.guestAgent ? {} : { noGuestAgent: true }) }).catch((err: unknown) => {
        this.reconciler.forget(uuid);
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
      const { strategy, live } = this.mode(entry, 'deleteSnapshot');
      await this.requireSupported(entry, live);
      const progress = new Progress(this.c.events, uuid, 'snapshot-delete');
      await progress.run(async () => {
        const step = m('progress.deleting', { name: node.name });
        progress.step(step);
        await this.session(uuid, strategy, async (now) => {
          // The config first: a crash between the two leaves a tag nobody lists, which reconcile deletes.
          updateVmConfig(this.c, uuid, (config) => ({ ...config, snapshots: dropSnapshot(config.snapshots, node.id) }));
          await strategy.delete(now, node, jobStatus(progress, step));
        });
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
