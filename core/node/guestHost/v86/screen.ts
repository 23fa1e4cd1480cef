import type { FramebufferSource, Rect } from '../display/rfbServer';
import { GuesthouseError } from '../../../common/errors';
import { m } from '../../../common/messages';
import { CP437 } from '../display/cp437';
import { scancodesFor } from './keyboard';
import { ensureImageData, type V86Layer, type V86ScreenAdapter, type V86Vga } from './vga';

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
