// The VNC proxy of `guesthouse display`: a test VNC viewer doing VNC Authentication on
// one side, and on the other a fake RFB server (security None) on a unix socket, standing
// in for a guest host's display socket (reached through IVmService.openDisplay). The proxy must
// hand the viewer the guest's ServerInit unchanged, pass bytes both ways, and refuse a
// wrong password with a reason without ever contacting the guest.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GuesthouseError } from '../../../../../core/common/errors';
import { newVncPassword, startVncProxy, vncAuthResponse, type VncProxy, type VncViewerEvent } from '../../../../../core/node/transport/vncProxy';

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
};

/** Exact reads from a socket. */
class Peer {
  buf = Buffer.alloc(0);
  closed = false;
  private wake: (() => void) | null = null;
  constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake?.();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
  }
  async read(n: number): Promise<Buffer> {
    while (this.buf.length < n) {
      if (this.closed) throw new Error(`closed with ${this.buf.length} of ${n} bytes`);
      await new Promise<void>((r) => (this.wake = r));
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }
  async u32(): Promise<number> {
    return (await this.read(4)).readUInt32BE(0);
  }
  async untilClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((r) => (this.wake = r));
  }
}

/** ServerInit of the fake guest: 720x400, 32 bpp true colour, named "fake guest". */
const SERVER_INIT = (() => {
  const name = Buffer.from('fake guest');
  const head = Buffer.alloc(24);
  head.writeUInt16BE(720, 0);
  head.writeUInt16BE(400, 2);
  Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]).copy(head, 4);
  head.writeUInt32BE(name.length, 20);
  return Buffer.concat([head, name]);
})();

/** A fake guest host display socket: RFB 3.8, security None, then ServerInit; records what arrives after ClientInit. */
class FakeGuest {
  connections = 0;
  peers: Peer[] = [];
  clientInits: number[] = [];
  private server = net.createServer((socket) => void this.serve(new Peer(socket)));
  constructor(readonly socketPath: string) {}
  listen(): Promise<void> {
    return new Promise((r) => this.server.listen(this.socketPath, r));
  }
  private async serve(peer: Peer): Promise<void> {
    this.connections++;
    this.peers.push(peer);
    try {
      peer.socket.write('RFB 003.008\n');
      expect((await peer.read(12)).toString()).toBe('RFB 003.008\n');
      peer.socket.write(Buffer.from([1, 1]));
      expect([...(await peer.read(1))]).toEqual([1]);
      peer.socket.write(u32(0));
      this.clientInits.push((await peer.read(1))[0]!);
      peer.socket.write(SERVER_INIT);
    } catch {
      peer.socket.destroy();
    }
  }
  close(): Promise<void> {
    for (const p of this.peers) p.socket.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** A viewer's side up to SecurityResult, with VNC Authentication; answers the result (and reason). */
async function viewerAuth(peer: Peer, password: string, version = 'RFB 003.008\n'): Promise<{ result: number; reason?: string }> {
  expect((await peer.read(12)).toString()).toBe('RFB 003.008\n');
  peer.socket.write(version);
  if (version === 'RFB 003.003\n') {
    expect(await peer.u32()).toBe(2);
  } else {
    expect([...(await peer.read(2))]).toEqual([1, 2]); // one type offered: VNC Authentication
    peer.socket.write(Buffer.from([2]));
  }
  const challenge = await peer.read(16);
  peer.socket.write(vncAuthResponse(password, challenge));
  const result = await peer.u32();
  if (result !== 0 && version === 'RFB 003.008\n') return { result, reason: (await peer.read(await peer.u32())).toString() };
  return { result };
}

function connect(proxy: VncProxy): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(proxy.port, proxy.host, () => resolve(new Peer(socket)));
    socket.once('error', reject);
  });
}

describe('VNC Authentication', () => {
  it('encrypts with DES under the bit-reversed password, as VNC does', () => {
    // vncpasswd's well-known obfuscation of "password": VNC's DES under its fixed key.
    const fixedKey = Buffer.from([23, 82, 107, 6, 35, 78, 88, 7]).toString('latin1');
    expect(vncAuthResponse(fixedKey, Buffer.from('passwordpassword')).toString('hex')).toBe('dbd83cfd727a1458dbd83cfd727a1458');
    // Computed with noVNC 1.7's own DES (an independent implementation of the VNC variant).
    const challenge = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    expect(vncAuthResponse('Gh7kQp2x', challenge).toString('hex')).toBe('c6228a2a0f5b0615acf22d05fe55f573');
    // Shorter passwords are padded with zeros.
    expect(vncAuthResponse('abc', challenge).toString('hex')).toBe('e1a8537d7c1afaa13f975e73eaec5b88');
  });

  it('makes a new 8-character password each time', () => {
    const a = newVncPassword();
    expect(a).toMatch(/^[a-zA-Z2-9]{8}$/);
    expect(new Set(Array.from({ length: 20 }, newVncPassword)).size).toBe(20);
  });
});

/** The stream openDisplay would give, here straight to the stand-in guest's socket. */
function dial(socketPath: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath);
    s.once('connect', () => resolve(s)).once('error', reject);
  });
}

