import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { GuesthouseError } from '../../common/errors';
import { m, type MessageKey } from '../../common/messages';

/**
 * The service's side of snapshots and disk tools: qemu-img on images no QEMU has open (the
 * VM's lock guarantees it; qemu-img's own write lock refuses otherwise, which becomes a
 * sentence). Every qemu-img run is an argument array with absolute paths (a file named
 * "-x" is never read as an option) and an explicit format (no probing of raw images).
 * A step that fails leaves every image as it was: new files are written under a temp name
 * in the target's folder and renamed at the end; snapshot steps over several images undo
 * what they did on the first ones.
 */

/** What qemu-img said when it failed: its last line, without the program's name. */
class QemuImgFailure extends Error {
  constructor(readonly detail: string, readonly locked: boolean) {
    super(detail);
  }
}

export interface QemuImgRunOptions {
  /** Each chunk qemu-img writes to stdout (progress lines of `convert -p`). */
  onStdout?: (chunk: string) => void;
  timeoutMs?: number;
}

/** Runs qemu-img with an argument array; its stdout, or a QemuImgFailure with its reason. */
export function runQemuImg(qemuImg: string, args: readonly string[], options: QemuImgRunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(qemuImg, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: options.timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      options.onStdout?.(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (err) => reject(new QemuImgFailure(err.message, false)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(stdout);
      const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
      const locked = lines.some((l) => /Failed to get ".*" lock/.test(l));
      const last = [...lines].reverse().find((l) => !/^Is another process/.test(l));
      const detail = (last ?? `exited with ${signal ?? `code ${code}`}`).replace(/^qemu-img: /, '');
      reject(new QemuImgFailure(detail.replace(/[.]?$/, '.'), locked));
    });
  });
}

/** A failure as the user's sentence: an image in use gets its own, naming the file. */
function sentence(err: unknown, key: MessageKey, file: string, params: Record<string, string> = {}): GuesthouseError {
  if (err instanceof GuesthouseError) return err;
  if (err instanceof QemuImgFailure && err.locked) return new GuesthouseError('locked', m('disk.openElsewhere', { path: file }));
  const detail = err instanceof QemuImgFailure ? err.detail : (err as Error).message;
  return new GuesthouseError('engine-failed', m(key, { path: file, detail, ...params }));
}

/** One internal snapshot of an image, as qemu-img lists it. */
export interface DiskSnapshot {
  /** QEMU's own numeric id in this image. */
  id: string;
  /** The name (Guesthouse's snapshot id, `gh-…`). */
  tag: string;
  /** Bytes of machine state the snapshot keeps in this image (0: disk only). */
  vmStateBytes: number;
  createdAt: Date;
}

export interface DiskInfo {
  file: string;
  format: string;
  /** The size the guest sees. */
  virtualSizeBytes: number;
  /** The space the file takes on the host. */
  actualSizeBytes: number;
  /** The backing image (linked clones), absolute, or null. */
  backingFile: string | null;
  /** The backing file as the image spells it (often relative to the image's folder). */
  backingFileAsWritten: string | null;
  backingFormat: string | null;
  snapshots: DiskSnapshot[];
}

interface QemuImgInfoJson {
  format: string;
  'virtual-size': number;
  'actual-size'?: number;
  'backing-filename'?: string;
  'full-backing-filename'?: string;
  'backing-filename-format'?: string;
  snapshots?: { id: string; name: string; 'vm-state-size': number; 'date-sec': number; 'date-nsec': number }[];
}

/**
 * An image's format, sizes, backing file and snapshots (`qemu-img info --output=json -U`, so
 * it also answers for an image a guest has open). Give `format` when it is known, so a raw
 * image is never probed.
 */
export async function diskInfo(qemuImg: string, file: string, format?: string): Promise<DiskInfo> {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new GuesthouseError('not-found', m('path.missing', { what: m('term.disk'), path: abs }));
  let info: QemuImgInfoJson;
  try {
    info = JSON.parse(await runQemuImg(qemuImg, ['info', '--output=json', '-U', ...(format ? ['-f', format] : []), abs])) as QemuImgInfoJson;
  } catch (err) {
    throw sentence(err, 'disk.infoFailed', abs);
  }
  const backing = info['full-backing-filename'] ?? info['backing-filename'] ?? null;
  return {
    file: abs,
    format: info.format,
    virtualSizeBytes: info['virtual-size'],
    actualSizeBytes: info['actual-size'] ?? 0,
    backingFile: backing === null ? null : path.resolve(path.dirname(abs), backing),
    backingFileAsWritten: info['backing-filename'] ?? null,
    backingFormat: info['backing-filename-format'] ?? null,
    snapshots: (info.snapshots ?? []).map((s) => ({
      id: s.id,
      tag: s.name,
      vmStateBytes: s['vm-state-size'],
      createdAt: new Date(s['date-sec'] * 1000 + Math.floor(s['date-nsec'] / 1e6)),
    })),
  };
}

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
  'snapshot', '-q', '--image-opts', op, tag, `driver=qcow2,file.driver=file,file.filename=${path.resolve(file).replace(/,/g, ',,')}`,
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

