// The offline strategy: a stopped VM's snapshots are `qemu-img snapshot` on its images
// (library/snapshotDisks.ts), under the VM's lock so that no QEMU has an image open. A UEFI
// VM's raw variable store (from an older version) becomes qcow2 first, so snapshots hold it.
import fs from 'node:fs';
import type { Snapshot } from '../../common/snapshots';
import type { Library, LibraryEntry } from '../library/library';
import { convertUefiVarsToQcow2, deleteDiskSnapshots, revertDiskSnapshots, takeDiskSnapshots } from '../library/snapshotDisks';
import { rawUefiVarsFile, uefiVarsBackupFile, uefiVarsFile } from '../shared/vmFolder';
import { imagesOf, snapshotImages, type SnapshotStrategy, type TakenSnapshot } from './snapshotStrategy';

export interface OfflineContext {
  library: Library;
  qemuImg: () => Promise<string>;
}

export class OfflineSnapshots implements SnapshotStrategy {
  readonly kind = 'offline';

  constructor(private readonly c: OfflineContext) {}

  async hold<T>(uuid: string, work: () => Promise<T>): Promise<T> {
    const entry = this.c.library.find(uuid);
    const release = this.c.library.guard(entry.dir, entry.config.identity.name);
    try {
      if (entry.config.firmware === 'uefi')
        await convertUefiVarsToQcow2(await this.c.qemuImg(), rawUefiVarsFile(entry.dir), uefiVarsFile(entry.dir), uefiVarsBackupFile(entry.dir));
      return await work();
    } finally {
      release();
    }
  }

  async take(entry: LibraryEntry, id: string): Promise<TakenSnapshot> {
    const qemuImg = await this.c.qemuImg();
    const images = snapshotImages(entry.config, entry.dir);
    const files = images.map((i) => i.file);
    await takeDiskSnapshots(qemuImg, files, id);
    return { disks: images.map((i) => i.name), vmstateDisk: null, undo: () => deleteDiskSnapshots(qemuImg, files, id) };
  }

  async revert(entry: LibraryEntry, target: Snapshot): Promise<void> {
    const files = imagesOf(target.disks, entry.dir).map((i) => i.file);
    await revertDiskSnapshots(await this.c.qemuImg(), files, target.id);
  }

  /** An image gone meanwhile is passed over (it holds nothing any more). */
  async delete(entry: LibraryEntry, node: Snapshot): Promise<void> {
    const files = imagesOf(node.disks, entry.dir)
      .map((i) => i.file)
      .filter((file) => fs.existsSync(file));
    if (files.length) await deleteDiskSnapshots(await this.c.qemuImg(), files, node.id);
  }

  async deleteOrphans(orphans: ReadonlyMap<string, readonly string[]>, files: ReadonlyMap<string, string>): Promise<void> {
    const qemuImg = await this.c.qemuImg();
    for (const [name, tags] of orphans) for (const tag of tags) await deleteDiskSnapshots(qemuImg, [files.get(name)!], tag).catch(() => undefined);
  }
}
