import fs from 'node:fs';
import path from 'node:path';

/** Whether a failed write failed for want of space (a full disk, or the user's quota). */
export function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/**
 * Replaces `file` so that a crash at any moment leaves either the old or the new
 * content: write a temp file beside it, fsync, rename over, fsync the folder. A write
 * that fails (a full disk) leaves `file` as it was and no temp file behind.
 */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  const tmp = atomicTempFile(file);
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    try {
      const bytes = typeof content === 'string' ? Buffer.from(content) : content;
      // writeSync may write less than asked (a disk filling up) without throwing.
      for (let done = 0; done < bytes.length;) done += fs.writeSync(fd, bytes, done, bytes.length - done);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  syncFolder(path.dirname(file));
}

/**
 * `writeFileAtomic` for content too large to hold (a saved machine state): `fill` writes the
 * temp file through `out` and resolves once it is all there (it may still refuse by throwing);
 * then fsync, rename over `file`, fsync the folder. A `fill` that throws leaves `file` as it
 * was and no temp file behind.
 */
export async function writeStreamAtomic(file: string, fill: (out: fs.WriteStream) => Promise<void>): Promise<void> {
  const tmp = atomicTempFile(file);
  const out = fs.createWriteStream(tmp, { mode: 0o644 });
  out.on('error', () => undefined); // `fill` sees it (pipeline), and the fsync below fails without the file
  try {
    await fill(out);
    fsyncPath(tmp);
    fs.renameSync(tmp, file);
  } catch (err) {
    out.destroy();
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  syncFolder(path.dirname(file));
}

/** Makes a rename in `folder` durable (POSIX; Windows has no folder fsync). */
export function syncFolder(folder: string): void {
  if (process.platform !== 'win32') fsyncPath(folder);
}

/** fsync of a file or folder by its path (a file written by a stream that closed its own descriptor). */
export function fsyncPath(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The temp file a write that replaces `file` writes beside it first: `.<name>.<pid>.tmp`. */
export function atomicTempFile(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
}

/**
 * The name of the file that `name`, a temp file a write left in the same folder (after a
 * crash mid-write, see `atomicTempFile`), was written for; null for any other name.
 */
export function atomicTempTarget(name: string): string | null {
  return /^\.(.+)\.\d+\.tmp$/.exec(name)?.[1] ?? null;
}
