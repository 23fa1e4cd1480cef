import net from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * The one small RFB (VNC) client of the display benchmarks (test/bench/display.ts) and the
 * integration tests (test/integration/display.test.ts, v86Screen.test.ts): security None, Raw and DesktopSize, 32 bpp true colour
 * (B, G, R, X), a copy of the remote framebuffer, and an incremental
 * FramebufferUpdateRequest sent the moment each update has arrived (as noVNC does), so
 * a request is always pending. The same client talks to the guest host's display socket
 * (and the v86 engine's display) and to QEMU's own VNC socket. Parsing is synchronous on each chunk, without
 * re-concatenating what is buffered, so the client is not what limits a flood.
 */

/** One FramebufferUpdate, as it completed. */
export interface UpdateInfo {
  /** performance.now() when its last byte had been read. */
  at: number;
  rects: number;
  /**
   * Whether it changed pixels in the upper three quarters of a text cell (where glyphs are;
   * a text-mode cursor blinks in the bottom rows), given `cellHeight`; any change when 0.
   */
  glyphChanged: boolean;
}

export class RfbClient {
  width = 0;
  height = 0;
  fb = Buffer.alloc(0);
  /** FramebufferUpdates completed, and bytes received (all of them, handshake included). */
  updates = 0;
  bytes = 0;
  /** Every framebuffer size the session has had, in order ("720x400"): ServerInit's, then each DesktopSize. */
  sizes: string[] = [];
  /** Pixel rows per text cell, for UpdateInfo.glyphChanged (0: every change counts). */
  cellHeight = 0;
  onUpdate: ((u: UpdateInfo) => void) | null = null;
  closed = false;
  error: Error | null = null;

  private chunks: Buffer[] = [];
  private queued = 0;
  private need = 0;
  private step: ((b: Buffer) => void) | null = null;
  private rectsLeft = 0;
  private rectsInUpdate = 0;
  private glyph = false;
  private rect = { x: 0, y: 0, w: 0, h: 0 };
  /** Settles with the first (whole-screen) update, or the session's failure. */
  private readonly ready: Promise<void>;
  private settle: { resolve: () => void; reject: (e: Error) => void } | null = null;

  private constructor(readonly socket: Duplex) {
    this.ready = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    this.ready.catch(() => undefined);
    (socket as Partial<net.Socket>).setNoDelay?.(true);
    socket.on('data', (d: Buffer) => {
      this.bytes += d.length;
      this.chunks.push(d);
      this.queued += d.length;
      this.pump();
    });
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('RFB connection closed')));
  }

  /**
   * Connects to a unix socket (or takes over a stream already opened: TCP, or the service's
   * openDisplay as a stream), shakes hands and has the first (whole-screen) update.
   */
  static async connect(target: string | Duplex, timeoutMs = 10_000): Promise<RfbClient> {
    const socket = typeof target === 'string' ? net.connect(target) : target;
    const c = new RfbClient(socket);
    const where = typeof target === 'string' ? target : 'the socket';
    const timer = setTimeout(() => c.fail(new Error(`no RFB session on ${where} after ${timeoutMs} ms`)), timeoutMs);
    c.expect(12, (b) => c.version(b));
    try {
      await c.ready;
    } finally {
      clearTimeout(timer);
    }
    return c;
  }

  /** An X keysym pressed or released. */
  key(keysym: number, down: boolean): void {
    const b = Buffer.alloc(8);
    b[0] = 4;
    b[1] = down ? 1 : 0;
    b.writeUInt32BE(keysym >>> 0, 4);
    this.socket.write(b);
  }

  /** Types `text` as a US keyboard would: Shift around the shifted characters. */
  type(text: string): void {
    for (const ch of text) {
      const shifted = /[A-Z!@#$%^&*()_+{}|:"<>?~]/.test(ch);
      if (shifted) this.key(0xffe1, true);
      this.key(ch.charCodeAt(0), true);
      this.key(ch.charCodeAt(0), false);
      if (shifted) this.key(0xffe1, false);
    }
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private fail(e: Error): void {
    if (!this.error) this.error = e;
    this.closed = true;
    this.settle?.reject(e);
    this.settle = null;
    this.socket.destroy();
  }

  /** Calls `then` with the next `n` bytes once they are here. */
  private expect(n: number, then: (b: Buffer) => void): void {
    this.need = n;
    this.step = then;
  }

  private take(n: number): Buffer {
    if (this.chunks[0]!.length === n) {
      this.queued -= n;
      return this.chunks.shift()!;
    }
    if (this.chunks[0]!.length > n) {
      const head = this.chunks[0]!;
      this.chunks[0] = head.subarray(n);
      this.queued -= n;
      return head.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - off);
      c.copy(out, off, 0, k);
      off += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.queued -= n;
    return out;
  }

  private pump(): void {
    try {
      while (this.step && this.queued >= this.need && !this.closed) {
        const step = this.step;
        this.step = null;
        step(this.need === 0 ? Buffer.alloc(0) : this.take(this.need));
      }
    } catch (e) {
      this.fail(e as Error);
    }
  }

  private send(bytes: number[] | Buffer): void {
    this.socket.write(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
  }

  private version(b: Buffer): void {
    if (!/^RFB 003\.\d{3}\n$/.test(b.toString('latin1'))) throw new Error(`not an RFB server: ${JSON.stringify(b.toString('latin1'))}`);
    this.send(Buffer.from('RFB 003.008\n', 'latin1'));
    this.expect(1, (n) =>
      this.expect(n[0]!, (types) => {
        if (!types.includes(1)) throw new Error('the server offers no security type None');
        this.send([1]);
        this.expect(4, (r) => {
          if (r.readUInt32BE(0) !== 0) throw new Error('RFB security handshake failed');
          this.send([1]); // ClientInit: shared
          this.expect(24, (init) => this.expect(init.readUInt32BE(20), () => this.serverInit(init)));
        });
      }),
    );
  }

  private serverInit(init: Buffer): void {
    this.setSize(init.readUInt16BE(0), init.readUInt16BE(2));
    // SetPixelFormat: 32 bpp, depth 24, little-endian, true colour, red 16 / green 8 / blue 0.
    this.send([0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]);
    // SetEncodings: Raw, DesktopSize.
    this.send([2, 0, 0, 2, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x21]);
    this.request(false);
    this.expect(1, (t) => this.message(t[0]!));
  }

  private setSize(w: number, h: number): void {
    this.width = w;
    this.height = h;
    this.fb = Buffer.alloc(w * h * 4);
    this.sizes.push(`${w}x${h}`);
  }

  private request(incremental: boolean): void {
    const b = Buffer.alloc(10);
    b[0] = 3;
    b[1] = incremental ? 1 : 0;
    b.writeUInt16BE(this.width, 6);
    b.writeUInt16BE(this.height, 8);
    this.send(b);
  }

  private next(): void {
    this.expect(1, (t) => this.message(t[0]!));
  }

  private message(type: number): void {
    switch (type) {
      case 0: // FramebufferUpdate
        return this.expect(3, (h) => {
          this.rectsLeft = this.rectsInUpdate = h.readUInt16BE(1);
          this.glyph = false;
          this.nextRect();
        });
      case 1: // SetColourMapEntries (not in true colour, but skip it right)
        return this.expect(5, (h) => this.expect(6 * h.readUInt16BE(3), () => this.next()));
      case 2: // Bell
        return this.next();
      case 3: // ServerCutText
        return this.expect(7, (h) => this.expect(h.readUInt32BE(3), () => this.next()));
      default:
        throw new Error(`unexpected RFB server message ${type}`);
    }
  }

  private nextRect(): void {
    if (this.rectsLeft === 0) {
      this.updates++;
      const info: UpdateInfo = { at: performance.now(), rects: this.rectsInUpdate, glyphChanged: this.glyph };
      this.request(true);
      this.next();
      this.settle?.resolve();
      this.settle = null;
      this.onUpdate?.(info);
      return;
    }
    this.rectsLeft--;
    this.expect(12, (r) => {
      const [x, y, w, h, enc] = [r.readUInt16BE(0), r.readUInt16BE(2), r.readUInt16BE(4), r.readUInt16BE(6), r.readInt32BE(8)];
      if (enc === -223) {
        this.setSize(w, h);
        this.glyph = true;
        return this.nextRect();
      }
      if (enc !== 0) throw new Error(`unexpected RFB encoding ${enc}`);
      if (x + w > this.width || y + h > this.height) throw new Error(`RFB rectangle ${w}x${h}+${x}+${y} outside ${this.width}x${this.height}`);
      this.rect = { x, y, w, h };
      this.expect(w * h * 4, (data) => {
        this.paint(data);
        this.nextRect();
      });
    });
  }

  /** Copies a Raw rectangle into the framebuffer, noting whether it changed a glyph area. */
  private paint(data: Buffer): void {
    const { x, y, w, h } = this.rect;
    const rowBytes = w * 4;
    const glyphRows = this.cellHeight > 0 ? Math.floor((this.cellHeight * 3) / 4) : 0;
    for (let row = 0; row < h; row++) {
      const dst = ((y + row) * this.width + x) * 4;
      const src = row * rowBytes;
      if (!this.glyph && (glyphRows === 0 || (y + row) % this.cellHeight < glyphRows) && this.fb.compare(data, src, src + rowBytes, dst, dst + rowBytes) !== 0)
        this.glyph = true;
      data.copy(this.fb, dst, src, src + rowBytes);
    }
  }
}
