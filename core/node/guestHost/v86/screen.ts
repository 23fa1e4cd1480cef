import type { FramebufferSource, Rect } from '../display/rfbServer';
import { GuesthouseError } from '../../../common/errors';
import { m } from '../../../common/messages';

/** The image v86's VGA hands to a screen adapter: RGBA bytes (in the emulator's memory). */
interface V86ImageData {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** One layer of `update_buffer`: a part of `image_data` placed on the screen. */
interface V86Layer {
  image_data: V86ImageData | null;
  screen_x: number;
  screen_y: number;
  buffer_x: number;
  buffer_y: number;
  buffer_width: number;
  buffer_height: number;
}

/** The screen adapter interface v86's VGA calls (src/browser/screen.js, v86 0.5.462). */
interface V86ScreenAdapter {
  FLAG_BLINKING?: number;
  FLAG_FONT_PAGE_B?: number;
  put_char(row: number, col: number, chr: number, flags: number, bg: number, fg: number): void;
  set_mode(graphical: boolean): void;
  set_size_text(cols: number, rows: number): void;
  set_size_graphical(width: number, height: number, virtualWidth: number, virtualHeight: number): void;
  update_cursor(row: number, col: number): void;
  update_cursor_scanline(start: number, end: number, enabled: boolean): void;
  update_buffer(layers: V86Layer[]): void;
  clear_screen(): void;
  clear_text_state(): void;
  set_font_bitmap(height: number, width9: boolean, widthDouble: boolean, copy8th: boolean, plane2: Uint8Array, dirty: boolean): void;
  set_font_page(a: number, b: number): void;
}

/** The parts of v86's VGA device (src/vga.js) this screen reads, pinned to v86 0.5.462. */
interface V86Vga {
  screen: V86ScreenAdapter;
  graphical_mode: boolean;
  svga_enabled: boolean;
  svga_bpp: number;
  screen_width: number;
  screen_height: number;
  virtual_width: number;
  virtual_height: number;
  max_cols: number;
  max_rows: number;
  image_data: V86ImageData | null;
  diff_addr_min: number;
  diff_addr_max: number;
  start_address: number;
  start_address_latched: number;
  plane2: Uint8Array;
  set_size_graphical(width: number, height: number, virtualWidth: number, virtualHeight: number, bpp: number): void;
  update_layers(): void;
  set_font_bitmap(dirty: boolean): void;
  set_font_page(): void;
  update_cursor(): void;
  update_cursor_scanline(): void;
  complete_redraw(): void;
  screen_fill_buffer(): void;
}

/** The parts of a running v86 emulator (npm v86 0.5.462) the screen uses. */
export interface V86ScreenEmulator {
  bus: { send(event: string, value: unknown): void };
  v86: { cpu: { devices: { vga?: V86Vga } } };
}

const FLAG_BLINKING = 1;
const FLAG_FONT_PAGE_B = 2;
const BLINK_MS = 266;
const GRAPHICS_POLL_MS = 40;
const FLUSH_MS = 10;

/** CP437 as Unicode, for the text of the screen. */
const CP437 =
  ' ☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼' +
  Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('') +
  '⌂ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/** X11 keysym → PC scan code set 1; 0xE0xx marks an extended (E0-prefixed) key. */
const SCANCODES = new Map<number, number>();
{
  const rows: [string, number][] = [
    ['1234567890-=', 0x02],
    ['qwertyuiop[]', 0x10],
    ["asdfghjkl;'`", 0x1e],
    ['\\zxcvbnm,./', 0x2b],
    ['!@#$%^&*()_+', 0x02],
    ['QWERTYUIOP{}', 0x10],
    ['ASDFGHJKL:"~', 0x1e],
    ['|ZXCVBNM<>?', 0x2b],
  ];
  for (const [keys, first] of rows) for (let i = 0; i < keys.length; i++) SCANCODES.set(keys.charCodeAt(i), first + i);
  const named: [number, number][] = [
    [0x20, 0x39],
    [0xff08, 0x0e],
    [0xff09, 0x0f],
    [0xfe20, 0x0f],
    [0xff0d, 0x1c],
    [0xff1b, 0x01],
    [0xffe1, 0x2a],
    [0xffe2, 0x36],
    [0xffe3, 0x1d],
    [0xffe4, 0xe01d],
    [0xffe5, 0x3a],
    [0xffe7, 0x38],
    [0xffe9, 0x38],
    [0xffe8, 0xe038],
    [0xffea, 0xe038],
    [0xfe03, 0xe038],
    [0xffeb, 0xe05b],
    [0xffec, 0xe05c],
    [0xff67, 0xe05d],
    [0xff50, 0xe047],
    [0xff51, 0xe04b],
    [0xff52, 0xe048],
    [0xff53, 0xe04d],
    [0xff54, 0xe050],
    [0xff55, 0xe049],
    [0xff56, 0xe051],
    [0xff57, 0xe04f],
    [0xff63, 0xe052],
    [0xffff, 0xe053],
    [0xff61, 0xe037],
    [0xff7f, 0x45],
    [0xff14, 0x46],
    [0xff8d, 0xe01c],
    [0xffaf, 0xe035],
    [0xffaa, 0x37],
    [0xffad, 0x4a],
    [0xffab, 0x4e],
    [0xffae, 0x53],
    [0xff95, 0x47],
    [0xff96, 0x4b],
    [0xff97, 0x48],
    [0xff98, 0x4d],
    [0xff99, 0x50],
    [0xff9a, 0x49],
    [0xff9b, 0x51],
    [0xff9c, 0x4f],
    [0xff9d, 0x4c],
    [0xff9e, 0x52],
    [0xff9f, 0x53],
  ];
  for (const [sym, code] of named) SCANCODES.set(sym, code);
  for (let i = 0; i < 10; i++) SCANCODES.set(0xffbe + i, 0x3b + i); // F1..F10
  SCANCODES.set(0xffc8, 0x57); // F11
  SCANCODES.set(0xffc9, 0x58); // F12
  [0x52, 0x4f, 0x50, 0x51, 0x4b, 0x4c, 0x4d, 0x47, 0x48, 0x49].forEach((code, i) => SCANCODES.set(0xffb0 + i, code)); // KP_0..9
}

/** The PC scan codes (set 1) for pressing or releasing the key of an X11 keysym; [] if unknown. */
export function scancodesFor(keysym: number, down: boolean): number[] {
  const code = SCANCODES.get(keysym);
  if (code === undefined) return [];
  const make = code & 0xff;
  const key = down ? make : make | 0x80;
  return code > 0xff ? [0xe0, key] : [key];
}

/** Gives v86's VGA what it needs to produce graphics in Node: an ImageData class. */
function ensureImageData(): void {
  const g = globalThis as { ImageData?: unknown };
  if (typeof g.ImageData !== 'undefined') return;
  g.ImageData = class ImageData implements V86ImageData {
    constructor(
      readonly data: Uint8ClampedArray,
      readonly width: number,
      readonly height: number = data.length / 4 / width,
    ) {}
  };
}

/**
 * The screen of a running v86 guest as a FramebufferSource: it stands in for v86's
 * screen adapter, renders text mode itself with the font the VGA BIOS put into plane 2
 * (9x16 or 8x16 cells, the guest's 16-colour palette, blinking cursor), and copies
 * graphics from v86's VGA/VBE buffer. Text is rendered and graphics are polled only
 * while someone listens (or asks for pixels); dirty cells and rows are reported.
 */
export class V86Screen implements FramebufferSource {
  width = 0;
  height = 0;
  private fb = new Uint8Array(0);
  private fb32 = new Uint32Array(0);
  private readonly listeners = new Set<(change: Rect | 'resize') => void>();
  private readonly vga: V86Vga;
  private readonly inner: V86ScreenAdapter;
  private graphical = false;
  private gw = 0;
  private gh = 0;
  private forceFull = false;
  // Text mode: characters, attributes, font, cursor, dirty columns per row.
  private cols = 0;
  private rows = 0;
  private chars = new Uint8Array(0);
  private flags = new Uint8Array(0);
  private bg = new Int32Array(0);
  private fg = new Int32Array(0);
  private dirtyMin = new Int16Array(0);
  private dirtyMax = new Int16Array(0);
  private fontHeight = 16;
  private fontWidth = 9;
  private width9 = true;
  private widthDouble = false;
  private copy8th = false;
  private font: Uint8Array;
  private pageA = 0;
  private pageB = 0;
  private cursorRow = 0;
  private cursorCol = 0;
  private cursorStart = 14;
  private cursorEnd = 15;
  private cursorOn = true;
  private blinkOn = true;
  private flushTimer: NodeJS.Timeout | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private lastX = -1;
  private lastY = -1;
  private lastButtons = 0;

