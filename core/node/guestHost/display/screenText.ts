// Reads the text of a VGA text-mode screen from its picture (QEMU's QMP `screendump`).
//
// Reading guest memory at 0xB8000 is not enough: Linux's vgacon scrolls in hardware (the
// visible window moves through video memory by the CRTC start address, which QMP cannot
// read). QEMU draws text mode with the font in VGA plane 2, which is the VGA BIOS's font
// (vgaFont.ts) unless the guest loads another, so each character cell of the picture can be
// matched against the font's glyphs:
// - the geometry gives the cell size: cols*cellWidth x rows*cellHeight, cells 9 or 8 pixels
//   wide (16 for QEMU's doubled 40-column modes), 16, 14 or 8 high;
// - QEMU draws each cell in exactly two colours (foreground and background; the cursor
//   uses the foreground), so a cell with three colours means this is no text mode;
// - the background is the colour of most cells' majority (the screen's background) when the
//   cell has it, else the cell's most frequent colour; the 9th column is ignored;
// - the 8-column bitmap is looked up in the font, then inverted (reverse video, or glyphs
//   mostly made of foreground), then with the cursor (full rows of foreground at the bottom
//   of the cell, there half of the time as it blinks) masked out. Unknown cells read '?'.

import { VGA_FONT_8X14, VGA_FONT_8X16, VGA_FONT_8X8 } from './vgaFont';
import { CP437 } from './cp437';

/** Decodes a binary PPM (P6, maxval 255), as QMP `screendump` writes by default. */
export function parsePpm(data: Uint8Array): { width: number; height: number; rgb: Uint8Array } {
  let pos = 0;
  const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
  const token = (): string => {
    for (;;) {
      while (pos < data.length && isSpace(data[pos])) pos++;
      if (data[pos] !== 0x23) break; // '#': a comment up to the end of the line
      while (pos < data.length && data[pos] !== 0x0a && data[pos] !== 0x0d) pos++;
    }
    const start = pos;
    while (pos < data.length && !isSpace(data[pos]) && data[pos] !== 0x23) pos++;
    return String.fromCharCode(...data.subarray(start, pos));
  };
  const magic = token();
  if (magic !== 'P6') throw new Error(`not a binary PPM (P6): starts with ${JSON.stringify(magic.slice(0, 8))}`);
  const number = (what: string): number => {
    const t = token();
    if (!/^[0-9]{1,9}$/.test(t)) throw new Error(`bad PPM ${what}: ${JSON.stringify(t.slice(0, 12))}`);
    return Number(t);
  };
  const width = number('width');
  const height = number('height');
  const maxval = number('maxval');
  if (width === 0 || height === 0) throw new Error(`empty PPM picture (${width}x${height})`);
  if (maxval !== 255) throw new Error(`unsupported PPM maxval ${maxval} (only 255)`);
  if (pos >= data.length || !isSpace(data[pos])) throw new Error('truncated PPM header');
  pos++; // exactly one whitespace byte before the pixels
  const size = width * height * 3;
  if (data.length - pos < size) throw new Error(`truncated PPM: ${data.length - pos} of ${size} pixel bytes`);
  return { width, height, rgb: data.subarray(pos, pos + size) };
}

const BLANK = 0x20;
const isPrintableAscii = (code: number) => code > 0x20 && code < 0x7f;

interface Font {
  height: number;
  glyphs: Uint8Array;
  /** Row hash → the codes with that bitmap (a blank bitmap is only 0x20). */
  byHash: Map<number, number[]>;
}

function hashRows(rows: Uint8Array, offset: number, height: number): number {
  let h = 0x811c9dc5;
  for (let y = 0; y < height; y++) h = Math.imul(h ^ rows[offset + y], 0x01000193);
  return h;
}

const fonts = new Map<number, Font>();