/** Grows an image to `sizeBytes` (a stopped VM); a smaller size is refused, since shrinking cuts off the guest's data. */
export async function resizeDisk(qemuImg: string, file: string, sizeBytes: number): Promise<DiskInfo> {
  const info = await diskInfo(qemuImg, file);
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0) throw new GuesthouseError('invalid-input', m('disk.badSize'));
  if (sizeBytes < info.virtualSizeBytes) {
    throw new GuesthouseError('invalid-input', m('disk.shrink', { path: info.file, current: sizeText(info.virtualSizeBytes), size: sizeText(sizeBytes) }));
  }
  if (sizeBytes === info.virtualSizeBytes) return info;
  try {
    await runQemuImg(qemuImg, ['resize', '-q', '-f', info.format, info.file, String(sizeBytes)]);
  } catch (err) {
    throw sentence(err, 'disk.resizeFailed', info.file);
  }
  return diskInfo(qemuImg, info.file, info.format);
}

/** A size as people write it: whole GiB or MiB where it is one, else bytes. */
export function sizeText(bytes: number): string {
  if (bytes % 2 ** 30 === 0) return `${bytes / 2 ** 30} GiB`;
  if (bytes % 2 ** 20 === 0) return `${bytes / 2 ** 20} MiB`;
  return `${bytes} bytes`;
}

/** Formats Guesthouse converts from (imports): raw, its own qcow2, VMware's, VirtualBox's and Hyper-V's. */
export const importFormats = ['raw', 'qcow2', 'vmdk', 'vdi', 'vhdx'] as const;
/** Formats Guesthouse writes: qcow2 for QEMU (snapshots), raw for v86. */
export const diskOutputFormats = ['qcow2', 'raw'] as const;
export type DiskOutputFormat = (typeof diskOutputFormats)[number];

/** A temp name beside `dest` that the VM folder's clean-up recognises as an atomic write's leftover. */
const tempBeside = (dest: string) => path.join(path.dirname(dest), `.${path.basename(dest)}.${process.pid}.tmp`);

