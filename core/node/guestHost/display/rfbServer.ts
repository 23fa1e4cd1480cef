import type { Duplex } from 'node:stream';

/** A rectangle of the framebuffer, in pixels. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** What an RFB session shows and where its input goes (for example a v86 guest's screen). */
export interface FramebufferSource {
  /** Current width in pixels. */
  readonly width: number;
  /** Current height in pixels. */
  readonly height: number;
  /** Brings the picture up to date and returns it: width*height*4 bytes, B,G,R,X per pixel (0x00RRGGBB little-endian words). */
  pixels(): Uint8Array;
  /** Calls `listener` with each changed rectangle, or 'resize' after width/height change; returns the unsubscribe function. */
  onChange(listener: (change: Rect | 'resize') => void): () => void;
  /** An X11 keysym pressed (down) or released. */
  key(keysym: number, down: boolean): void;
  /** The pointer at (x, y) with RFB's button mask (bit 0 left, 1 middle, 2 right, 3/4 wheel up/down). */
  pointer(x: number, y: number, buttonMask: number): void;
}

/** Options of one RFB session. */
export interface RfbServerOptions {
  /** The desktop name sent in ServerInit. */
  name?: string;
  /** Called once when the session ends: null for a normal end, else why the server closed it. */
  onClose?: (reason: string | null) => void;
}

interface PixelFormat {
  bigEndian: boolean;
  redMax: number;
  greenMax: number;
  blueMax: number;
  redShift: number;
  greenShift: number;
  blueShift: number;
}

const NATIVE: PixelFormat = { bigEndian: false, redMax: 255, greenMax: 255, blueMax: 255, redShift: 16, greenShift: 8, blueShift: 0 };
const ENC_RAW = 0;
const ENC_DESKTOP_SIZE = -223;
const MAX_CUT_TEXT = 1 << 20;
const MAX_RECTS = 32;

/**
 * A minimal RFB 3.8 server (also 3.7 and 3.3) for one client over one stream: security
 * None, Raw encoding, DesktopSize pseudo-encoding, 32 bpp true colour in any channel
 * layout. Updates go out only in answer to FramebufferUpdateRequest. Malformed input
 * closes the connection; nothing is thrown out of the stream's handlers.
 */
export class RfbServer {
  private buf: Buffer = Buffer.alloc(0);
  private phase: 'version' | 'security' | 'init' | 'normal' = 'version';
  private minor = 8;
  private format = NATIVE;
  private desktopSize = false;
  private clientW: number;
  private clientH: number;
  private dirty: Rect[] = [];
  private resized = false;
  /** The pending FramebufferUpdateRequest: the region and whether it is incremental. */
  private request: { region: Rect; incremental: boolean } | null = null;
  private unsubscribe: (() => void) | null = null;
  private ended = false;
  private sending = false;
  private readonly down = new Set<number>();
  private buttons = 0;
  private pointerX = 0;
  private pointerY = 0;

  constructor(
    private readonly stream: Duplex,
    private readonly source: FramebufferSource,
    private readonly options: RfbServerOptions = {},
  ) {
    this.clientW = source.width;
    this.clientH = source.height;
    stream.on('data', (chunk: Buffer) => this.guard(() => this.receive(chunk)));
    stream.on('error', () => this.close(null));
    stream.on('close', () => this.close(null));
    stream.on('end', () => this.close(null));
    this.guard(() => stream.write('RFB 003.008\n'));
  }

  /** Whether the session has ended. */
  get closed(): boolean {
    return this.ended;
  }

  /** Ends the session and closes the stream; `reason` says why (null: a normal end). */
  close(reason: string | null = null): void {
    if (this.ended) return;
    this.ended = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    try {
      // Let go of what the client held down, or the guest sees a stuck key or button.
      for (const keysym of this.down) this.source.key(keysym, false);
      if (this.buttons) this.source.pointer(this.pointerX, this.pointerY, 0);
    } catch {
      // the source is gone
    }
    const stream = this.stream;
    stream.end(() => stream.destroy()); // flush a failure message first
    setTimeout(() => stream.destroy(), 2000).unref();
    this.options.onClose?.(reason);
  }