function font(height: number): Font {
  let f = fonts.get(height);
  if (f) return f;
  const glyphs = height === 16 ? VGA_FONT_8X16 : height === 14 ? VGA_FONT_8X14 : VGA_FONT_8X8;
  const byHash = new Map<number, number[]>();
  const seen = new Map<string, number>();
  for (let code = 0; code < 256; code++) {
    const key = Buffer.from(glyphs.subarray(code * height, (code + 1) * height)).toString('hex');
    const other = seen.get(key);
    // When glyphs coincide (the blanks 0x00, 0x20 and 0xFF) keep the printable ASCII one.
    if (other !== undefined && !(isPrintableAscii(code) || code === BLANK)) continue;
    seen.set(key, code);
    const h = hashRows(glyphs, code * height, height);
    const list = (byHash.get(h) ?? []).filter((c) => c !== other);
    list.push(code);
    byHash.set(h, list);
  }
  f = { height, glyphs, byHash };
  fonts.set(height, f);
  return f;
}

function lookup(f: Font, rows: Uint8Array): number {
  const list = f.byHash.get(hashRows(rows, 0, f.height));
  if (!list) return -1;
  for (const code of list) {
    const base = code * f.height;
    let y = 0;
    while (y < f.height && f.glyphs[base + y] === rows[y]) y++;
    if (y === f.height) return code;
  }
  return -1;
}

/**
 * The cell with the cursor: its lowest run of full rows is taken for the cursor and left out
 * of the comparison. A blank glyph wins (the cursor on a space looks like '_' with it), then a
 * single printable ASCII match; several printable matches (e.g. 'g' and 'q', which differ
 * only under the cursor) read '?'.
 */
function lookupUnderCursor(f: Font, rows: Uint8Array): number {
  const h = f.height;
  let last = h - 1;
  while (last >= 0 && rows[last] !== 0xff) last--;
  if (last < 0) return -1;
  let first = last;
  while (first > 0 && rows[first - 1] === 0xff) first--;
  if (first < h >> 1) return -1; // a cursor sits in the lower half of the cell
  let ascii = -1;
  let asciiCount = 0;
  let other = -1;
  let otherCount = 0;
  for (let code = 0; code < 256; code++) {
    const base = code * h;
    let y = 0;
    for (; y < h; y++) {
      if (y >= first && y <= last) continue;
      if (f.glyphs[base + y] !== rows[y]) break;
    }
    if (y < h) continue;
    if (code === BLANK || code === 0 || code === 0xff) return BLANK;
    if (isPrintableAscii(code)) {
      ascii = code;
      asciiCount++;
    } else {
      other = code;
      otherCount++;
    }
  }
  if (asciiCount === 1) return ascii;
  if (asciiCount === 0 && otherCount === 1) return other;
  return -1;
}

interface Layout {
  cellWidth: 8 | 9 | 16;
  cellHeight: 8 | 14 | 16;
  cols: number;
  rows: number;
}

/** The text-mode layouts a picture of this size may show, the likeliest first. */
function layouts(width: number, height: number): Layout[] {
  const out: Layout[] = [];
  if (height > 480 || width > 132 * 9) return out;
  const widths: Array<8 | 9 | 16> = [9, 8, 16];
  const heights: Array<8 | 14 | 16> = [16, 14, 8];
  for (const cellHeight of heights) {
    if (height % cellHeight !== 0) continue;
    const rows = height / cellHeight;
    if (rows < 12 || rows > 60) continue;
    for (const cellWidth of widths) {
      if (width % cellWidth !== 0) continue;
      const cols = width / cellWidth;
      if (cols < 40 || cols > 132 || (cellWidth === 16 && cols !== 40)) continue;
      out.push({ cellWidth, cellHeight, cols, rows });
    }
  }
  return out;
}

interface Reading {
  lines: string[];
  unknown: number;
}

/**
 * Reads the screen as `layout`; null when a cell has more than two colours, or when more
 * than `maxUnknown` cells are unknown (a better reading is at hand).
 */
