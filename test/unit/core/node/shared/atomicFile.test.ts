// writeFileAtomic and PausableLog on a disk that fills up. The disk is a mocked fs here
// (vi.spyOn on node:fs, so it runs everywhere, as any user); test/integration/diskFull.test.ts
// does the same on a real full tmpfs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { writeFileAtomic } from '../../../../../core/node/shared/atomicFile';
import { LOG_RETRY_MS, PausableLog } from '../../../../../core/node/shared/logFile';

const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gh-atomic-'));

afterEach(() => vi.restoreAllMocks());

describe('writeFileAtomic on a full disk', () => {
  for (const failing of ['writeSync', 'fsyncSync'] as const) {
    it(`leaves the old file and no temp file when ${failing} fails`, () => {
      const dir = tmp();
      const file = path.join(dir, 'vm.json');
      fs.writeFileSync(file, 'old\n');
      vi.spyOn(fs, failing).mockImplementation(() => {
        throw enospc();
      });
      expect(() => writeFileAtomic(file, 'new\n')).toThrow(/ENOSPC/);
      vi.restoreAllMocks();
      expect(fs.readdirSync(dir)).toEqual(['vm.json']);
      expect(fs.readFileSync(file, 'utf8')).toBe('old\n');
    });
  }

  it('writes all of a write that the disk takes in parts', () => {
    const dir = tmp();
    const file = path.join(dir, 'state');
    const real = fs.writeSync.bind(fs) as (fd: number, b: Uint8Array, o: number, l: number) => number;
    // Each call writes at most 3 bytes, as a disk filling up may.
    vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, b: Uint8Array, o: number, l: number) => real(fd, b, o, Math.min(l, 3))) as typeof fs.writeSync);
    writeFileAtomic(file, 'abcdefghij');
    vi.restoreAllMocks();
    expect(fs.readFileSync(file, 'utf8')).toBe('abcdefghij');
  });
});

describe('PausableLog', () => {
  it('pauses on a failed write, says so once, tries again after LOG_RETRY_MS and says when it resumes', () => {
    const dir = tmp();
    const file = path.join(dir, 'console.log');
    let now = 0;
    const changes: (string | null)[] = [];
    const log = new PausableLog(
      file,
      'w',
      (p) => changes.push(p),
      () => now,
    );
    log.write('one\n');
    const spy = vi.spyOn(fs, 'writeSync').mockImplementation(() => {
      throw enospc();
    });
    expect(() => log.write('two\n')).not.toThrow();
    log.write('three\n');
    expect(log.paused).toBe(true);
    expect(changes).toEqual(['full']);
    expect(spy).toHaveBeenCalledTimes(1); // no retry within LOG_RETRY_MS
    now += LOG_RETRY_MS;
    log.write('four\n'); // retried: still full
    expect(spy).toHaveBeenCalledTimes(2);
    expect(changes).toEqual(['full']);
    vi.restoreAllMocks();
    log.write('five\n'); // within LOG_RETRY_MS of the last failure: dropped
    now += LOG_RETRY_MS;
    log.write('six\n');
    expect(log.paused).toBe(false);
    expect(changes).toEqual(['full', null]);
    log.close('end\n');
    expect(fs.readFileSync(file, 'utf8')).toBe('one\nsix\nend\n');
  });

  it('a log that cannot be opened is paused, not thrown, and opens later', () => {
    const dir = tmp();
    const file = path.join(dir, 'missing', 'qemu.log');
    let now = 0;
    const changes: (string | null)[] = [];
    const log = new PausableLog(
      file,
      'w',
      (p) => changes.push(p),
      () => now,
    );
    expect(changes).toEqual(['failed']);
    fs.mkdirSync(path.dirname(file));
    now += LOG_RETRY_MS;
    log.write('hello\n');
    expect(changes).toEqual(['failed', null]);
    log.close();
    expect(fs.readFileSync(file, 'utf8')).toBe('hello\n');
  });
});
