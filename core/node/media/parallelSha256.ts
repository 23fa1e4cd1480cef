// SHA-256 on a worker thread, so that hashing a download as it arrives costs the receiving
// thread a copy, not the hash (which on a slow core takes as long as the transfer itself:
// the download benchmark against curl). The worker's source is inline, so it runs the same
// from out/ and from a bundle. At most MAX_QUEUED_BYTES wait for the worker; `update` then
// resolves only once it has caught up, which holds the download back to the hashing speed.
import { Worker } from 'node:worker_threads';

const MAX_QUEUED_BYTES = 64 * 1024 * 1024;

const SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
let hash = crypto.createHash('sha256');
parentPort.on('message', (m) => {
  if (m === 'digest') {
    parentPort.postMessage({ digest: hash.digest('hex') });
    hash = crypto.createHash('sha256');
  } else {
    hash.update(m);
    parentPort.postMessage({ done: m.byteLength });
  }
});
`;

export class ParallelSha256 {
  private readonly worker = new Worker(SOURCE, { eval: true });
  private queued = 0;
  private waiters: (() => void)[] = [];
  private digestWaiter: ((hex: string) => void) | null = null;
  private failure: Error | null = null;

  constructor() {
    this.worker.on('message', (m: { done?: number; digest?: string }) => {
      if (m.digest !== undefined) this.digestWaiter?.(m.digest);
      if (m.done === undefined) return;
      this.queued -= m.done;
      if (this.queued <= MAX_QUEUED_BYTES / 2) for (const w of this.waiters.splice(0)) w();
    });
    this.worker.on('error', (err) => {
      this.failure = err;
      for (const w of this.waiters.splice(0)) w();
    });
    this.worker.unref();
  }

  /** Hands bytes to the worker (a copy: the caller may reuse its buffer); waits while too much is queued. */
  async update(data: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    const copy = new Uint8Array(data);
    this.queued += copy.byteLength;
    this.worker.postMessage(copy, [copy.buffer]);
    if (this.queued > MAX_QUEUED_BYTES) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** The hash of everything given, in hex; the worker then starts a new hash. */
  digest(): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve) => {
      this.digestWaiter = (hex) => {
        this.digestWaiter = null;
        resolve(hex);
      };
      this.worker.postMessage('digest');
    });
  }

  /** Ends the worker. */
  dispose(): void {
    void this.worker.terminate();
  }
}
