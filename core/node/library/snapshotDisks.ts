import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { GuesthouseError } from '../../common/errors';
import { m } from '../../common/messages';
import { convertDisk, diskInfo, type DiskInfo, type DiskSnapshot } from './diskImages';
import { qemuImgError as sentence, runQemuImg } from './qemuImg';

/**
 * The service's side of snapshots: internal qcow2 snapshots taken, reverted and deleted with
 * qemu-img on images no QEMU has open (the VM's lock guarantees it; qemu-img's own write lock
 * refuses otherwise, which becomes a sentence), the base image a linked clone of a snapshot
 * stands on, and the UEFI variable store made snapshottable. Snapshot steps over several
 * images undo what they did on the first ones. Disk tools that are not about snapshots are
 * in diskImages.ts.
 */

/** The internal snapshots an image holds (what `qemu-img snapshot -l` lists, read as JSON). */
export async function listDiskSnapshots(qemuImg: string, file: string): Promise<DiskSnapshot[]> {
  return (await diskInfo(qemuImg, file, 'qcow2')).snapshots;
}

/**
 * Every image must be qcow2 to hold an internal snapshot: a raw image (v86's, an imported
 * one) is refused with a sentence that says how to convert it. Gives each image's info.
 */
export async function requireSnapshotDisks(qemuImg: string, files: readonly string[]): Promise<DiskInfo[]> {
  if (files.length === 0) throw new GuesthouseError('invalid-state', m('snapshot.noDisks'));
  const infos: DiskInfo[] = [];
  for (const file of files) {
    const info = await diskInfo(qemuImg, file);
    if (info.format !== 'qcow2') throw new GuesthouseError('invalid-state', m('disk.notQcow2', { path: info.file, format: info.format }));
    infos.push(info);
  }
  return infos;
}

/**
 * `qemu-img snapshot` has no -f: the image is named by options instead, so the qcow2 driver
 * is used whatever the file's first bytes say (commas in the path doubled for the parser).
 */
const snapshotArgs = (op: '-c' | '-a' | '-d', tag: string, file: string) => [
  'snapshot',
  '-q',
  '--image-opts',
  op,
  tag,
  `driver=qcow2,file.driver=file,file.filename=${path.resolve(file).replace(/,/g, ',,')}`,
];

/**
 * Takes the disk-only snapshot `tag` on every image (a stopped VM). Refused before any
 * change when an image is not qcow2 or holds the tag already; if one image fails, the tag
 * is removed again from those that got it.
 */
export async function takeDiskSnapshots(qemuImg: string, files: readonly string[], tag: string): Promise<void> {
  await createTag(qemuImg, await requireSnapshotDisks(qemuImg, files), tag);
}

async function createTag(qemuImg: string, infos: readonly DiskInfo[], tag: string): Promise<void> {
  const taken = infos.find((i) => i.snapshots.some((s) => s.tag === tag));
  if (taken) throw new GuesthouseError('already-exists', m('disk.snapshotExists', { path: taken.file, tag }));
  const done: string[] = [];
  for (const info of infos) {
    try {
      await runQemuImg(qemuImg, snapshotArgs('-c', tag, info.file));
      done.push(info.file);
    } catch (err) {
      for (const file of done) await runQemuImg(qemuImg, snapshotArgs('-d', tag, file)).catch(() => undefined);
      throw sentence(err, 'disk.snapshotFailed', info.file);
    }
  }
}

/**
 * Brings every image back to the snapshot `tag` (a stopped VM). Refused before any change
 * when an image lacks it. The current contents are first kept as a temporary snapshot on
 * every image, so that if applying fails on one image the others go back to where they
 * were; the temporary snapshot is deleted either way.
 */
