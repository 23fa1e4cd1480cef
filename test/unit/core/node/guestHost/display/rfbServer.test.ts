// A protocol unit test of the RFB server: a small RFB client written here talks to an
// RfbServer over a real loopback socket, in front of a fake FramebufferSource.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RfbServer, type FramebufferSource, type Rect } from '../../../../../../core/node/guestHost/display/rfbServer';

class FakeSource implements FramebufferSource {
  width = 4;
  height = 3;
  fb = new Uint8Array(4 * 3 * 4);
  keys: [number, boolean][] = [];
  pointers: [number, number, number][] = [];
  private listeners = new Set<(c: Rect | 'resize') => void>();
  pixels(): Uint8Array {
    return this.fb;
  }
  onChange(l: (c: Rect | 'resize') => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  key(keysym: number, down: boolean): void {
    this.keys.push([keysym, down]);
  }
  pointer(x: number, y: number, mask: number): void {
    this.pointers.push([x, y, mask]);
  }
  /** Sets pixel (x, y) to 0x00RRGGBB and reports it. */
  set(x: number, y: number, rgb: number): void {
    new DataView(this.fb.buffer).setUint32((y * this.width + x) * 4, rgb, true);
    for (const l of this.listeners) l({ x, y, w: 1, h: 1 });
  }
  resize(w: number, h: number): void {
    this.width = w;
    this.height = h;
    this.fb = new Uint8Array(w * h * 4);
    for (const l of this.listeners) l('resize');
  }
  get listening(): number {
    return this.listeners.size;
  }
}

/** A byte-exact reader over a socket. */
class Client {
  private buf = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  closed = false;
  constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
  }
  async read(n: number): Promise<Buffer> {
    while (this.buf.length < n) {
      if (this.closed) throw new Error(`closed with ${this.buf.length}/${n} bytes`);
      await new Promise<void>((r) => (this.wake = r));
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }
  async waitClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((r) => (this.wake = r));
  }
  get pending(): number {
    return this.buf.length;
  }
  send(bytes: number[] | Buffer): void {
    this.socket.write(Buffer.from(bytes));
  }
  /** Reads one FramebufferUpdate: its rectangles with their pixel data (4 bytes per pixel). */
  async update(): Promise<{ x: number; y: number; w: number; h: number; enc: number; data: Buffer }[]> {
    const head = await this.read(4);
    expect(head[0]).toBe(0);
    const rects = [];
    for (let i = 0; i < head.readUInt16BE(2); i++) {
      const r = await this.read(12);
      const rect = { x: r.readUInt16BE(0), y: r.readUInt16BE(2), w: r.readUInt16BE(4), h: r.readUInt16BE(6), enc: r.readInt32BE(8) };
      rects.push({ ...rect, data: rect.enc === 0 ? await this.read(rect.w * rect.h * 4) : Buffer.alloc(0) });
    }
    return rects;
  }
  request(incremental: boolean, x = 0, y = 0, w = 0xffff, h = 0xffff): void {
    const b = Buffer.alloc(10);
    b[0] = 3;
    b[1] = incremental ? 1 : 0;
    b.writeUInt16BE(x, 2);
    b.writeUInt16BE(y, 4);
    b.writeUInt16BE(w, 6);
    b.writeUInt16BE(h, 8);
    this.send(b);
  }
}

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

