// How a snapshot operation reaches a VM's images: the one interface its two strategies share.
// Live (liveSnapshots.ts, running or paused): QEMU's snapshot jobs in the guest host, memory
// included. Offline (offlineSnapshots.ts, stopped): qemu-img under the VM's lock, so no QEMU
// has an image open. Either way one tag (the snapshot's id, `gh-…`) on every writable image,
// the UEFI variable store included. The tree in the config is the facade's (snapshots.ts).
import fs from 'node:fs';
import path from 'node:path';
import type { VmConfig } from '../../common/config';
import type { Snapshot, SnapshotKind } from '../../common/snapshots';
import type { LibraryEntry } from '../library/library';
import { uefiVarsFile, UEFI_VARS_NAME } from '../shared/vmFolder';

/** An image a snapshot is on: as the config (and the snapshot) names it, and where it is. */
export interface SnapshotImage {
  name: string;
  file: string;
}

/** The images a VM's snapshots go on now: its disks and, once it has one, its UEFI variable store. */
export function snapshotImages(config: VmConfig, dir: string): SnapshotImage[] {
  const images = config.disks.map((d) => ({ name: d.path, file: path.resolve(dir, d.path) }));
  if (config.firmware === 'uefi' && fs.existsSync(uefiVarsFile(dir))) images.push({ name: UEFI_VARS_NAME, file: uefiVarsFile(dir) });
  return images;
}

/** A snapshot's images, by the names it keeps. */
export const imagesOf = (names: readonly string[], dir: string): SnapshotImage[] => names.map((name) => ({ name, file: path.resolve(dir, name) }));

/** A QEMU job's status as it goes, for the progress line (qemu-img has none to give). */
export type OnStatus = (status: string) => void;

/** A snapshot on the images, not yet in the tree. */
export interface TakenSnapshot {
  /** The images that hold it, as the config names them. */
  disks: string[];
  /** The image that holds the machine state (live), or null (offline). */
  vmstateDisk: string | null;
  /** Live: whether the machine had the guest agent's channel (a revert needs the same machine). */
  guestAgent?: boolean;
  /** Takes it off the images again (when the config cannot record it). */
  undo: () => Promise<void>;
}

export interface SnapshotStrategy {
  /** What a snapshot it takes is: with the machine state, or disks only. */
  readonly kind: SnapshotKind;
  /** Runs `work` with what the strategy needs held meanwhile (offline: the VM's lock, its UEFI store made qcow2 first). */
  hold<T>(uuid: string, work: () => Promise<T>): Promise<T>;
  /** Takes the snapshot `id` on every image the VM has now. */
  take(entry: LibraryEntry, id: string, onStatus: OnStatus): Promise<TakenSnapshot>;
  /** Brings the images (and, live, the machine) back to `target`. */
  revert(entry: LibraryEntry, target: Snapshot, onStatus: OnStatus): Promise<void>;
  /** Deletes `node`'s tag from its images (those still there). */
  delete(entry: LibraryEntry, node: Snapshot, onStatus: OnStatus): Promise<void>;
  /** Deletes tags of Guesthouse's no snapshot has (`orphans`: image name → tags; `files`: image name → file), each as far as it goes. */
  deleteOrphans(orphans: ReadonlyMap<string, readonly string[]>, files: ReadonlyMap<string, string>): Promise<void>;
}
