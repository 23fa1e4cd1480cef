// OS downloads against a loopback HTTP server with Range support (test/support/rangeServer.ts;
// the vendors' servers cannot be reached here, so it stands in for the mirror the
// GUESTHOUSE_MIRROR_<FAMILY> variable names): progress, resume after a dropped connection,
// a wrong checksum, cancelling, and two requests sharing one download.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../../../../core/common/api';
import { osCatalogue } from '../../../../../core/common/osCatalogue';
import { mediaDir, mediaFileName, OsDownloads } from '../../../../../core/node/service/osDownloads';
import { rangeServer, type RangeServer } from '../../../../support/rangeServer';
import { tempHome } from '../../../../support/service';

const entry = osCatalogue().find((e) => e.id === 'alpine-3.22-x86_64-virt')!;
const content = crypto.randomBytes(8 * 1024 * 1024);

let home: string;
let server: RangeServer;
let events: ProgressEvent[];

async function setUp(options: { wrongSum?: boolean } = {}) {
  server = await rangeServer({ path: entry.path, content, sumsPath: entry.checksum.path, sumsName: entry.checksum.name, ...options });
  return new OsDownloads({
    home,
    env: { GUESTHOUSE_MIRROR_ALPINE: server.url },
    emit: (e) => events.push(e),
    retryDelayMs: () => 10,
  });
}

const mediaFiles = () => (fs.existsSync(mediaDir(home)) ? fs.readdirSync(mediaDir(home)).sort() : []);
const target = () => path.join(mediaDir(home), mediaFileName(entry));

beforeEach(() => {
  home = tempHome('dl');
  events = [];
});
afterEach(async () => {
  await server?.close();
});

describe('OsDownloads', () => {
  it('downloads through the mirror into the media folder, checks the SHA-256, and reports progress', async () => {
    const downloads = await setUp();
    server.throttle = 512 * 1024; // ~50 MiB/s: long enough for a few progress events
    expect(downloads.list().find((e) => e.id === entry.id)).toMatchObject({ url: server.url + entry.path, mirror: server.url, downloaded: null });
    const result = await downloads.download(entry.id);
    expect(result).toEqual({ id: entry.id, path: target(), sha256: server.sha256, sizeBytes: content.length });
    expect(fs.readFileSync(target()).equals(content)).toBe(true);
    expect(mediaFiles()).toEqual([mediaFileName(entry), `${mediaFileName(entry)}.sha256`]);
    const transfers = events.filter((e) => e.transfer);
    expect(transfers.length).toBeGreaterThan(0);
    expect(transfers.at(-1)!.transfer).toMatchObject({ totalBytes: content.length });
    expect(transfers.every((e) => e.transfer!.bytesPerSecond > 0 && e.step.key === 'download.progress')).toBe(true);
    expect(events.at(-1)).toMatchObject({ id: entry.id, operation: 'os-download', done: true, percent: 100 });
    expect(downloads.list().find((e) => e.id === entry.id)!.downloaded).toBe(target());
    // Asked again: the checksum still matches, nothing is fetched.
    await downloads.download(entry.id);
    expect(server.ranges).toEqual(['']);
  });

  it('resumes with a Range request after the server drops the connection halfway', async () => {
    const downloads = await setUp();
    server.dropAfter = { bytes: content.length / 2, times: 1 };
    const result = await downloads.download(entry.id);
    expect(result.sha256).toBe(server.sha256);
    expect(server.ranges).toEqual(['', `bytes=${content.length / 2}-`]);
    expect(fs.readFileSync(target()).equals(content)).toBe(true);
  });

  it('a download that fails midway keeps what it has, and the next request resumes it', async () => {
    const downloads = await setUp();
    // After the drop the server answers 404 until told otherwise: the retry fails for good.
    server.dropAfter = { bytes: 3 * 1024 * 1024, times: 1, thenFail: 404 };
    await expect(downloads.download(entry.id)).rejects.toThrow(`The server answered 404 for ${server.url + entry.path}.`);
    expect(mediaFiles()).toEqual([`${mediaFileName(entry)}.part`]);
    expect(fs.statSync(`${target()}.part`).size).toBe(3 * 1024 * 1024);
    server.failWith = null;
    await downloads.download(entry.id);
    expect(server.ranges.at(-1)).toBe(`bytes=${3 * 1024 * 1024}-`);
    expect(fs.readFileSync(target()).equals(content)).toBe(true);
  });

  it('a wrong checksum deletes the file and says so', async () => {
    const downloads = await setUp({ wrongSum: true });
    await expect(downloads.download(entry.id)).rejects.toThrow(
      `The download of ${target()} does not match its SHA-256 checksum (${'0'.repeat(64)} expected, ${server.sha256} received): the file was deleted.`,
    );
    expect(mediaFiles()).toEqual([]);
  });

  it('cancelling leaves no partial file in the media folder', async () => {
    const downloads = await setUp();
    server.throttle = 64 * 1024;
    const running = downloads.download(entry.id);
    const outcome = running.then(
      () => 'finished',
      (err: Error) => err.message,
    );
    await new Promise<void>((resolve) => {
      const wait = setInterval(() => events.some((e) => (e.transfer?.doneBytes ?? 0) > 0) && (clearInterval(wait), resolve()), 5);
    });
    // The part file is opened as the first bytes arrive (its stream opens asynchronously).
    await expect.poll(() => mediaFiles()).toEqual([`${mediaFileName(entry)}.part`]);
    await downloads.cancel(entry.id);
    expect(await outcome).toBe(`The download of ${mediaFileName(entry)} was cancelled; nothing of it was kept.`);
    expect(mediaFiles()).toEqual([]);
    await expect(downloads.cancel(entry.id)).rejects.toThrow(`No download of "${entry.id}" is under way.`);
  });

  it('two requests for one file share one download', async () => {
    const downloads = await setUp();
    server.throttle = 1024 * 1024;
    const first = downloads.download(entry.id);
    const second = downloads.download(entry.id);
    expect(downloads.list().find((e) => e.id === entry.id)!.downloading).toBe(true);
    const [a, b] = await Promise.all([first, second]);
    expect(a).toEqual(b);
    expect(server.ranges).toEqual(['']);
  });

  it('an id not in the catalogue gets a sentence', async () => {
    const downloads = await setUp();
    expect(() => downloads.download('nope')).toThrow('There is no OS "nope" in the catalogue; "guesthouse os list" shows them.');
  });
});
