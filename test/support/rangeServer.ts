/**
 * A loopback HTTP server (node:http) that serves one file and its SHA256SUMS with Range
 * support, for download tests and the download benchmark. It stands in for a vendor's
 * mirror, which cannot be reached here; what it can be told to do wrong is what real mirrors
 * do: drop the connection midway, answer an error, send slowly, publish a wrong checksum.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RangeServerOptions {
  /** The file's path on the server, and its content (a Buffer, or a file to stream). */
  path: string;
  content: Buffer | { file: string };
  /** The checksum file's path, and the name the file has in it. */
  sumsPath: string;
  sumsName: string;
  /** Publish this hash instead of the real one. */
  wrongSum?: boolean;
}

export interface RangeServer {
  url: string;
  /** The Range header of each request for the file ('' for none). */
  ranges: string[];
  /** Drop the connection after this many bytes of the next response(s); then answer `thenFail` (a status) from then on. */
  dropAfter: { bytes: number; times: number; thenFail?: number } | null;
  /** Answer the file's requests with this status (then serve again once set back to null). */
  failWith: number | null;
  /** Send at most this many bytes per 10 ms. */
  throttle: number | null;
  sha256: string;
  close(): Promise<void>;
}

export async function rangeServer(options: RangeServerOptions): Promise<RangeServer> {
  const size = Buffer.isBuffer(options.content) ? options.content.length : fs.statSync(options.content.file).size;
  const sha256 = Buffer.isBuffer(options.content)
    ? crypto.createHash('sha256').update(options.content).digest('hex')
    : crypto.createHash('sha256').update(fs.readFileSync(options.content.file)).digest('hex');
  const state: Omit<RangeServer, 'url' | 'close'> = { ranges: [], dropAfter: null, failWith: null, throttle: null, sha256 };
  const server = http.createServer((req, res) => {
    if (req.url === `/${options.sumsPath}`) {
      const sum = options.wrongSum ? '0'.repeat(64) : sha256;
      res.end(`${'f'.repeat(64)}  other.iso\n${sum}  ${options.sumsName}\n`);
      return;
    }
    if (req.url !== `/${options.path}`) {
      res.statusCode = 404;
      res.end();
      return;
    }
    state.ranges.push(req.headers.range ?? '');
    if (state.failWith) {
      res.statusCode = state.failWith;
      res.end();
      return;
    }
    const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
    if (from >= size && req.headers.range) {
      res.writeHead(416, { 'content-range': `bytes */${size}` });
      res.end();
      return;
    }
    res.writeHead(req.headers.range ? 206 : 200, {
      'content-length': size - from,
      'accept-ranges': 'bytes',
      ...(req.headers.range ? { 'content-range': `bytes ${from}-${size - 1}/${size}` } : {}),
    });
    const drop = state.dropAfter && state.dropAfter.times > 0 ? state.dropAfter.bytes : null;
    if (drop !== null) {
      state.dropAfter!.times--;
      state.failWith = state.dropAfter!.thenFail ?? null;
    }
    void send(res, from, drop);
  });
  const send = async (res: http.ServerResponse, from: number, drop: number | null) => {
    const chunk = 256 * 1024;
    let sent = 0;
    for (let at = from; at < size; at += chunk) {
      const end = Math.min(size, at + chunk);
      const piece = Buffer.isBuffer(options.content) ? options.content.subarray(at, end) : readRange(options.content.file, at, end);
      if (drop !== null && sent + piece.length >= drop) {
        res.write(piece.subarray(0, drop - sent));
        await new Promise((r) => setTimeout(r, 20));
        res.destroy(); // the connection drops midway
        return;
      }
      sent += piece.length;
      const step = state.throttle; // may be changed while this piece goes out
      if (step) {
        for (let i = 0; i < piece.length; i += step) {
          if (res.destroyed) return;
          res.write(piece.subarray(i, i + step));
          await new Promise((r) => setTimeout(r, 10));
        }
      } else if (!res.write(piece)) {
        await new Promise((r) => res.once('drain', r));
      }
      if (res.destroyed) return;
    }
    res.end();
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

function readRange(file: string, start: number, end: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(end - start);
    fs.readSync(fd, buf, 0, buf.length, start);
    return buf;
  } finally {
    fs.closeSync(fd);
  }
}