  constructor(private readonly emulator: V86ScreenEmulator) {
    const vga = emulator.v86.cpu.devices.vga;
    if (!vga) throw new GuesthouseError('invalid-state', m('display.noVga'));
    this.vga = vga;
    this.font = vga.plane2;
    ensureImageData();
    const inner = vga.screen;
    this.inner = inner;
    const self = this;
    const adapter: V86ScreenAdapter = {
      FLAG_BLINKING,
      FLAG_FONT_PAGE_B,
      put_char(row, col, chr, flags, bg, fg) {
        inner.put_char(row, col, chr, flags, bg, fg);
        self.putChar(row, col, chr, flags, bg, fg);
      },
      set_mode: (graphical) => (inner.set_mode(graphical), this.setMode(graphical)),
      set_size_text: (cols, rows) => (inner.set_size_text(cols, rows), this.setSizeText(cols, rows)),
      set_size_graphical: (w, h, vw, vh) => (inner.set_size_graphical(w, h, vw, vh), this.setSizeGraphical(w, h)),
      update_cursor: (row, col) => this.updateCursor(row, col),
      update_cursor_scanline: (start, end, enabled) => this.updateCursorScanline(start, end, enabled),
      update_buffer: (layers) => this.updateBuffer(layers),
      clear_screen: () => this.graphical && (this.fb32.fill(0), this.emit({ x: 0, y: 0, w: this.width, h: this.height })),
      clear_text_state: () => (inner.clear_text_state(), (this.cols = this.rows = 0)),
      set_font_bitmap: (h, w9, wd, c8, plane2, dirty) => this.setFont(h, w9, wd, c8, plane2, dirty),
      set_font_page: (a, b) => ((this.pageA = a), (this.pageB = b), this.markAll()),
    };
    vga.screen = adapter;
    // Catch up with the present screen (the guest may have been running for a while).
    this.graphical = vga.graphical_mode;
    if (this.graphical) {
      if (!vga.image_data) {
        const { screen_width: w, screen_height: h, virtual_width: vw, virtual_height: vh } = vga;
        vga.screen_width = 0; // makes v86 allocate its image now that ImageData exists
        vga.set_size_graphical(w, h, vw, vh, vga.svga_enabled ? vga.svga_bpp : 8);
        if (!vga.svga_enabled) vga.update_layers();
      }
      this.setSizeGraphical(vga.screen_width, vga.screen_height);
    } else {
      this.setSizeText(vga.max_cols, vga.max_rows);
      vga.set_font_bitmap(true);
      vga.set_font_page();
      vga.update_cursor_scanline();
      vga.update_cursor();
      vga.complete_redraw();
    }
    this.forceFull = true;
  }

