// HTTP for OS downloads: a small text (a checksum file), and an image appended to a `.part`
// file from where it stops (Range), hashed as it arrives. Node's own http/https: redirects
// followed (mirror redirectors such as download.fedoraproject.org), a stalled connection
// given up after a while, and an AbortSignal to cancel.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { GuesthouseError } from '../../common/errors';
import { m } from '../../common/messages';

const MAX_REDIRECTS = 5;
/** A connection that brings nothing for this long is dropped (and the download resumes). */
export const STALL_MS = 30_000;

/** Where the bytes go to be hashed (a crypto Hash, or ParallelSha256 on a worker thread). */
export interface HashSink {
  update(data: Uint8Array): unknown;
}

/** A failure worth trying again from where the file stops (the connection dropped, stalled, or the server said 5xx). */
export class TransientError extends Error {}

/** A GET of `url` (following redirects) with these headers; the response, status not yet judged. */
function get(url: string, headers: Record<string, string>, signal: AbortSignal, redirects = 0): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : http;
    // No keep-alive: one long request per connection, and a retry never reuses a socket the server is closing.
    const req = lib.get(url, { headers: { 'user-agent': 'Guesthouse', ...headers }, signal, agent: false }, (res) => {
      const location = res.headers.location;
      if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location) {
        res.resume();
        if (redirects >= MAX_REDIRECTS) reject(new GuesthouseError('engine-failed', m('download.http', { status: res.statusCode, url })));
        else get(new URL(location, url).toString(), headers, signal, redirects + 1).then(resolve, reject);
        return;
      }
      resolve(res);
    });
    req.setTimeout(STALL_MS, () => req.destroy(new TransientError(`no data for ${STALL_MS / 1000} s`)));
    req.on('error', (err) => reject(signal.aborted ? signal.reason : err instanceof TransientError ? err : new TransientError(err.message)));
  });
}

function statusError(res: http.IncomingMessage, url: string): Error {
  res.resume();
  const sentence = m('download.http', { status: res.statusCode ?? 0, url });
  return (res.statusCode ?? 0) >= 500 ? new TransientError(sentence.message) : new GuesthouseError('engine-failed', sentence);
}

/** The body of a small file (a checksum list), at most `maxBytes`. */
export async function fetchText(url: string, signal: AbortSignal, maxBytes = 1024 * 1024): Promise<string> {
  const res = await get(url, {}, signal);
  if (res.statusCode !== 200) throw statusError(res, url);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      res.destroy();
      break;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Feeds what `file` already holds into `hash`; answers its size (0 when it does not exist). */
export async function hashExisting(file: string, hash: HashSink): Promise<number> {
  let size = 0;
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
      await hash.update(chunk);
      size += chunk.length;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return size;
}

export interface AppendOptions {
  signal: AbortSignal;
  /** Bytes already in `file`, fed into `hash`. */
  haveBytes: number;
  hash: HashSink;
  /** The server sends the whole file again (it ignored the Range): a fresh hash for it. */
  restart(): HashSink;
  /** Told of the total size once the server says it. */
  onTotal(totalBytes: number | null): void;
  /** Told of each piece written. */
  onBytes(bytes: number): void;
}

/**
 * Appends the rest of `url` to `file` (asking for bytes from `haveBytes` on), hashing what
 * arrives. A server that ignores the Range starts the file over (and `restart` the hash).
 * Answers the file's size when the body ended.
 */
export async function appendRest(url: string, file: string, options: AppendOptions): Promise<number> {
  const { signal } = options;
  let have = options.haveBytes;
  const res = await get(url, have > 0 ? { range: `bytes=${have}-` } : {}, signal);
  if (res.statusCode === 416 && have > 0) {
    // Asked from past the end: what we have is all there is (the hash then says if it is right).
    res.resume();
    const total = Number(String(res.headers['content-range'] ?? '').split('/')[1]);
    options.onTotal(Number.isFinite(total) ? total : have);
    return have;
  }
  if (res.statusCode !== 200 && res.statusCode !== 206) throw statusError(res, url);
  const partial = res.statusCode === 206 && String(res.headers['content-range'] ?? '').startsWith(`bytes ${have}-`);
  if (!partial) have = 0; // the whole file again
  const h = partial || options.haveBytes === 0 ? options.hash : options.restart();
  const length = Number(res.headers['content-length']);
  options.onTotal(Number.isFinite(length) ? have + length : null);
  const out = fs.createWriteStream(file, { flags: partial ? 'a' : 'w', highWaterMark: 1024 * 1024 });
  const closed = new Promise<void>((resolve, reject) => {
    out.on('close', resolve);
    out.on('error', reject);
  });
  let size = have;
  try {
    res.setTimeout(STALL_MS, () => res.destroy(new TransientError(`no data for ${STALL_MS / 1000} s`)));
    for await (const chunk of res as AsyncIterable<Buffer>) {
      await h.update(chunk);
      size += chunk.length;
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      options.onBytes(chunk.length);
    }
    if (Number.isFinite(length) && size < have + length) throw new TransientError('the connection ended early');
  } catch (err) {
    throw signal.aborted ? signal.reason : err instanceof GuesthouseError || err instanceof TransientError ? err : new TransientError((err as Error).message);
  } finally {
    out.end();
    await closed;
  }
  return size;
}
