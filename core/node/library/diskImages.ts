import fs from 'node:fs';
import path from 'node:path';
import { GuesthouseError } from '../../common/errors';
import { m } from '../../common/messages';
import { atomicTempFile, fsyncPath, syncFolder } from '../shared/atomicFile';
import { qemuImgDetail, qemuImgError as sentence, runQemuImg } from './qemuImg';
import type { DiskFormat } from '../../common/presets';

/**
 * The service's disk tools that are not about snapshots: info, create, resize, convert
 * (import), copy and linked images, with qemu-img on images no QEMU has open (the VM's
 * lock guarantees it; qemu-img's own write lock refuses otherwise, which becomes a
 * sentence). Every run names the format explicitly (no probing of raw images). A step
 * that fails leaves every image as it was: new files are written under a temp name in
 * the target's folder and renamed at the end.
 */

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

/** Creates a new disk image with qemu-img (qcow2 grows on demand; raw is sparse). */
export async function createDiskImage(qemuImg: string, file: string, format: DiskFormat, sizeBytes: number): Promise<void> {
  try {
    await runQemuImg(qemuImg, ['create', '-q', '-f', format, file, String(sizeBytes)], { timeoutMs: 60_000 });
  } catch (err) {
    throw new GuesthouseError('engine-failed', m('qemu.imgFailed', { detail: qemuImgDetail(err) }).about('disk'));
  }
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

/** Makes `tmp` durable and puts it in place as `dest`; `dest` must not exist (never overwrites another file). */
function settle(tmp: string, dest: string): void {
  fsyncPath(tmp);
  if (fs.existsSync(dest)) throw new GuesthouseError('already-exists', m('disk.exists', { path: dest }));
  fs.renameSync(tmp, dest);
  syncFolder(path.dirname(dest));
}

/** Writes a new image through a temp file beside `dest`: on any failure `dest` does not exist and no temp file is left. */
async function writeNew(dest: string, write: (tmp: string) => Promise<void>): Promise<void> {
  if (fs.existsSync(dest)) throw new GuesthouseError('already-exists', m('disk.exists', { path: dest }));
  if (!fs.existsSync(path.dirname(dest))) throw new GuesthouseError('not-found', m('disk.noFolder', { path: path.dirname(dest) }));
  const tmp = atomicTempFile(dest);
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
  format: DiskFormat;
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
