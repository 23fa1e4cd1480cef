import fs from 'node:fs';

/**
 * Looks for `needle` in a file, reading it in chunks. Returns whether it was found
 * and, if not, the file's last needle.length - 1 bytes (a match may straddle them).
 */
export function findInFile(file: string, needle: Buffer): { found: boolean; tail: Buffer } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return { found: false, tail: Buffer.alloc(0) };
  }
  try {
    const chunk = Buffer.alloc(1 << 20);
    let carry = Buffer.alloc(0);
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) return { found: false, tail: carry };
      const window = Buffer.concat([carry, chunk.subarray(0, n)]);
      if (window.includes(needle)) return { found: true, tail: Buffer.alloc(0) };
      carry = window.subarray(Math.max(0, window.length - (needle.length - 1)));
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Matches a needle across a stream of chunks. */
export class StreamMatcher {
  private carry: Buffer;

  constructor(
    private readonly needle: Buffer,
    tail: Buffer = Buffer.alloc(0),
  ) {
    this.carry = tail;
  }

  push(data: Uint8Array): boolean {
    const window = Buffer.concat([this.carry, data]);
    if (window.includes(this.needle)) return true;
    this.carry = window.subarray(Math.max(0, window.length - (this.needle.length - 1)));
    return false;
  }
}
