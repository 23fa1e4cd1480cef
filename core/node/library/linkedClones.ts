// Which VMs are linked clones of which snapshot: a linked clone's disk is a qcow2 image whose
// backing file is a snapshot's base image in the source VM's folder (vmFolder.snapshotBaseFile).
// The backing file is read from the qcow2 header itself, so that looking costs no process.
import fs from 'node:fs';
import path from 'node:path';
import type { Library, LibraryEntry } from './library';
import { snapshotOfBaseFile } from '../shared/vmFolder';

/** The backing file a qcow2 image names (absolute), or null (none, not qcow2, unreadable). */
export function qcow2BackingFile(file: string): string | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const header = Buffer.alloc(20);
    if (fs.readSync(fd, header, 0, 20, 0) < 20 || header.readUInt32BE(0) !== 0x514649fb) return null;
    const offset = Number(header.readBigUInt64BE(8));
    const size = header.readUInt32BE(16);
    if (offset === 0 || size === 0 || size > 1023) return null;
    const name = Buffer.alloc(size);
    if (fs.readSync(fd, name, 0, size, offset) < size) return null;
    return path.resolve(path.dirname(file), name.toString('utf8'));
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/** The VMs of the library that stand on a snapshot of `base` (snapshot id → clone names). */
export function linkedClonesOf(library: Library, base: LibraryEntry): Map<string, string[]> {
  const clones = new Map<string, string[]>();
  const baseDir = path.resolve(base.dir);
  for (const entry of library.list()) {
    if (entry.config.identity.uuid === base.config.identity.uuid) continue;
    for (const disk of entry.config.disks) {
      if (disk.format !== 'qcow2') continue;
      const backing = qcow2BackingFile(path.resolve(entry.dir, disk.path));
      if (!backing || path.dirname(backing) !== baseDir) continue;
      const snapshot = snapshotOfBaseFile(path.basename(backing));
      if (!snapshot) continue;
      const names = clones.get(snapshot) ?? [];
      if (!names.includes(entry.config.identity.name)) names.push(entry.config.identity.name);
      clones.set(snapshot, names);
    }
  }
  return clones;
}