function read(pixels: Uint8Array, width: number, bpp: number, layout: Layout, maxUnknown: number): Reading | null {
  const { cellWidth, cellHeight: ch, cols, rows } = layout;
  const cells = cols * rows;
  const step = (cellWidth === 16 ? 2 : 1) * bpp; // the doubled 40-column modes: every other pixel
  const bits = new Uint8Array(cells * ch); // per cell and row: the pixels that differ from the first
  const colour0 = new Int32Array(cells);
  const colour1 = new Int32Array(cells); // -1 for a cell of one colour
  const count1 = new Int32Array(cells);
  const stride = width * bpp;
  const majority = new Map<number, number>();

  for (let r = 0, cell = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++, cell++) {
      let p = r * ch * stride + c * cellWidth * bpp;
      const c0 = (pixels[p] << 16) | (pixels[p + 1] << 8) | pixels[p + 2];
      let c1 = -1;
      let n1 = 0;
      for (let y = 0; y < ch; y++, p += stride) {
        let b = 0;
        for (let x = 0, q = p; x < 8; x++, q += step) {
          const col = (pixels[q] << 16) | (pixels[q + 1] << 8) | pixels[q + 2];
          if (col === c0) continue;
          if (c1 !== col) {
            if (c1 !== -1) return null;
            c1 = col;
          }
          b |= 0x80 >> x;
          n1++;
        }
        if (cellWidth === 9) {
          const q = p + 8 * bpp;
          const col = (pixels[q] << 16) | (pixels[q + 1] << 8) | pixels[q + 2];
          if (col !== c0) {
            if (c1 === -1) c1 = col;
            else if (col !== c1) return null;
          }
        }
        bits[cell * ch + y] = b;
      }
      colour0[cell] = c0;
      colour1[cell] = c1;
      count1[cell] = n1;
      const major = n1 > ch * 4 ? c1 : c0;
      majority.set(major, (majority.get(major) ?? 0) + 1);
    }
  }

  let background = -1;
  let most = 0;
  for (const [colour, n] of majority) {
    if (n > most) [background, most] = [colour, n];
  }

  const f = font(ch);
  const primary = new Uint8Array(ch);
  const inverse = new Uint8Array(ch);
  const lines: string[] = [];
  let unknown = 0;
  for (let r = 0, cell = 0; r < rows; r++) {
    let line = '';
    for (let c = 0; c < cols; c++, cell++) {
      const c0 = colour0[cell];
      const c1 = colour1[cell];
      if (c1 === -1) {
        line += ' ';
        continue;
      }
      const bgIsFirst = c0 === background ? true : c1 === background ? false : count1[cell] <= ch * 4;
      for (let y = 0, o = cell * ch; y < ch; y++) {
        const b = bits[o + y];
        primary[y] = bgIsFirst ? b : ~b & 0xff;
        inverse[y] = bgIsFirst ? ~b & 0xff : b;
      }
      const a = lookup(f, primary);
      let code = a;
      if (!isPrintableAscii(a)) {
        const b = lookup(f, inverse);
        if (isPrintableAscii(b) || a < 0) code = b;
      }
      if (code < 0) code = lookupUnderCursor(f, primary);
      if (code < 0) code = lookupUnderCursor(f, inverse);
      if (code < 0) {
        if (++unknown > maxUnknown) return null;
        line += '?';
      } else {
        line += code === 0 || code === 0xff ? ' ' : CP437[code];
      }
    }
    lines.push(line.replace(/ +$/, ''));
  }
  return { lines, unknown };
}

/**
 * The rows of text of a VGA text-mode screen given as pixels (3 bytes per pixel, R G B, or
 * 4 with the 4th ignored; the byte order of the colours does not matter), trailing spaces
 * trimmed. Null when the picture is no text mode: a size that is no grid of 9-, 8- (or
 * doubled, 16-) pixel-wide and 16-, 14- or 8-pixel-high cells, or cells of three colours.
 */
export function textFromPixels(pixels: Uint8Array, width: number, height: number, bytesPerPixel: 3 | 4): string[] | null {
  if (pixels.length < width * height * bytesPerPixel) {
    throw new Error(`${pixels.length} bytes are too few for ${width}x${height} pixels of ${bytesPerPixel} bytes`);
  }
  let best: Reading | null = null;
  for (const layout of layouts(width, height)) {
    // Another layout only when this one leaves cells unknown, and only if it knows more.
    const reading = read(pixels, width, bytesPerPixel, layout, best ? best.unknown - 1 : Infinity);
    if (reading) best = reading;
    if (best && best.unknown === 0) break;
  }
  return best ? best.lines : null;
}

/** textFromPixels on a PPM screendump. */
export function textFromPpm(data: Uint8Array): string[] | null {
  const { width, height, rgb } = parsePpm(data);
  return textFromPixels(rgb, width, height, 3);
}
