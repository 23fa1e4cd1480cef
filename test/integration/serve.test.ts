// `guesthouse serve` against bad addresses and a service that goes away: it answers, never dies.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decodeJson, encodeJson } from '../../core/common/wire';
import { serve, type Served } from '../e2e/serve';

/** One raw HTTP request (paths a URL class would refuse to build); the status line's code. */
function rawStatus(port: number, head: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let out = '';
    socket.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(out);
      if (m) {
        socket.destroy();
        resolve(Number(m[1]));
      }
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`no status line; got ${JSON.stringify(out)}`)));
    socket.write(head);
  });
}

/** One raw HTTP request with Connection: close; the whole response as text. */
function rawResponse(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
    socket.once('error', reject);
    socket.once('close', () => resolve(out));
    socket.write(head);
  });
}

/** A browser's /rpc connection: calls a method and resolves with its result. */
function rpc(served: Served): { call(method: string): Promise<unknown>; closed: Promise<number>; ws: WebSocket } {
  const url = new URL(served.url);
  const ws = new WebSocket(`ws://${url.host}/rpc?token=${url.searchParams.get('token')}`);
  const opened = new Promise((r) => ws.once('open', r));
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let id = 1;
  ws.on('message', (data) => {
    const msg = decodeJson(data.toString()) as { type: string; id: number; result?: unknown; error?: { message: string } };
    const p = pending.get(msg.id);
    if (msg.type === 'result') p?.resolve(msg.result);
    else if (msg.type === 'error') p?.reject(new Error(msg.error?.message));
  });
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  return {
    ws,
    closed,
    call: async (method) => {
      await opened;
      const n = id++;
      ws.send(encodeJson({ type: 'call', id: n, method, params: [] }));
      return new Promise((resolve, reject) => pending.set(n, { resolve, reject }));
    },
  };
}

describe('guesthouse serve', () => {
  let served: Served;
  let port: number;
  let token: string;
  beforeAll(async () => {
    served = await serve();
    const url = new URL(served.url);
    port = Number(url.port);
    token = url.searchParams.get('token')!;
  });
  afterAll(async () => {
    await served?.stop();
  });

  it('answers a malformed percent-escape with 400 and keeps serving', async () => {
    const bad = ['/%', '/%E0%A4%A', '/%zz', '/%%', '/a%2', '/%C0%80', '/%ED%A0%80', '/index.html%'];
    for (const p of bad) {
      expect(await rawStatus(port, `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: guesthouse_token=${token}\r\n\r\n`), p).toBe(400);
      const upgrade = `GET /display/${p.slice(1)} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: guesthouse_token=${token}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;
      expect(await rawStatus(port, upgrade), `/display${p}`).toBe(400);
    }
    expect(await rawStatus(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: guesthouse_token=${token}\r\n\r\n`)).toBe(200);
  });

  it('serves nothing outside the GUI folder, however the path is spelled', async () => {
    const tries = [
      '/../package.json',
      '/..%2fpackage.json',
      '/%2e%2e/package.json',
      '/%2e%2e%2fpackage.json',
      '/assets/../../package.json',
      '/..%5cpackage.json',
      '//etc/passwd',
      '/%2fetc%2fpasswd',
      '/....//package.json',
    ];
    for (const p of tries) {
      const response = await rawResponse(port, `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: guesthouse_token=${token}\r\nConnection: close\r\n\r\n`);
      expect(response, p).toMatch(/^HTTP\/1\.1 (200|400|403|404) /);
      // The GUI's own index may answer a path it normalises into its folder; never a file outside it.
      expect(response, p).not.toMatch(/"name": "guesthouse"|root:x:0:0/);
    }
  });

  it('reaches a new service after the old one stops, and closes the browsers that were on it', async () => {
    const before = rpc(served);
    expect(await before.call('listVms')).toEqual([]);
    const stop = await served.cli(['service', 'stop']);
    expect(stop.code).toBe(0);
    // The page's subscriptions died with the service: its connection is closed so it connects again.
    expect(await before.closed).toBe(1012);
    const after = rpc(served);
    // The call starts a service (as every CLI command does) and is answered.
    expect(await after.call('listVms')).toEqual([]);
    const status = await served.cli(['service', 'status']);
    expect(status.stdout).toContain('is running');
    after.ws.close();
  });
});
