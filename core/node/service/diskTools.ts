// A VM's disks as qemu-img sees them, and what can be done to them: grow one, convert one to
// qcow2 (or raw for v86), import an image from elsewhere (raw, vmdk, vdi, vhdx, qcow2) into
// the VM's folder. These change images, so the VM must be stopped (its lock held meanwhile:
// no QEMU has them open). And the CD drive: an ISO in or out, running or not.
import fs from 'node:fs';
import path from 'node:path';
import type { DiskInfo, HostBasics } from '../../common/api';
import { newDiskFormatFor } from '../../common/capabilities';
import { parseOrThrow, vmConfigSchema, type DiskConfig, type DiskFormat, type VmConfig } from '../../common/config';
import { GuesthouseError, throwProblems } from '../../common/errors';
import { m } from '../../common/messages';
import { assertAction, hasEnded, isActionAllowed, type StorageAction } from '../../common/state';
import type { Library, LibraryEntry } from '../library/library';
import { convertDisk, diskInfo, resizeDisk, sizeText } from '../library/diskImages';
import { firstFreeDiskName, uefiVarsFile, UEFI_VARS_NAME } from '../shared/vmFolder';
import { writeVmConfig } from './configWrites';
import { engineFor, engineProblems, qemuImgPath } from './engineChoice';
import { Progress } from './progress';
import type { ServiceEvents } from './serviceEvents';
import type { StateMirror } from './stateMirror';
import { modifyVm, type EditContext } from './vmEdits';
import type { VmQueue } from './vmQueue';

export interface DiskToolsContext {
  library: Library;
  host: () => Promise<HostBasics>;
  mirror: StateMirror;
  events: ServiceEvents;
  queue: VmQueue;
  edits: EditContext;
}

export class DiskTools {
  constructor(private readonly c: DiskToolsContext) {}

  private async qemuImg(): Promise<string> {
    return qemuImgPath(await this.c.host());
  }

  /** The attached disk `ref` names (as the config names it, or by its full path). */
  private disk(entry: LibraryEntry, ref: string): DiskConfig {
    const hit = entry.config.disks.find((d) => d.path === ref || path.resolve(entry.dir, d.path) === path.resolve(entry.dir, ref));
    if (!hit) throw new GuesthouseError('not-found', m('disk.notAttached', { path: ref }));
    return hit;
  }

  /** Runs `work` on a stopped VM, in its turn and under its lock; refused as any change is. */
  private stopped<T>(ref: string, action: StorageAction & `${string}Disk`, work: (entry: LibraryEntry) => Promise<T>): Promise<T> {
    const uuid = this.c.library.find(ref).config.identity.uuid;
    return this.c.queue.run(uuid, async () => {
      const entry = this.c.library.find(uuid);
      const state = this.c.mirror.summary(entry).state;
      if (!isActionAllowed(action, state)) assertAction('modify', state, entry.config.identity.name);
      const release = this.c.library.guard(entry.dir, entry.config.identity.name);
      try {
        return await work(entry);
      } finally {
        release();
        this.c.events.emitVms();
      }
    });
  }

  /** A free name in the VM's folder for a new disk of its own. */
  private newDiskName(entry: LibraryEntry, format: DiskFormat): string {
    return firstFreeDiskName(entry.config.identity.name, format, entry.config.disks, entry.dir);
  }

  private asInfo(name: string, info: Awaited<ReturnType<typeof diskInfo>>): DiskInfo {
    return {
      path: name,
      format: info.format,
      virtualBytes: info.virtualSizeBytes,
      actualBytes: info.actualSizeBytes,
      backingFile: info.backingFile,
      snapshotCount: info.snapshots.length,
    };
  }

  async list(ref: string): Promise<DiskInfo[]> {
    const entry = this.c.library.find(ref);
    const qemuImg = await this.qemuImg();
    const out: DiskInfo[] = [];
    for (const d of entry.config.disks) out.push(this.asInfo(d.path, await diskInfo(qemuImg, path.resolve(entry.dir, d.path), d.format)));
    if (entry.config.firmware === 'uefi' && fs.existsSync(uefiVarsFile(entry.dir)))
      out.push(this.asInfo(UEFI_VARS_NAME, await diskInfo(qemuImg, uefiVarsFile(entry.dir), 'qcow2')));
    return out;
  }

  /** Grows a disk of a stopped VM (shrinking is refused: it would cut off the guest's data). */
  async resize(ref: string, diskRef: string, sizeBytes: number): Promise<DiskInfo> {
    const qemuImg = await this.qemuImg();
    return this.stopped(ref, 'resizeDisk', async (entry) => {
      const disk = this.disk(entry, diskRef);
      const file = path.resolve(entry.dir, disk.path);
      // A shrink is refused before the operation begins.
      const now = await diskInfo(qemuImg, file, disk.format);
      if (sizeBytes < now.virtualSizeBytes)
        throw new GuesthouseError('invalid-input', m('disk.shrink', { path: file, current: sizeText(now.virtualSizeBytes), size: sizeText(sizeBytes) }));
      const progress = new Progress(this.c.events, entry.config.identity.uuid, 'disk-resize');
      return progress.run(async () => {
        progress.step(m('progress.resizing', { path: file }));
        const info = await resizeDisk(qemuImg, file, sizeBytes);
        progress.done(m('progress.resized', { path: file }));
        return this.asInfo(disk.path, info);
      });
    });
  }

