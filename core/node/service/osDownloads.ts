// The OS catalogue's downloads (IVmService listOs, downloadOs, cancelDownload) into the
// library's media folder: the vendor's checksum file first, then the image into `<file>.part`,
// resumed with HTTP Range after a dropped connection (and by the next request after a
// failure), hashed as it arrives and renamed only once its SHA-256 matches; a mismatch deletes
// it. One download per file: a second request joins the first. Cancelling deletes the part.
// Progress goes out as `os-download` ProgressEvents, a few per second.
import fs from 'node:fs';
import path from 'node:path';
import type { OsCatalogueItem, OsDownloaded, ProgressEvent, TransferProgress } from '../../common/api';
import { GuesthouseError, sentenceOf } from '../../common/errors';
import { m, type Sentence } from '../../common/messages';
import { mirrorVariable, osCatalogue, sha256For, type OsEntry } from '../../common/osCatalogue';
import { readHostSettings } from '../library/hostSettings';
import { appendRest, fetchText, hashExisting, TransientError } from '../media/httpFetch';
import { ParallelSha256 } from '../media/parallelSha256';

/** The library's folder for installer images. */
export const mediaDir = (home: string): string => path.join(home, 'media');
/** Tries per download after a dropped connection, each from where the file stops. */
const ATTEMPTS = 6;
/** At most this often a progress event (and always the last). */
const PROGRESS_MS = 250;
/** Speed is measured over this last stretch. */
const SPEED_WINDOW_MS = 3000;

export interface OsDownloadsOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  emit(event: ProgressEvent): void;
  /** Pause before retry `attempt` (1, 2, …): tests make it short. */
  retryDelayMs?: (attempt: number) => number;
}

interface Active {
  id: string;
  done: Promise<OsDownloaded>;
  abort: AbortController;
}

/** A catalogue entry's file name in the media folder (its own name, unless that is as plain as mini.iso). */
export const mediaFileName = (entry: OsEntry): string => {
  const own = entry.path.split('/').pop()!;
  return own === 'mini.iso' ? `${entry.id}.iso` : own;
};