  /** Rows of text (CP437 as Unicode, trailing blanks trimmed) in text mode; null in graphics mode. */
  textScreen(): string[] | null {
    if (this.graphical) return null;
    const out: string[] = [];
    for (let r = 0; r < this.rows; r++) {
      let line = '';
      for (let c = 0; c < this.cols; c++) line += CP437[this.chars[r * this.cols + c]];
      out.push(line.trimEnd());
    }
    return out;
  }

  pixels(): Uint8Array {
    if (this.graphical) this.poll();
    else this.flush();
    return this.fb;
  }

  onChange(listener: (change: Rect | 'resize') => void): () => void {
    this.listeners.add(listener);
    this.retime();
    return () => {
      this.listeners.delete(listener);
      this.retime();
    };
  }

  key(keysym: number, down: boolean): void {
    for (const code of scancodesFor(keysym, down)) this.emulator.bus.send('keyboard-code', code);
  }

  pointer(x: number, y: number, buttonMask: number): void {
    const bus = this.emulator.bus;
    if (this.lastX >= 0 && (x !== this.lastX || y !== this.lastY)) {
      let dx = x - this.lastX;
      let dy = y - this.lastY;
      while (dx || dy) {
        // PS/2 packets carry 9-bit deltas: send big moves in steps; v86 wants y up.
        const sx = Math.max(-100, Math.min(100, dx));
        const sy = Math.max(-100, Math.min(100, dy));
        bus.send('mouse-delta', [sx, -sy]);
        dx -= sx;
        dy -= sy;
      }
      bus.send('mouse-absolute', [x, y, this.width, this.height]); // VMware absolute pointer, if the guest uses it
    }
    this.lastX = x;
    this.lastY = y;
    const changed = buttonMask ^ this.lastButtons;
    if (changed & 7) bus.send('mouse-click', [(buttonMask & 1) !== 0, (buttonMask & 2) !== 0, (buttonMask & 4) !== 0]);
    if (changed & buttonMask & 8) bus.send('mouse-wheel', [1, 0]);
    if (changed & buttonMask & 16) bus.send('mouse-wheel', [-1, 0]);
    this.lastButtons = buttonMask;
  }

