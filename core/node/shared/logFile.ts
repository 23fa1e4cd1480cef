import fs from 'node:fs';
import { isDiskFull } from './atomicFile';

/** A paused log tries again on the next write this long after it failed, not sooner. */
export const LOG_RETRY_MS = 3000;

/** Why a log paused: the disk is full, or it could not be written for another reason. */
export type LogPause = 'full' | 'failed';

/**
 * A log file whose writes never throw. A write that fails (a full disk) pauses the log:
 * what comes meanwhile is dropped, `onChange` says so once, and a write at least
 * LOG_RETRY_MS later tries again; once one succeeds the log resumes and `onChange` says that.
 * Writes are synchronous: what a caller has written is in the file when write returns.
 */
export class PausableLog {
  private fd: number | undefined;
  private failedAt: number | undefined;
  private closed = false;

  constructor(
    private readonly file: string,
    flags: 'w' | 'a',
    private readonly onChange: (pause: LogPause | null) => void = () => undefined,
    private readonly now: () => number = () => performance.now(),
  ) {
    try {
      this.fd = fs.openSync(file, flags);
    } catch (err) {
      this.fail(err);
    }
  }

  get paused(): boolean {
    return this.failedAt !== undefined;
  }

  write(data: string | Uint8Array): void {
    if (this.closed) return;
    if (this.failedAt !== undefined && this.now() - this.failedAt < LOG_RETRY_MS) return;
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    try {
      // After a failed open, append: the retry must not empty what the log already holds.
      this.fd ??= fs.openSync(this.file, 'a');
      for (let done = 0; done < bytes.length;) done += fs.writeSync(this.fd, bytes, done, bytes.length - done);
    } catch (err) {
      this.fail(err);
      return;
    }
    if (this.failedAt !== undefined) {
      this.failedAt = undefined;
      this.onChange(null);
    }
  }

  /** Writes `last` (if the log can take it) and closes the file. */
  close(last?: string | Uint8Array): void {
    if (last !== undefined) this.write(last);
    this.closed = true;
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // nothing more to lose
      }
    }
    this.fd = undefined;
  }

  private fail(err: unknown): void {
    const first = this.failedAt === undefined;
    this.failedAt = this.now();
    if (first) this.onChange(isDiskFull(err) ? 'full' : 'failed');
  }
}