/** Makes `tmp` durable and puts it in place as `dest`; `dest` must not exist (never overwrites another file). */
function settle(tmp: string, dest: string): void {
  const fd = fs.openSync(tmp, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  if (fs.existsSync(dest)) throw new GuesthouseError('already-exists', m('disk.exists', { path: dest }));
  fs.renameSync(tmp, dest);
  if (process.platform !== 'win32') {
    const dirFd = fs.openSync(path.dirname(dest), 'r');
    try {
      fs.fsyncSync(dirFd);
    } finally {
      fs.closeSync(dirFd);
    }
  }
}

/** Writes a new image through a temp file beside `dest`: on any failure `dest` does not exist and no temp file is left. */
async function writeNew(dest: string, write: (tmp: string) => Promise<void>): Promise<void> {
  if (fs.existsSync(dest)) throw new GuesthouseError('already-exists', m('disk.exists', { path: dest }));
  if (!fs.existsSync(path.dirname(dest))) throw new GuesthouseError('not-found', m('disk.noFolder', { path: path.dirname(dest) }));
  const tmp = tempBeside(dest);
  fs.rmSync(tmp, { force: true });
  try {
    await write(tmp);
    settle(tmp, dest);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** The percentages `qemu-img convert -p` prints ("    (12.34/100%)\r"), in a chunk of its output. */
export function parseConvertProgress(chunk: string): number[] {
  return [...chunk.matchAll(/\((\d+(?:\.\d+)?)\/100%\)/g)].map((x) => Number(x[1]));
}

export interface ConvertOptions {
  format: DiskOutputFormat;
  /** The source's format when known (a VM's disk); otherwise qemu-img's probe decides, from importFormats only. */
  sourceFormat?: string;
  /** Convert the image as it was at this internal snapshot (the base of a linked clone). */
  snapshotTag?: string;
  /** 0 to 100, as qemu-img goes. */
  onProgress?: (percent: number) => void;
}

/**
 * Converts (imports) `src` into a new image `dest` in qcow2 or raw, with progress. The
 * source is not changed; `dest` appears only once complete. The copy is standalone: a
 * backing chain is flattened, and internal snapshots are not carried over.
 */
export async function convertDisk(qemuImg: string, src: string, dest: string, options: ConvertOptions): Promise<DiskInfo> {
  const source = await diskInfo(qemuImg, src, options.sourceFormat);
  if (!(importFormats as readonly string[]).includes(source.format)) {
    throw new GuesthouseError('invalid-input', m('disk.formatUnsupported', { path: source.file, format: source.format, formats: importFormats.join(', ') }));
  }
  if (options.snapshotTag && !source.snapshots.some((s) => s.tag === options.snapshotTag)) {
    throw new GuesthouseError('invalid-state', m('disk.missingSnapshot', { path: source.file, tag: options.snapshotTag }));
  }
  const target = path.resolve(dest);
  await writeNew(target, async (tmp) => {
    const args = ['convert', '-p', '-f', source.format, '-O', options.format];
    if (options.snapshotTag) args.push('-l', `snapshot.name=${options.snapshotTag}`);
    args.push(source.file, tmp);
    try {
      await runQemuImg(qemuImg, args, { onStdout: (chunk) => parseConvertProgress(chunk).forEach((p) => options.onProgress?.(p)) });
    } catch (err) {
      throw sentence(err, 'disk.convertFailed', source.file);
    }
  });
  options.onProgress?.(100);
  return diskInfo(qemuImg, target, options.format);
}

/**
 * The immutable base a linked clone of snapshot `tag` stands on: the image as it was at the
 * snapshot, as a qcow2 of its own made read-only (a backing file must never change, and the
 * VM it came from keeps writing to its own disk). One per snapshot and disk, shared by
 * every clone of it.
 */
export async function extractSnapshotImage(qemuImg: string, disk: string, tag: string, dest: string, onProgress?: (percent: number) => void): Promise<DiskInfo> {
  const info = await convertDisk(qemuImg, disk, dest, { format: 'qcow2', sourceFormat: 'qcow2', snapshotTag: tag, onProgress });
  fs.chmodSync(info.file, 0o444);
  return info;
}

/**
 * A linked clone's disk: an empty qcow2 over `base` (qcow2), `-F` given explicitly so the
 * base's format is never probed. The backing path is written relative to the new image's
 * folder, so a library that moves keeps its clones.
 */
export async function createLinkedImage(qemuImg: string, base: string, dest: string): Promise<DiskInfo> {
  const baseInfo = await diskInfo(qemuImg, base, 'qcow2');
  const target = path.resolve(dest);
  await writeNew(target, async (tmp) => {
    const backing = path.relative(path.dirname(target), baseInfo.file);
    try {
      await runQemuImg(qemuImg, ['create', '-q', '-f', 'qcow2', '-b', backing, '-F', 'qcow2', tmp]);
    } catch (err) {
      throw sentence(err, 'disk.createFailed', target);
    }
  });
  return diskInfo(qemuImg, target, 'qcow2');
}

/**
 * A full clone's copy of `src` at `dest`, with progress. With `keepSnapshots` (qcow2) the file
 * is copied as it is, internal snapshots included, and a backing path is rewritten for the
 * new folder; without, qemu-img writes a standalone image of the current state only
 * (backing chain flattened, snapshots left out), in the source's format.
 */
export async function copyDisk(
  qemuImg: string,
  src: string,
  dest: string,
  options: { keepSnapshots: boolean; format?: string; onProgress?: (percent: number) => void },
): Promise<DiskInfo> {
  const source = await diskInfo(qemuImg, src, options.format);
  const format = source.format === 'raw' ? 'raw' : 'qcow2';
  if (!options.keepSnapshots || source.format !== 'qcow2') {
    return convertDisk(qemuImg, source.file, dest, { format, sourceFormat: source.format, onProgress: options.onProgress });
  }
  const target = path.resolve(dest);
  await writeNew(target, async (tmp) => {
    await copyFileWithProgress(source.file, tmp, options.onProgress);
    if (source.backingFile && path.dirname(target) !== path.dirname(source.file)) {
      // -u: only the pointer changes (the base is the same file); -F: never probe it.
      const backing = path.relative(path.dirname(target), source.backingFile);
      try {
        await runQemuImg(qemuImg, ['rebase', '-q', '-u', '-f', 'qcow2', '-b', backing, '-F', source.backingFormat ?? 'qcow2', tmp]);
      } catch (err) {
        throw sentence(err, 'disk.copyFailed', source.file);
      }
    }
  });
  options.onProgress?.(100);
  return diskInfo(qemuImg, target, 'qcow2');
}

async function copyFileWithProgress(src: string, dest: string, onProgress?: (percent: number) => void): Promise<void> {
  const total = fs.statSync(src).size;
  let done = 0;
  let last = -1;
  await new Promise<void>((resolve, reject) => {
    const input = fs.createReadStream(src, { highWaterMark: 1 << 20 });
    const output = fs.createWriteStream(dest, { flags: 'wx' });
    input.on('data', (chunk) => {
      done += chunk.length;
      const percent = total ? Math.floor((done / total) * 100) : 100;
      if (percent !== last) onProgress?.((last = percent));
    });
    input.on('error', reject);
    output.on('error', reject);
    output.on('finish', resolve);
    input.pipe(output);
  }).catch((err: unknown) => {
    throw new GuesthouseError('engine-failed', m('disk.copyFailed', { path: src, detail: (err as Error).message }));
  });
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