  /** Stops timers and gives v86 back its own screen adapter. */
  dispose(): void {
    this.listeners.clear();
    this.retime();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.vga.screen = this.inner;
  }

  private emit(change: Rect | 'resize'): void {
    for (const l of this.listeners) l(change);
  }

  private resize(w: number, h: number): void {
    if (w === this.width && h === this.height) return;
    this.width = w;
    this.height = h;
    this.fb = new Uint8Array(w * h * 4);
    this.fb32 = new Uint32Array(this.fb.buffer);
    this.emit('resize');
  }

  private setMode(graphical: boolean): void {
    this.graphical = graphical;
    this.forceFull = true;
    if (graphical) this.resize(this.gw, this.gh);
    else this.setSizeText(this.cols, this.rows);
    this.markAll();
    this.retime();
  }

  private setSizeText(cols: number, rows: number): void {
    if (cols !== this.cols || rows !== this.rows) {
      this.cols = cols;
      this.rows = rows;
      this.chars = new Uint8Array(cols * rows);
      this.flags = new Uint8Array(cols * rows);
      this.bg = new Int32Array(cols * rows);
      this.fg = new Int32Array(cols * rows);
      this.dirtyMin = new Int16Array(rows);
      this.dirtyMax = new Int16Array(rows);
    }
    if (!this.graphical) this.resize(cols * this.fontWidth, rows * this.fontHeight);
    this.markAll();
  }

  private setSizeGraphical(w: number, h: number): void {
    this.gw = w;
    this.gh = h;
    this.forceFull = true;
    if (this.graphical) this.resize(w, h);
  }

  private setFont(height: number, width9: boolean, widthDouble: boolean, copy8th: boolean, plane2: Uint8Array, dirty: boolean): void {
    const width = widthDouble ? 16 : width9 ? 9 : 8;
    const same = height === this.fontHeight && width === this.fontWidth && copy8th === this.copy8th && widthDouble === this.widthDouble;
    this.font = plane2;
    if (same && !dirty) return;
    this.fontHeight = height;
    this.fontWidth = width;
    this.width9 = width9;
    this.widthDouble = widthDouble;
    this.copy8th = copy8th;
    this.setSizeText(this.cols, this.rows);
  }

  private putChar(row: number, col: number, chr: number, flags: number, bg: number, fg: number): void {
    if (row >= this.rows || col >= this.cols) return;
    const i = row * this.cols + col;
    if (this.chars[i] === chr && this.flags[i] === flags && this.bg[i] === bg && this.fg[i] === fg) return;
    this.chars[i] = chr;
    this.flags[i] = flags;
    this.bg[i] = bg;
    this.fg[i] = fg;
    this.markCell(row, col);
  }

  private updateCursor(row: number, col: number): void {
    if (row === this.cursorRow && col === this.cursorCol) return;
    this.markCell(this.cursorRow, this.cursorCol);
    this.cursorRow = row;
    this.cursorCol = col;
    this.markCell(row, col);
  }

  private updateCursorScanline(start: number, end: number, enabled: boolean): void {
    this.cursorStart = start;
    this.cursorEnd = end;
    this.cursorOn = enabled;
    this.markCell(this.cursorRow, this.cursorCol);
  }

  private markCell(row: number, col: number): void {
    if (row >= this.rows || col >= this.cols || this.graphical) return;
    if (this.dirtyMax[row] < this.dirtyMin[row]) {
      this.dirtyMin[row] = col;
      this.dirtyMax[row] = col;
    } else {
      if (col < this.dirtyMin[row]) this.dirtyMin[row] = col;
      if (col > this.dirtyMax[row]) this.dirtyMax[row] = col;
    }
    if (this.listeners.size > 0 && !this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), FLUSH_MS);
  }

  private markAll(): void {
    if (this.graphical) return;
    this.dirtyMin.fill(0);
    this.dirtyMax.fill(this.cols - 1);
    if (this.listeners.size > 0 && !this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** Renders the dirty text cells and reports them, one rectangle per row. */
  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.graphical) return;
    const fw = this.fontWidth;
    const fh = this.fontHeight;
    const changes: Rect[] = [];
    for (let row = 0; row < this.rows; row++) {
      const min = this.dirtyMin[row];
      const max = this.dirtyMax[row];
      if (max < min) continue;
      this.dirtyMin[row] = 1;
      this.dirtyMax[row] = 0;
      for (let col = min; col <= max; col++) this.renderCell(row, col);
      changes.push({ x: min * fw, y: row * fh, w: (max - min + 1) * fw, h: fh });
    }
    for (const c of changes) this.emit(c);
  }