  /**
   * Converts an attached disk of a stopped VM into a new file in its folder; the config then
   * names the new file and the old one stays where it is. A disk that holds snapshots is
   * refused (the copy would not carry them).
   */
  async convert(ref: string, diskRef: string, format: DiskFormat): Promise<DiskInfo> {
    const qemuImg = await this.qemuImg();
    const host = await this.c.host();
    return this.stopped(ref, 'convertDisk', async (entry) => {
      const disk = this.disk(entry, diskRef);
      const file = path.resolve(entry.dir, disk.path);
      if (disk.format === format) throw new GuesthouseError('invalid-input', m('disk.alreadyFormat', { path: file, format }));
      if (entry.config.snapshots.nodes.some((n) => n.disks.includes(disk.path)))
        throw new GuesthouseError('invalid-state', m('disk.convertSnapshots', { path: file }));
      const name = this.newDiskName(entry, format);
      const next: VmConfig = { ...entry.config, disks: entry.config.disks.map((d) => (d === disk ? { path: name, format, owned: true } : d)) };
      throwProblems(engineProblems(next, host, entry.dir), 'change');
      const progress = new Progress(this.c.events, entry.config.identity.uuid, 'disk-convert');
      return progress.run(async () => {
        const dest = path.join(entry.dir, name);
        const step = m('progress.converting', { path: file });
        progress.step(step, 0);
        const info = await convertDisk(qemuImg, file, dest, { format, sourceFormat: disk.format, onProgress: (p) => progress.step(step, p) });
        try {
          writeVmConfig(this.c, entry.dir, next, 'change');
        } catch (err) {
          fs.rmSync(dest, { force: true });
          throw err;
        }
        progress.done(m('progress.converted', { path: file, dest }));
        return this.asInfo(name, info);
      });
    });
  }

  /** Converts an image from elsewhere into a new disk of the stopped VM (qcow2, or raw for v86) and attaches it. */
  async import(ref: string, source: string): Promise<DiskInfo> {
    const qemuImg = await this.qemuImg();
    const host = await this.c.host();
    const src = path.resolve(source);
    if (!fs.statSync(src, { throwIfNoEntry: false })?.isFile()) throw new GuesthouseError('not-found', m('path.missing', { what: m('term.disk'), path: src }));
    return this.stopped(ref, 'importDisk', async (entry) => {
      const format: DiskFormat = newDiskFormatFor(engineFor(entry.config, host).engine);
      const name = this.newDiskName(entry, format);
      const next = parseOrThrow(vmConfigSchema, { ...entry.config, disks: [...entry.config.disks, { path: name, format, owned: true }] }, 'change');
      throwProblems(engineProblems(next, host, entry.dir), 'change');
      const progress = new Progress(this.c.events, entry.config.identity.uuid, 'disk-import');
      return progress.run(async () => {
        const dest = path.join(entry.dir, name);
        const step = m('progress.converting', { path: src });
        progress.step(step, 0);
        const info = await convertDisk(qemuImg, src, dest, { format, onProgress: (p) => progress.step(step, p) });
        try {
          writeVmConfig(this.c, entry.dir, next, 'change');
        } catch (err) {
          fs.rmSync(dest, { force: true });
          throw err;
        }
        progress.done(m('progress.imported', { path: src, dest }));
        return this.asInfo(name, info);
      });
    });
  }

  /**
   * Puts an ISO in the CD drive: of the running guest (QMP), and in the config for the next
   * start; a stopped VM's config only (checked as any change is). null takes it out.
   */
  async media(ref: string, iso: string | null): Promise<void> {
    const file = iso === null ? null : path.resolve(iso);
    if (file !== null && !fs.statSync(file, { throwIfNoEntry: false })?.isFile())
      throw new GuesthouseError('not-found', m('path.missing', { what: m('term.iso'), path: file }));
    const uuid = this.c.library.find(ref).config.identity.uuid;
    await this.c.queue.run(uuid, async () => {
      const entry = this.c.library.find(uuid);
      const state = this.c.mirror.summary(entry).state;
      // Refused as any change is; a stopped VM's CD changes in its config.
      if (!isActionAllowed(file === null ? 'ejectMedia' : 'insertMedia', state)) assertAction('modify', state, entry.config.identity.name);
      if (hasEnded(state)) {
        await modifyVm(this.c.edits, uuid, { isoPath: file });
        return;
      }
      const guest = this.c.mirror.guest(uuid)!;
      if (file === null) await guest.request('mediaEject');
      else await guest.request('mediaInsert', { iso: file });
      writeVmConfig(this.c, entry.dir, { ...entry.config, optical: file === null ? null : { isoPath: file } }, 'change');
    });
  }
}
