// writeStreamAtomic: the streaming form of writeFileAtomic that the QEMU save path uses.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { writeStreamAtomic } from '../../../../../core/node/shared/atomicFile';

const folder = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gh-atomic-stream-'));

describe('writeStreamAtomic', () => {
  it('replaces the file with all that was streamed, and leaves no temp file', async () => {
    const dir = folder();
    const file = path.join(dir, 'machine.qemustate');
    fs.writeFileSync(file, 'old');
    const chunks = Array.from({ length: 64 }, (_, i) => Buffer.alloc(64 * 1024, i));
    await writeStreamAtomic(file, (out) => pipeline(Readable.from(chunks), out));
    expect(fs.readFileSync(file).equals(Buffer.concat(chunks))).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['machine.qemustate']);
  });

  it('leaves the old file and no temp file when the fill refuses after streaming', async () => {
    const dir = folder();
    const file = path.join(dir, 'machine.qemustate');
    fs.writeFileSync(file, 'old');
    await expect(
      writeStreamAtomic(file, async (out) => {
        await pipeline(Readable.from([Buffer.from('half a state')]), out);
        throw new Error('migration failed');
      }),
    ).rejects.toThrow('migration failed');
    expect(fs.readdirSync(dir)).toEqual(['machine.qemustate']);
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
  });

  it('leaves nothing when the stream itself fails mid-way', async () => {
    const dir = folder();
    const file = path.join(dir, 'machine.qemustate');
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1024));
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(writeStreamAtomic(file, (out) => pipeline(failing, out))).rejects.toThrow('connection reset');
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
