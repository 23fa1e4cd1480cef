import type net from 'node:net';

/**
 * A small noVNC-like RFB client for tests: security None, Raw and DesktopSize, and a copy
 * of the remote framebuffer (32 bpp as the server sends it). Real servers only: the guest
 * host's display socket, QEMU's VNC.
 */
export class Viewer {
  width = 0;
  height = 0;
  fb = Buffer.alloc(0);
  updates = 0;
  bytes = 0;
  sizes: string[] = [];
  private buf = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  private closed = false;
  constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.bytes += d.length;
      this.buf = Buffer.concat([this.buf, d]);
      this.wake?.();
    });
    socket.on('close', () => ((this.closed = true), this.wake?.()));
  }
  private async read(n: number): Promise<Buffer> {
    while (this.buf.length < n) {
      if (this.closed) throw new Error('viewer connection closed');
      await new Promise<void>((r) => (this.wake = r));
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }
  async start(): Promise<void> {
    const version = (await this.read(12)).toString();
    if (!/^RFB 003\.00[378]\n$/.test(version)) throw new Error(`not an RFB server: ${JSON.stringify(version)}`);
    this.socket.write('RFB 003.008\n');
    const count = (await this.read(1))[0]!;
    const types = await this.read(count);
    if (!types.includes(1)) throw new Error('the server offers no security type None');
    this.socket.write(Buffer.from([1]));
    if ((await this.read(4)).readUInt32BE(0) !== 0) throw new Error('security handshake failed');
    this.socket.write(Buffer.from([1]));
    const init = await this.read(24);
    await this.read(init.readUInt32BE(20));
    this.setSize(init.readUInt16BE(0), init.readUInt16BE(2));
    // SetEncodings: Raw, DesktopSize.
    this.socket.write(Buffer.from([2, 0, 0, 2, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x21]));
    this.request(false);
    void this.loop();
  }
  private setSize(w: number, h: number): void {
    this.width = w;
    this.height = h;
    this.fb = Buffer.alloc(w * h * 4);
    this.sizes.push(`${w}x${h}`);
  }
  private request(incremental: boolean): void {
    this.socket.write(Buffer.from([3, incremental ? 1 : 0, 0, 0, 0, 0, this.width >> 8, this.width & 255, this.height >> 8, this.height & 255]));
  }
  private async loop(): Promise<void> {
    try {
      for (;;) {
        const head = await this.read(4);
        if (head[0] !== 0) throw new Error(`unexpected server message ${head[0]}`);
        for (let i = head.readUInt16BE(2); i > 0; i--) {
          const r = await this.read(12);
          const [x, y, w, h, enc] = [r.readUInt16BE(0), r.readUInt16BE(2), r.readUInt16BE(4), r.readUInt16BE(6), r.readInt32BE(8)];
          if (enc === -223) {
            this.setSize(w, h);
            continue;
          }
          if (enc !== 0) throw new Error(`unexpected encoding ${enc}`);
          const data = await this.read(w * h * 4);
          for (let row = 0; row < h; row++) data.copy(this.fb, ((y + row) * this.width + x) * 4, row * w * 4, (row + 1) * w * 4);
        }
        this.updates++;
        this.request(true);
      }
    } catch {
      // closed
    }
  }
  key(keysym: number, down: boolean): void {
    const b = Buffer.alloc(8);
    b[0] = 4;
    b[1] = down ? 1 : 0;
    b.writeUInt32BE(keysym, 4);
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
}
