// The live strategy: a running or paused guest's snapshots are QEMU's snapshot-save / -load /
// -delete jobs in its guest host (guestHost/qemu/snapshotJobs.ts), on every writable node,
// the machine state included; the job's status is the progress.
import path from 'node:path';
import type { Snapshot } from '../../common/snapshots';
import type { LibraryEntry } from '../library/library';
import type { RunningGuest } from './runningGuest';
import { snapshotImages, type OnStatus, type SnapshotStrategy, type TakenSnapshot } from './snapshotStrategy';

export class LiveSnapshots implements SnapshotStrategy {
  readonly kind = 'live';

  constructor(readonly guest: RunningGuest) {}

  hold<T>(_uuid: string, work: () => Promise<T>): Promise<T> {
    return work();
  }

  async take(entry: LibraryEntry, id: string, onStatus: OnStatus): Promise<TakenSnapshot> {
    const { snapshot: saved } = await this.guest.request('snapshotSave', { snapshot: { tag: id } }, { onProgress: onStatus });
    const images = snapshotImages(entry.config, entry.dir);
    const nameOf = (file: string) => images.find((i) => i.file === path.resolve(file))?.name ?? file;
    return {
      disks: saved.disks.map(nameOf),
      vmstateDisk: nameOf(saved.vmstateDisk),
      guestAgent: !this.guest.spec.qemu?.noGuestAgent,
      undo: () => this.deleteTag(id),
    };
  }

  async revert(entry: LibraryEntry, target: Snapshot, onStatus: OnStatus): Promise<void> {
    const vmstateFile = path.resolve(entry.dir, target.vmstateDisk ?? '');
    await this.guest.request('snapshotLoad', { snapshot: { tag: target.id, vmstateFile } }, { onProgress: onStatus });
  }

  async delete(_entry: LibraryEntry, node: Snapshot, onStatus: OnStatus): Promise<void> {
    await this.guest.request('snapshotDelete', { snapshot: { tag: node.id } }, { onProgress: onStatus });
  }

  /** QEMU deletes a tag from every image that has it at once. */
  async deleteOrphans(orphans: ReadonlyMap<string, readonly string[]>): Promise<void> {
    for (const tag of new Set([...orphans.values()].flat())) await this.deleteTag(tag).catch(() => undefined);
  }

  private async deleteTag(tag: string): Promise<void> {
    await this.guest.request('snapshotDelete', { snapshot: { tag } });
  }
}