  private renderCell(row: number, col: number): void {
    const i = row * this.cols + col;
    const chr = this.chars[i];
    const flags = this.flags[i];
    const fg = this.fg[i] & 0xffffff;
    const bg = this.bg[i] & 0xffffff;
    const visible = !(flags & FLAG_BLINKING) || this.blinkOn;
    const glyph = (((flags & FLAG_FONT_PAGE_B ? this.pageB : this.pageA) << 8) + chr) * 32;
    const cursor = this.cursorOn && this.blinkOn && row === this.cursorRow && col === this.cursorCol;
    const stride = this.width;
    const fw = this.fontWidth;
    const line9 = this.copy8th && chr >= 0xc0 && chr <= 0xdf;
    for (let y = 0; y < this.fontHeight; y++) {
      let o = (row * this.fontHeight + y) * stride + col * fw;
      if (o + fw > this.fb32.length) return;
      const bits = visible ? (this.font[glyph + y] ?? 0) : 0;
      if (cursor && y >= this.cursorStart && y <= this.cursorEnd) {
        this.fb32.fill(fg, o, o + fw);
      } else if (this.widthDouble) {
        for (let b = 0x80; b; b >>= 1, o += 2) this.fb32.fill(bits & b ? fg : bg, o, o + 2);
      } else {
        for (let b = 0x80; b; b >>= 1) this.fb32[o++] = bits & b ? fg : bg;
        if (this.width9) this.fb32[o] = line9 && bits & 1 ? fg : bg;
      }
    }
  }

  /** Fetches graphics from v86 (which produces them only when asked) and reports changed rows. */
  private poll(): void {
    const vga = this.vga;
    if (!this.graphical || !vga.graphical_mode || !vga.image_data) return;
    if (this.forceFull) {
      this.forceFull = false;
      vga.complete_redraw();
    } else if (!vga.svga_enabled && vga.diff_addr_min > vga.diff_addr_max && vga.start_address === vga.start_address_latched) {
      return; // nothing drawn since the last look
    }
    vga.screen_fill_buffer();
  }

  private updateBuffer(layers: V86Layer[]): void {
    const w = this.width;
    const h = this.height;
    let top = h;
    let bottom = -1;
    for (const l of layers) {
      const img = l.image_data;
      if (!img || img.data.byteLength === 0) continue;
      const d = img.data;
      const x0 = Math.max(0, -l.screen_x, -l.buffer_x);
      const x1 = Math.min(l.buffer_width, w - l.screen_x, img.width - l.buffer_x);
      for (let j = 0; j < l.buffer_height; j++) {
        const dy = l.screen_y + j;
        const sy = l.buffer_y + j;
        if (dy < 0 || dy >= h || sy < 0 || sy >= img.height) continue;
        let s = (sy * img.width + l.buffer_x + x0) * 4;
        let o = dy * w + l.screen_x + x0;
        let changed = false;
        for (let x = x0; x < x1; x++, s += 4, o++) {
          const v = (d[s] << 16) | (d[s + 1] << 8) | d[s + 2];
          if (this.fb32[o] !== v) {
            this.fb32[o] = v;
            changed = true;
          }
        }
        if (changed) {
          if (dy < top) top = dy;
          if (dy > bottom) bottom = dy;
        }
      }
    }
    if (bottom >= top) this.emit({ x: 0, y: top, w, h: bottom - top + 1 });
  }

  /** Blinks the cursor (text) or polls the picture (graphics), only while someone listens. */
  private retime(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    if (this.listeners.size === 0) {
      if (!this.blinkOn) this.blink(); // leave the cursor and blinking text visible
      return;
    }
    this.ticker = this.graphical ? setInterval(() => this.poll(), GRAPHICS_POLL_MS) : setInterval(() => this.blink(), BLINK_MS);
    this.ticker.unref();
  }

  private blink(): void {
    this.blinkOn = !this.blinkOn;
    if (this.cursorOn) this.markCell(this.cursorRow, this.cursorCol);
    for (let i = 0; i < this.flags.length; i++) if (this.flags[i] & FLAG_BLINKING) this.markCell((i / this.cols) | 0, i % this.cols);
  }
}