async function connect(source: FramebufferSource): Promise<{ client: Client; closes: (string | null)[] }> {
  const closes: (string | null)[] = [];
  const server = net.createServer((s) => new RfbServer(s, source, { name: 'test', onClose: (r) => closes.push(r) }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const socket = net.connect(port, '127.0.0.1');
  cleanups.push(() => (socket.destroy(), server.close()));
  return { client: new Client(socket), closes };
}

/** Version, security None, ClientInit; returns the ServerInit fields. */
async function handshake(client: Client, version = 'RFB 003.008\n') {
  expect((await client.read(12)).toString()).toBe('RFB 003.008\n');
  client.send(Buffer.from(version));
  if (version.endsWith('003\n')) {
    expect((await client.read(4)).readUInt32BE(0)).toBe(1);
  } else {
    expect([...(await client.read(2))]).toEqual([1, 1]);
    client.send([1]);
    if (version.endsWith('008\n')) expect((await client.read(4)).readUInt32BE(0)).toBe(0);
  }
  client.send([1]); // shared
  const init = await client.read(24);
  const name = await client.read(init.readUInt32BE(20));
  return { width: init.readUInt16BE(0), height: init.readUInt16BE(2), format: [...init.subarray(4, 20)], name: name.toString() };
}

function setEncodings(client: Client, encodings: number[]): void {
  const b = Buffer.alloc(4 + 4 * encodings.length);
  b[0] = 2;
  b.writeUInt16BE(encodings.length, 2);
  encodings.forEach((e, i) => b.writeInt32BE(e, 4 + 4 * i));
  client.send(b);
}

describe('RfbServer', () => {
  it('shakes hands (3.8) and sends the whole screen for a non-incremental request', async () => {
    const source = new FakeSource();
    source.set(1, 2, 0x123456);
    const { client } = await connect(source);
    const init = await handshake(client);
    expect(init).toEqual({ width: 4, height: 3, format: [32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0], name: 'test' });
    client.request(false);
    const [rect, ...rest] = await client.update();
    expect(rest).toEqual([]);
    expect(rect).toMatchObject({ x: 0, y: 0, w: 4, h: 3, enc: 0 });
    expect(rect.data.readUInt32LE((2 * 4 + 1) * 4)).toBe(0x123456);
    expect(rect.data.readUInt32LE(0)).toBe(0);
  });

  it('answers an incremental request only when something changed, with the changed part', async () => {
    const source = new FakeSource();
    const { client } = await connect(source);
    await handshake(client);
    client.request(false);
    await client.update();
    client.request(true);
    // Deliberate: that nothing comes can only be seen over a while (the server answers a
    // request within a tick or two, so 50 ms is ample).
    await new Promise((r) => setTimeout(r, 50));
    expect(client.pending).toBe(0); // nothing changed: the request waits
    source.set(3, 1, 0xff00ff);
    const rects = await client.update();
    expect(rects).toHaveLength(1);
    expect(rects[0]).toMatchObject({ x: 3, y: 1, w: 1, h: 1, enc: 0 });
    expect(rects[0].data.readUInt32LE(0)).toBe(0xff00ff);
  });

  it('tells a client that knows DesktopSize about a resize, then sends the new screen', async () => {
    const source = new FakeSource();
    const { client } = await connect(source);
    await handshake(client);
    setEncodings(client, [0, -223]);
    client.request(false);
    await client.update();
    client.request(true);
    source.resize(6, 5);
    source.set(5, 4, 0xabcdef);
    const [size, full] = await client.update();
    expect(size).toMatchObject({ x: 0, y: 0, w: 6, h: 5, enc: -223 });
    expect(full).toMatchObject({ x: 0, y: 0, w: 6, h: 5, enc: 0 });
    expect(full.data.readUInt32LE((4 * 6 + 5) * 4)).toBe(0xabcdef);
  });

  it('converts to the pixel format the client asks for', async () => {
    const source = new FakeSource();
    source.set(0, 0, 0x112233);
    const { client } = await connect(source);
    await handshake(client);
    // 32 bpp, depth 24, big-endian, true colour, maxes 255, red 0, green 8, blue 16.
    client.send([0, 0, 0, 0, 32, 24, 1, 1, 0, 255, 0, 255, 0, 255, 0, 8, 16, 0, 0, 0]);
    client.request(false, 0, 0, 1, 1);
    const [rect] = await client.update();
    expect(rect).toMatchObject({ x: 0, y: 0, w: 1, h: 1 });
    expect(rect.data.readUInt32BE(0)).toBe(0x332211);
    // 32 bpp, little-endian, 5 bits per channel at shifts 10, 5, 0 (the arithmetic path).
    client.send([0, 0, 0, 0, 32, 15, 0, 1, 0, 31, 0, 31, 0, 31, 10, 5, 0, 0, 0, 0]);
    client.request(false, 0, 0, 1, 1);
    const [rect15] = await client.update();
    expect(rect15.data.readUInt32LE(0)).toBe((2 << 10) | (4 << 5) | 6);
  });

  it('passes key and pointer events to the source and ignores cut text', async () => {
    const source = new FakeSource();
    const { client } = await connect(source);
    await handshake(client, 'RFB 003.007\n');
    client.send([4, 1, 0, 0, 0, 0, 0xff, 0x0d]);
    client.send([6, 0, 0, 0, 0, 0, 0, 3, 0x61, 0x62, 0x63]);
    client.send([4, 0, 0, 0, 0, 0, 0, 0x61]);
    client.send([5, 5, 0, 2, 0, 1]);
    client.send([5, 0, 0x10, 0, 0x10, 0]); // beyond the screen: clamped
    client.request(false, 0, 0, 1, 1);
    await client.update();
    expect(source.keys).toEqual([
      [0xff0d, true],
      [0x61, false],
    ]);
    expect(source.pointers).toEqual([
      [2, 1, 5],
      [3, 2, 0],
    ]);
  });

  it('releases held keys and buttons when the viewer goes away', async () => {
    const source = new FakeSource();
    const { client, closes } = await connect(source);
    await handshake(client);
    client.send([4, 1, 0, 0, 0, 0, 0xff, 0xe3]); // Control_L down
    client.send([5, 1, 0, 3, 0, 2]); // left button down at (3, 2)
    client.request(false, 0, 0, 1, 1);
    await client.update();
    client.socket.destroy();
    await expect.poll(() => closes.length, { timeout: 2000, interval: 10 }).toBe(1);
    expect(source.keys).toEqual([
      [0xffe3, true],
      [0xffe3, false],
    ]);
    expect(source.pointers).toEqual([
      [3, 2, 1],
      [3, 2, 0],
    ]);
  });

  it('speaks RFB 3.3', async () => {
    const source = new FakeSource();
    const { client } = await connect(source);
    expect((await handshake(client, 'RFB 003.003\n')).width).toBe(4);
  });

  for (const [what, bytes] of [
    ['a bad version', Buffer.from('HTTP/1.1 200\n')],
    ['an unknown message type', Buffer.from([99, 1, 2, 3])],
    ['a 16 bpp pixel format', Buffer.from([0, 0, 0, 0, 16, 16, 0, 1, 0, 31, 0, 63, 0, 31, 11, 5, 0, 0, 0, 0])],
    ['a huge cut text', Buffer.from([6, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff])],
  ] as const) {
    it(`closes the connection on ${what}, without throwing`, async () => {
      const source = new FakeSource();
      const { client, closes } = await connect(source);
      if (what !== 'a bad version') await handshake(client);
      else await client.read(12);
      client.send(bytes);
      await client.waitClosed();
      expect(closes).toHaveLength(1);
      expect(closes[0]).toMatch(/\w/);
      expect(source.listening).toBe(0);
    });
  }

  it('survives random garbage after the handshake', async () => {
    const source = new FakeSource();
    const { client, closes } = await connect(source);
    await handshake(client);
    let seed = 42;
    const random = Buffer.from(Array.from({ length: 4096 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 255));
    client.send(random);
    client.socket.end();
    await client.waitClosed();
    expect(closes).toHaveLength(1);
  });

  it('refuses a security type other than None', async () => {
    const source = new FakeSource();
    const { client } = await connect(source);
    await client.read(12);
    client.send(Buffer.from('RFB 003.008\n'));
    await client.read(2);
    client.send([2]);
    const result = await client.read(8);
    expect(result.readUInt32BE(0)).toBe(1);
    expect((await client.read(result.readUInt32BE(4))).toString()).toContain('None');
    await client.waitClosed();
  });
});
