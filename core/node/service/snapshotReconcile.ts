// The tree and the images agree again after a crash or a failed operation: a snapshot some
// image lacks leaves the tree, and a tag of Guesthouse's no snapshot has (a take or delete
// cut short, a revert's undo point) is deleted, through the strategy at hand. Done before a
// VM's first operation in the service's life, and again after any that failed.
import { reconcileSnapshotTree } from '../../common/snapshots';
import type { LibraryEntry } from '../library/library';
import { listDiskSnapshots } from '../library/snapshotDisks';
import { updateVmConfig, type ConfigWriter } from './configWrites';
import { imagesOf, snapshotImages, type SnapshotStrategy } from './snapshotStrategy';

export interface ReconcileContext extends ConfigWriter {
  qemuImg: () => Promise<string>;
}

export class SnapshotReconciler {
  /**
   * VMs whose tree and images agree as far as this service knows: reconciled since it started,
   * and no operation on them failed since (what is left behind comes from a crash or a failure).
   */
  private readonly agreed = new Set<string>();

  constructor(private readonly c: ReconcileContext) {}

  /** The next operation on the VM looks again (one failed: it may have left something behind). */
  forget(uuid: string): void {
    this.agreed.delete(uuid);
  }

  /**
   * The VM with its tree and images agreeing; where an image cannot be read at all (a missing
   * disk), nothing is changed.
   */
  async reconcile(entry: LibraryEntry, strategy: SnapshotStrategy): Promise<LibraryEntry> {
    const { config, dir } = entry;
    const { uuid } = config.identity;
    if (this.agreed.has(uuid)) return entry;
    const qemuImg = await this.c.qemuImg();
    const files = new Map<string, string>();
    for (const image of [...snapshotImages(config, dir), ...config.snapshots.nodes.flatMap((n) => imagesOf(n.disks, dir))]) files.set(image.name, image.file);
    const formats = new Map(config.disks.map((d) => [d.path, d.format]));
    const tags = new Map<string, Set<string>>();
    for (const [name, file] of files) {
      if ((formats.get(name) ?? 'qcow2') !== 'qcow2') continue;
      try {
        tags.set(name, new Set((await listDiskSnapshots(qemuImg, file)).map((s) => s.tag)));
      } catch {
        return entry;
      }
    }
    const { tree, dropped, orphans } = reconcileSnapshotTree(config.snapshots, tags);
    let now = entry;
    if (dropped.length) now = updateVmConfig(this.c, uuid, (c) => ({ ...c, snapshots: tree }));
    await strategy.deleteOrphans(orphans, files);
    this.agreed.add(uuid);
    return now;
  }
}