/** Bytes as people read them: 1.5 GiB, 300 MiB, 12 KiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Seconds as h:mm:ss or m:ss. */
const clock = (s: number) => {
  const t = Math.round(s);
  const mm = String(Math.floor((t % 3600) / 60));
  const ss = String(t % 60).padStart(2, '0');
  return t >= 3600 ? `${Math.floor(t / 3600)}:${mm.padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
};

export class OsDownloads {
  /** Under way, by the file's name in the media folder. */
  private readonly active = new Map<string, Active>();

  constructor(private readonly options: OsDownloadsOptions) {}

  private entry(id: string): OsEntry {
    const entry = osCatalogue().find((e) => e.id === id);
    if (!entry) throw new GuesthouseError('not-found', m('os.notFound', { id }));
    return entry;
  }

  /** The mirror for a family: the environment's, else the setting's, else none. */
  private mirror(entry: OsEntry): string | null {
    const set = this.options.env[mirrorVariable(entry.family)] || readHostSettings(this.options.home).mirrors?.[entry.family];
    return set ? (set.endsWith('/') ? set : `${set}/`) : null;
  }

  private urls(entry: OsEntry) {
    const base = this.mirror(entry) ?? entry.base;
    return { url: base + entry.path, checksumUrl: base + entry.checksum.path };
  }

  /** The verified image's path, or null: a file with its `.sha256` beside it (written once it matched). */
  private downloaded(entry: OsEntry): string | null {
    const file = path.join(mediaDir(this.options.home), mediaFileName(entry));
    return fs.existsSync(file) && fs.existsSync(`${file}.sha256`) ? file : null;
  }

  list(): OsCatalogueItem[] {
    return osCatalogue().map((e) => ({
      ...e,
      ...this.urls(e),
      mirror: this.mirror(e),
      downloaded: this.downloaded(e),
      downloading: this.active.has(mediaFileName(e)),
    }));
  }

  download(id: string): Promise<OsDownloaded> {
    const entry = this.entry(id);
    const name = mediaFileName(entry);
    const running = this.active.get(name);
    if (running) return running.done;
    const abort = new AbortController();
    const done = this.run(entry, abort.signal).finally(() => this.active.delete(name));
    this.active.set(name, { id, done, abort });
    return done;
  }

  async cancel(id: string): Promise<void> {
    const name = mediaFileName(this.entry(id));
    const running = this.active.get(name);
    if (!running) throw new GuesthouseError('invalid-state', m('download.notRunning', { id }));
    running.abort.abort(new GuesthouseError('invalid-state', m('download.cancelled', { file: name })));
    await running.done.catch(() => undefined);
  }

  /** Cancels every download (the service is going away); their parts are deleted. */
  async close(): Promise<void> {
    await Promise.all([...this.active.values()].map((a) => this.cancel(a.id).catch(() => undefined)));
  }

  private async run(entry: OsEntry, signal: AbortSignal): Promise<OsDownloaded> {
    const dir = mediaDir(this.options.home);
    const file = path.join(dir, mediaFileName(entry));
    const part = `${file}.part`;
    const { url, checksumUrl } = this.urls(entry);
    const progress = new DownloadProgress(entry, this.options.emit);
    let hash: ParallelSha256 | null = null;
    try {
      progress.step(m('download.checksums', { name: `${entry.name} ${entry.version}` }));
      const expected = sha256For(await fetchText(checksumUrl, signal), entry.checksum.name);
      if (!expected) throw new GuesthouseError('engine-failed', m('download.noChecksum', { url: checksumUrl, file: entry.checksum.name }));
      const kept = this.downloaded(entry) && fs.readFileSync(`${file}.sha256`, 'utf8').trim();
      if (kept === expected) {
        const result = { id: entry.id, path: file, sha256: expected, sizeBytes: fs.statSync(file).size };
        progress.done(m('download.done', { file }));
        return result;
      }
      fs.mkdirSync(dir, { recursive: true });
      hash = new ParallelSha256();
      let have = await hashExisting(part, hash);
      progress.start(have);
      for (let attempt = 1; ; attempt++) {
        try {
          have = await appendRest(url, part, {
            signal,
            haveBytes: have,
            hash,
            restart: () => (hash?.dispose(), (hash = new ParallelSha256()), progress.start(0), hash),
            onTotal: (total) => progress.total(total),
            onBytes: (n) => progress.add(n),
          });
          break;
        } catch (err) {
          if (!(err instanceof TransientError) || attempt >= ATTEMPTS || signal.aborted) throw err;
          await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs?.(attempt) ?? 500 * attempt));
          if (signal.aborted) throw signal.reason;
          // Whatever reached the file before the drop counts: carry on from its end.
          hash.dispose();
          hash = new ParallelSha256();
          have = await hashExisting(part, hash);
          progress.start(have);
        }
      }
      progress.step(m('download.verifying', { file }));
      const actual = await hash.digest();
      if (actual !== expected) {
        fs.rmSync(part, { force: true });
        throw new GuesthouseError('engine-failed', m('download.mismatch', { file, expected, actual }));
      }
      fs.rmSync(`${file}.sha256`, { force: true });
      fs.renameSync(part, file);
      fs.writeFileSync(`${file}.sha256`, `${actual}\n`);
      progress.done(m('download.done', { file }));
      return { id: entry.id, path: file, sha256: actual, sizeBytes: have };
    } catch (err) {
      if (signal.aborted) fs.rmSync(part, { force: true });
      const error =
        err instanceof GuesthouseError || signal.aborted
          ? signal.aborted
            ? signal.reason
            : err
          : new GuesthouseError('engine-failed', m('download.failed', { url, reason: err instanceof TransientError ? err.message : sentenceOf(err) }));
      progress.failed(error);
      throw error;
    } finally {
      hash?.dispose();
    }
  }
}

/** One download's progress events: bytes, speed over the last seconds, time left. */
class DownloadProgress {
  private doneBytes = 0;
  private totalBytes: number | null = null;
  private samples: [ms: number, bytes: number][] = [];
  private lastEmit = 0;

  constructor(
    private readonly entry: OsEntry,
    private readonly emit: (event: ProgressEvent) => void,
  ) {}

  private event(step: Sentence, done: boolean, percent: number | null, transfer?: TransferProgress): ProgressEvent {
    return { id: this.entry.id, operation: 'os-download', percent, step, done, ...(transfer && { transfer }) };
  }

  step(step: Sentence): void {
    this.emit(this.event(step, false, null));
  }

  start(haveBytes: number): void {
    this.doneBytes = haveBytes;
    this.samples = [[performance.now(), haveBytes]];
  }

  total(totalBytes: number | null): void {
    this.totalBytes = totalBytes;
  }

  add(bytes: number): void {
    this.doneBytes += bytes;
    const now = performance.now();
    if (now - this.lastEmit < PROGRESS_MS) return;
    this.lastEmit = now;
    this.samples.push([now, this.doneBytes]);
    while (this.samples.length > 2 && now - this.samples[0]![0] > SPEED_WINDOW_MS) this.samples.shift();
    const [t0, b0] = this.samples[0]!;
    const perSecond = now > t0 ? ((this.doneBytes - b0) * 1000) / (now - t0) : 0;
    const left = this.totalBytes !== null && perSecond > 0 ? (this.totalBytes - this.doneBytes) / perSecond : null;
    const transfer = {
      doneBytes: this.doneBytes,
      totalBytes: this.totalBytes,
      bytesPerSecond: Math.round(perSecond),
      secondsLeft: left === null ? null : Math.ceil(left),
    };
    const step = m('download.progress', {
      name: `${this.entry.name} ${this.entry.version}`,
      done: formatBytes(this.doneBytes),
      total: this.totalBytes === null ? m('download.unknownSize') : formatBytes(this.totalBytes),
      speed: formatBytes(transfer.bytesPerSecond),
      left: left === null ? '?' : clock(left),
    });
    this.emit(this.event(step, false, this.totalBytes ? Math.min(100, (this.doneBytes / this.totalBytes) * 100) : null, transfer));
  }

  done(step: Sentence): void {
    this.emit(this.event(step, true, 100));
  }

  failed(err: unknown): void {
    this.emit(this.event(m('progress.failed', { reason: sentenceOf(err) }), true, null));
  }
}