describe('the VNC proxy', () => {
  let dir: string;
  let guest: FakeGuest;
  let proxy: VncProxy;
  let events: VncViewerEvent[];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-vnc-'));
    guest = new FakeGuest(path.join(dir, 'display.sock'));
    await guest.listen();
    events = [];
    proxy = await startVncProxy({ upstream: () => dial(guest.socketPath), port: 0, onViewer: (e) => events.push(e) });
  });
  afterEach(async () => {
    await proxy.close();
    await guest.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('listens on loopback with a new one-time password', () => {
    expect(proxy.host).toBe('127.0.0.1');
    expect(proxy.port).toBeGreaterThan(0);
    expect(proxy.password).toMatch(/^[a-zA-Z2-9]{8}$/);
  });

  it("lets in a viewer with the password: the guest's ServerInit unchanged, then bytes both ways", async () => {
    const viewer = await connect(proxy);
    expect(await viewerAuth(viewer, proxy.password)).toEqual({ result: 0 });
    viewer.socket.write(Buffer.from([1])); // ClientInit, shared
    expect(Buffer.compare(await viewer.read(SERVER_INIT.length), SERVER_INIT)).toBe(0);
    expect(guest.clientInits).toEqual([1]);
    expect(proxy.viewers).toBe(1);

    // Viewer → guest: SetEncodings (Raw, DesktopSize) arrives as sent.
    const setEncodings = Buffer.from([2, 0, 0, 2, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x21]);
    viewer.socket.write(setEncodings);
    expect(Buffer.compare(await guest.peers[0]!.read(12), setEncodings)).toBe(0);
    // Guest → viewer: a large update passes whole.
    const update = Buffer.alloc(300_000, 7);
    update[0] = 0;
    guest.peers[0]!.socket.write(update);
    expect(Buffer.compare(await viewer.read(update.length), update)).toBe(0);

    // The guest going away ends the viewer's connection.
    guest.peers[0]!.socket.destroy();
    await viewer.untilClosed();
    await expect.poll(() => events.map((e) => e.kind)).toEqual(['connected', 'closed']);
    expect(proxy.viewers).toBe(0);
  });

  it('refuses a wrong password with a reason, without contacting the guest', async () => {
    const viewer = await connect(proxy);
    expect(await viewerAuth(viewer, 'wrong!!!')).toEqual({ result: 1, reason: 'The VNC password is wrong.' });
    await viewer.untilClosed();
    expect(guest.connections).toBe(0);
    expect(events).toEqual([{ kind: 'refused', remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/), reason: 'The VNC password is wrong.' }]);
  });

  it('refuses a viewer that will not authenticate, with a reason', async () => {
    const viewer = await connect(proxy);
    await viewer.read(12);
    viewer.socket.write('RFB 003.008\n');
    await viewer.read(2);
    viewer.socket.write(Buffer.from([1])); // None
    expect(await viewer.u32()).toBe(1);
    expect((await viewer.read(await viewer.u32())).toString()).toBe('This screen needs VNC Authentication (a password).');
    await viewer.untilClosed();
    expect(guest.connections).toBe(0);
  });

  it.each(['RFB 003.007\n', 'RFB 003.003\n'])('speaks %j to older viewers', async (version) => {
    const viewer = await connect(proxy);
    expect(await viewerAuth(viewer, proxy.password, version)).toEqual({ result: 0 });
    viewer.socket.write(Buffer.from([0]));
    expect(Buffer.compare(await viewer.read(SERVER_INIT.length), SERVER_INIT)).toBe(0);

    const refused = await connect(proxy);
    expect(await viewerAuth(refused, 'nope', version)).toEqual({ result: 1 }); // no reason before 3.8
    await refused.untilClosed();
    expect(guest.connections).toBe(1);
  });

  it('lets several viewers in with the same password while it runs', async () => {
    const viewers = await Promise.all([connect(proxy), connect(proxy), connect(proxy)]);
    for (const v of viewers) {
      expect(await viewerAuth(v, proxy.password)).toEqual({ result: 0 });
      v.socket.write(Buffer.from([1]));
      expect(Buffer.compare(await v.read(SERVER_INIT.length), SERVER_INIT)).toBe(0);
    }
    expect(guest.connections).toBe(3);
    expect(proxy.viewers).toBe(3);
    await proxy.close();
    await Promise.all(viewers.map((v) => v.untilClosed()));
  });

  it("tells the viewer when the guest's screen cannot be reached", async () => {
    await guest.close();
    const viewer = await connect(proxy);
    const { result, reason } = await viewerAuth(viewer, proxy.password);
    expect(result).toBe(1);
    expect(reason).toMatch(/^The screen of the guest could not be reached: connect (ENOENT|ECONNREFUSED)/);
    expect(events.map((e) => e.kind)).toEqual(['failed']);
  });

  it("passes on the guest's own refusal", async () => {
    await guest.close();
    const refusing = net.createServer((s) => s.resume().end(Buffer.concat([Buffer.from('RFB 003.008\n'), Buffer.from([0]), u32(9), Buffer.from('too many!')])));
    await new Promise<void>((r) => refusing.listen(guest.socketPath, r));
    try {
      const viewer = await connect(proxy);
      expect(await viewerAuth(viewer, proxy.password)).toEqual({ result: 1, reason: 'The screen of the guest could not be reached: too many!' });
    } finally {
      await new Promise((r) => refusing.close(r));
    }
  });

  it('says so in a sentence when the port is taken', async () => {
    const err = await startVncProxy({ upstream: () => dial(guest.socketPath), port: proxy.port }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GuesthouseError);
    expect((err as Error).message).toBe(`Port ${proxy.port} is already in use; choose another.`);
  });
});