export async function revertDiskSnapshots(qemuImg: string, files: readonly string[], tag: string): Promise<void> {
  const infos = await requireSnapshotDisks(qemuImg, files);
  const lacking = infos.find((i) => !i.snapshots.some((s) => s.tag === tag));
  if (lacking) throw new GuesthouseError('invalid-state', m('disk.missingSnapshot', { path: lacking.file, tag }));
  // Guesthouse's prefix, so a crash that leaves it behind is found as an orphan and removed.
  const undo = `gh-undo-${randomUUID().slice(0, 8)}`;
  await createTag(qemuImg, infos, undo);
  const dropUndo = async () => {
    for (const info of infos) await runQemuImg(qemuImg, snapshotArgs('-d', undo, info.file)).catch(() => undefined);
  };
  const applied: string[] = [];
  for (const info of infos) {
    try {
      applied.push(info.file);
      await runQemuImg(qemuImg, snapshotArgs('-a', tag, info.file));
    } catch (err) {
      for (const file of applied) await runQemuImg(qemuImg, snapshotArgs('-a', undo, file)).catch(() => undefined);
      await dropUndo();
      throw sentence(err, 'disk.revertFailed', info.file);
    }
  }
  await dropUndo();
}

/**
 * Deletes the snapshot `tag` from every image that holds it; an image without it is left
 * alone, so a delete cut short is finished by running it again. No other snapshot's data
 * is touched (qcow2 keeps clusters other snapshots or the current state still use).
 */
export async function deleteDiskSnapshots(qemuImg: string, files: readonly string[], tag: string): Promise<void> {
  const infos = await requireSnapshotDisks(qemuImg, files);
  let first: GuesthouseError | null = null;
  for (const info of infos) {
    if (!info.snapshots.some((s) => s.tag === tag)) continue;
    try {
      await runQemuImg(qemuImg, snapshotArgs('-d', tag, info.file));
    } catch (err) {
      first ??= sentence(err, 'disk.deleteSnapshotFailed', info.file);
    }
  }
  if (first) throw first;
}

/**
 * The immutable base a linked clone of snapshot `tag` stands on: the image as it was at the
 * snapshot, as a qcow2 of its own made read-only (a backing file must never change, and the
 * VM it came from keeps writing to its own disk). One per snapshot and disk, shared by
 * every clone of it.
 */
export async function extractSnapshotImage(
  qemuImg: string,
  disk: string,
  tag: string,
  dest: string,
  onProgress?: (percent: number) => void,
): Promise<DiskInfo> {
  const info = await convertDisk(qemuImg, disk, dest, { format: 'qcow2', sourceFormat: 'qcow2', snapshotTag: tag, onProgress });
  fs.chmodSync(info.file, 0o444);
  return info;
}

/**
 * Makes a UEFI VM snapshottable: its raw variable store `rawFile` becomes the qcow2 `qcow2File`
 * (same virtual size, which pflash requires), and the raw file is kept as `backupFile`.
 * Safe to call at every start and after a crash at any point: a finished conversion is not
 * redone, and a raw file left beside a finished qcow2 is moved to the backup.
 */
export async function convertUefiVarsToQcow2(qemuImg: string, rawFile: string, qcow2File: string, backupFile: string): Promise<{ converted: boolean }> {
  if (!fs.existsSync(rawFile)) return { converted: false };
  let converted = false;
  if (!fs.existsSync(qcow2File)) {
    await convertDisk(qemuImg, rawFile, qcow2File, { format: 'qcow2', sourceFormat: 'raw' });
    converted = true;
  }
  fs.renameSync(rawFile, backupFile);
  return { converted };
}

/** A new UEFI VM's own variable store, as qcow2, from the firmware's raw template (if it has none yet). */
export async function ensureUefiVarsQcow2(qemuImg: string, templateRaw: string, qcow2File: string): Promise<string> {
  if (!fs.existsSync(qcow2File)) await convertDisk(qemuImg, templateRaw, qcow2File, { format: 'qcow2', sourceFormat: 'raw' });
  return qcow2File;
}