  private guard(fn: () => void): void {
    if (this.ended) return;
    try {
      fn();
    } catch (err) {
      this.close(`RFB session failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private receive(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    let used: number;
    while (!this.ended && this.buf.length > 0 && (used = this.step(this.buf)) > 0) this.buf = this.buf.subarray(used);
  }

  /** Handles one message at the start of `b`; returns the bytes used, 0 if incomplete. */
  private step(b: Buffer): number {
    switch (this.phase) {
      case 'version': {
        if (b.length < 12) return 0;
        const m = /^RFB (\d{3})\.(\d{3})\n$/.exec(b.toString('latin1', 0, 12));
        if (!m || Number(m[1]) !== 3) return (this.fail('bad protocol version'), 0);
        this.minor = Number(m[2]) >= 8 ? 8 : Number(m[2]) === 7 ? 7 : 3;
        if (this.minor === 3) {
          this.stream.write(u32(1));
          this.phase = 'init';
        } else {
          this.stream.write(Buffer.from([1, 1]));
          this.phase = 'security';
        }
        return 12;
      }
      case 'security':
        if (b[0] !== 1) {
          if (this.minor === 8) {
            const why = Buffer.from('only security type None is offered', 'latin1');
            this.stream.write(Buffer.concat([u32(1), u32(why.length), why]));
          }
          return (this.fail('client chose an unsupported security type'), 0);
        }
        if (this.minor === 8) this.stream.write(u32(0));
        this.phase = 'init';
        return 1;
      case 'init': {
        this.phase = 'normal';
        const name = Buffer.from(this.options.name ?? 'Guesthouse', 'utf8');
        this.clientW = this.source.width;
        this.clientH = this.source.height;
        const head = Buffer.alloc(24);
        head.writeUInt16BE(this.clientW, 0);
        head.writeUInt16BE(this.clientH, 2);
        Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]).copy(head, 4);
        head.writeUInt32BE(name.length, 20);
        this.stream.write(Buffer.concat([head, name]));
        this.unsubscribe = this.source.onChange((change) => this.guard(() => this.changed(change)));
        return 1;
      }
      case 'normal':
        return this.message(b);
    }
  }

  private message(b: Buffer): number {
    switch (b[0]) {
      case 0: {
        if (b.length < 20) return 0;
        const [bpp, , bigEndian, trueColour] = [b[4], b[5], b[6], b[7]];
        if (bpp !== 32 || !trueColour) return (this.fail(`unsupported pixel format (${bpp} bpp${trueColour ? '' : ', colour map'})`), 0);
        const f: PixelFormat = {
          bigEndian: bigEndian !== 0,
          redMax: b.readUInt16BE(8),
          greenMax: b.readUInt16BE(10),
          blueMax: b.readUInt16BE(12),
          redShift: b[14],
          greenShift: b[15],
          blueShift: b[16],
        };
        if ([f.redShift, f.greenShift, f.blueShift].some((s) => s > 31)) return (this.fail('bad pixel format shifts'), 0);
        this.format = f;
        return 20;
      }
      case 2: {
        if (b.length < 4) return 0;
        const n = b.readUInt16BE(2);
        if (b.length < 4 + 4 * n) return 0;
        this.desktopSize = false;
        for (let i = 0; i < n; i++) if (b.readInt32BE(4 + 4 * i) === ENC_DESKTOP_SIZE) this.desktopSize = true;
        return 4 + 4 * n;
      }
      case 3: {
        if (b.length < 10) return 0;
        const region = { x: b.readUInt16BE(2), y: b.readUInt16BE(4), w: b.readUInt16BE(6), h: b.readUInt16BE(8) };
        const incremental = b[1] !== 0 && (this.request?.incremental ?? true);
        this.request = { region: this.request ? union(this.request.region, region) : region, incremental };
        this.maybeSend();
        return 10;
      }
      case 4:
        if (b.length < 8) return 0;
        if (b[1]) this.down.add(b.readUInt32BE(4));
        else this.down.delete(b.readUInt32BE(4));
        this.source.key(b.readUInt32BE(4), b[1] !== 0);
        return 8;
      case 5: {
        if (b.length < 6) return 0;
        const x = Math.min(b.readUInt16BE(2), Math.max(0, this.source.width - 1));
        const y = Math.min(b.readUInt16BE(4), Math.max(0, this.source.height - 1));
        [this.pointerX, this.pointerY, this.buttons] = [x, y, b[1]];
        this.source.pointer(x, y, b[1]);
        return 6;
      }
      case 6: {
        if (b.length < 8) return 0;
        const len = b.readUInt32BE(4);
        if (len > MAX_CUT_TEXT) return (this.fail('client cut text too long'), 0);
        return b.length < 8 + len ? 0 : 8 + len; // ignored
      }
      default:
        return (this.fail(`unknown client message type ${b[0]}`), 0);
    }
  }

  private fail(reason: string): void {
    this.close(reason);
  }

  private changed(change: Rect | 'resize'): void {
    if (change === 'resize') {
      this.resized = true;
      this.dirty = [];
    } else if (!this.resized) {
      if (this.dirty.length >= MAX_RECTS) this.dirty = [this.dirty.reduce(union, change)];
      else this.dirty.push(change);
    }
    this.maybeSend();
  }

  /** Answers the pending request if there is something to send. */
  private maybeSend(): void {
    const req = this.request;
    if (!req || this.ended || this.sending || this.phase !== 'normal') return;
    if (req.incremental && !this.resized && this.dirty.length === 0) return;
    this.sending = true;
    let fb: Uint8Array;
    try {
      fb = this.source.pixels(); // may report more changes: take the dirty list after this
    } finally {
      this.sending = false;
    }
    const width = this.source.width;
    const height = this.source.height;
    const parts: Buffer[] = [];
    let count = 0;
    let areas: Rect[];
    if (this.resized) {
      if (this.desktopSize) {
        this.clientW = width;
        this.clientH = height;
        parts.push(rectHeader({ x: 0, y: 0, w: width, h: height }, ENC_DESKTOP_SIZE));
        count++;
      }
      areas = [{ x: 0, y: 0, w: this.clientW, h: this.clientH }];
    } else {
      areas = req.incremental ? this.dirty.map((d) => intersect(d, req.region)) : [req.region];
    }
    const limit = { x: 0, y: 0, w: Math.min(width, this.clientW), h: Math.min(height, this.clientH) };
    for (const area of areas) {
      const r = intersect(area, limit);
      if (r.w <= 0 || r.h <= 0) continue;
      parts.push(rectHeader(r, ENC_RAW), this.encode(fb, width, r));
      count++;
    }
    this.resized = false;
    this.dirty = [];
    if (count === 0 && req.incremental) return; // nothing visible changed: keep waiting
    this.request = null;
    this.stream.write(Buffer.concat([Buffer.from([0, 0, count >> 8, count & 255]), ...parts]));
  }

  /** The Raw pixels of `r` in the client's pixel format. */
  private encode(fb: Uint8Array, stride: number, r: Rect): Buffer {
    const out = Buffer.allocUnsafe(r.w * r.h * 4);
    const f = this.format;
    if (
      f === NATIVE ||
      (!f.bigEndian && f.redMax === 255 && f.greenMax === 255 && f.blueMax === 255 && f.redShift === 16 && f.greenShift === 8 && f.blueShift === 0)
    ) {
      for (let row = 0; row < r.h; row++) {
        const start = ((r.y + row) * stride + r.x) * 4;
        out.set(fb.subarray(start, start + r.w * 4), row * r.w * 4);
      }
      return out;
    }
    const shifts = [f.redShift, f.greenShift, f.blueShift];
    if (f.redMax === 255 && f.greenMax === 255 && f.blueMax === 255 && shifts.every((s) => s % 8 === 0 && s < 32)) {
      // Whole bytes (noVNC asks for R,G,B,X): place each channel's byte.
      const [rp, gp, bp] = shifts.map((s) => (f.bigEndian ? 3 - s / 8 : s / 8));
      out.fill(0);
      for (let row = 0, o = 0; row < r.h; row++) {
        for (let col = 0, i = ((r.y + row) * stride + r.x) * 4; col < r.w; col++, i += 4, o += 4) {
          out[o + rp] = fb[i + 2];
          out[o + gp] = fb[i + 1];
          out[o + bp] = fb[i];
        }
      }
      return out;
    }
    let o = 0;
    for (let row = 0; row < r.h; row++) {
      let i = ((r.y + row) * stride + r.x) * 4;
      for (let col = 0; col < r.w; col++, i += 4, o += 4) {
        const v =
          ((((fb[i + 2] * f.redMax + 127) / 255) | 0) << f.redShift) |
          ((((fb[i + 1] * f.greenMax + 127) / 255) | 0) << f.greenShift) |
          ((((fb[i] * f.blueMax + 127) / 255) | 0) << f.blueShift);
        if (f.bigEndian) out.writeUInt32BE(v >>> 0, o);
        else out.writeUInt32LE(v >>> 0, o);
      }
    }
    return out;
  }
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0, 0);
  return b;
}

function rectHeader(r: Rect, encoding: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(r.x, 0);
  b.writeUInt16BE(r.y, 2);
  b.writeUInt16BE(r.w, 4);
  b.writeUInt16BE(r.h, 6);
  b.writeInt32BE(encoding, 8);
  return b;
}

function union(a: Rect, b: Rect): Rect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

function intersect(a: Rect, b: Rect): Rect {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  return { x, y, w: Math.min(a.x + a.w, b.x + b.w) - x, h: Math.min(a.y + a.h, b.y + b.h) - y };
}
