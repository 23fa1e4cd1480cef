// IVmService.openDisplay through the transports, on a real tiny guest: over the service's socket
// the guest's screen answers RFB (its greeting, then a whole handshake through the stream) and
// the stream ends when the guest stops; a stopped VM and a bad reference are refused with their
// sentences; `guesthouse serve`'s /display/<id> (startWebServer) refuses an upgrade without the
// token and says why a VM that is not running has no screen.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HostedService } from '../../core/node/libvirt/hostedService';
import type { IVmService, LibraryService } from '../../core/common/api';
import { connectService, type ClientMessage, type ServerMessage } from '../../core/common/rpc';
import { serveConnection } from '../../core/common/rpcServer';
import { openDisplayStream } from '../../core/node/transport/displayStream';
import { socketTransport } from '../../core/node/transport/socketTransport';
import { startWebServer, type WebServer } from '../../main/server/web';
import { RfbClient } from '../bench/rfbClient';
import { tinyVm } from '../support/guest';
import { realGuestsMissing, skipBecause } from '../support/require';
import { guestService } from '../support/service';

const RFB_GREETING = /^RFB 003\.00[378]\n$/;

/** The first `n` bytes a display stream gives, then the stream is closed. */
async function firstBytes(service: LibraryService, ref: string, n: number): Promise<string> {
  let got = Buffer.alloc(0);
  let done!: () => void;
  const enough = new Promise<void>((r) => (done = r));
  const display = await service.openDisplay(ref, (data) => {
    got = Buffer.concat([got, data]);
    if (got.length >= n) done();
  });
  try {
    await enough;
  } finally {
    display.dispose();
  }
  return got.subarray(0, n).toString('latin1');
}

/** How an upgrade to `url` is answered: 101 and the first binary frame, or the status and body of the refusal. */
function upgrade(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('message', (data: Buffer, isBinary) => {
      resolve({ status: 101, body: isBinary ? data.toString('latin1') : `(text) ${data.toString()}` });
      ws.close();
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

describe('openDisplay over the transports', () => {
  if (skipBecause(realGuestsMissing())) return;
  const t = guestService();
  let server: net.Server;
  let client: IVmService & { close(): void };
  let web: WebServer;
  let rendererDir: string;

  beforeAll(async () => {
    const socketPath = path.join(t.home, 'rpc.sock');
    server = net.createServer((s) => serveConnection(new HostedService(t.service, { home: t.home }).service, socketTransport(s)));
    await new Promise<void>((r) => server.listen(socketPath, r));
    const socket = net.connect(socketPath);
    await new Promise((r) => socket.once('connect', r));
    client = connectService(socketTransport<ServerMessage, ClientMessage>(socket));
    rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-web-'));
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>test</title>');
    web = await startWebServer({ service: new HostedService(t.service, { home: t.home }).service, rendererDir, port: 0 });
    await t.service.createVm(tinyVm(t.guest, 'tiny'));
  });
  afterAll(async () => {
    client?.close();
    await web?.close();
    await new Promise((r) => server?.close(r));
    fs.rmSync(rendererDir, { recursive: true, force: true });
  });

  it('refuses a stopped VM and a bad reference with their sentences', async () => {
    await expect(client.openDisplay('tiny', () => undefined)).rejects.toMatchObject({
      code: 'invalid-state',
      key: 'vm.notRunning',
      message: '"tiny" is not running.',
    });
    await expect(client.openDisplay('nope', () => undefined)).rejects.toMatchObject({ key: 'vm.notFound', message: 'There is no VM named "nope".' });
    await expect(client.openDisplay('', () => undefined)).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('over /display/<id>, refuses an upgrade without the token, and says why a stopped VM has no screen', async () => {
    const { host } = new URL(web.url);
    const url = `ws://${host}/display/tiny`;
    expect((await upgrade(url, {})).status).toBe(401);
    expect((await upgrade(url, { cookie: 'guesthouse_token=wrong' })).status).toBe(401);
    expect((await upgrade(`ws://${host}/rpc`, {})).status).toBe(401);
    expect(await upgrade(url, { cookie: `guesthouse_token=${web.token}` })).toEqual({ status: 404, body: '"tiny" is not running.\n' });
  });

  it("over the socket, a running guest's screen answers RFB, the whole handshake goes through, and the stream ends when the guest stops", async () => {
    await t.service.startVm('tiny');
    expect(await firstBytes(client, 'tiny', 12)).toMatch(RFB_GREETING);
    // A viewer speaks RFB through the stream both ways: version, security None, ClientInit, the first whole-screen update.
    const viewer = await RfbClient.connect(await openDisplayStream(client, 'tiny'));
    expect(viewer.width).toBeGreaterThan(0);
    expect(viewer.height).toBeGreaterThan(0);
    viewer.close();
    // The same screen over /display/<id> with the token.
    const { host } = new URL(web.url);
    const viaWeb = await upgrade(`ws://${host}/display/tiny`, { cookie: `guesthouse_token=${web.token}` });
    expect(viaWeb.status).toBe(101);
    expect(viaWeb.body).toMatch(RFB_GREETING);

    let closed!: () => void;
    const ended = new Promise<void>((r) => (closed = r));
    const display = await client.openDisplay('tiny', () => undefined, { onClose: () => closed() });
    await t.service.powerOffVm('tiny');
    await ended;
    display.dispose(); // after the end: nothing to do, and no error
    await expect(client.openDisplay('tiny', () => undefined)).rejects.toMatchObject({ key: 'vm.notRunning' });
  });
});
