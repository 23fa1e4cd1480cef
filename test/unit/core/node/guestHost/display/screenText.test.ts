// Reading the text of a VGA text-mode screen from its picture: screens rendered here with
// the VGA BIOS fonts, the way QEMU draws text mode (9th column blank except for the line
// graphics 0xC0-0xDF, the cursor as full rows of the foreground colour).
import { describe, expect, it } from 'vitest';
import { parsePpm, textFromPixels, textFromPpm } from '../../../../../../core/node/guestHost/display/screenText';
import { VGA_FONT_8X14, VGA_FONT_8X16, VGA_FONT_8X8 } from '../../../../../../core/node/guestHost/display/vgaFont';

type Rgb = [number, number, number];
const BLACK: Rgb = [0, 0, 0];
const GREY: Rgb = [0xaa, 0xaa, 0xaa];
const WHITE: Rgb = [0xff, 0xff, 0xff];
const BLUE: Rgb = [0, 0, 0xaa];
const YELLOW: Rgb = [0xff, 0xff, 0x55];
const RED: Rgb = [0xaa, 0, 0];
const GREEN: Rgb = [0x55, 0xff, 0x55];

interface Screen {
  width: number;
  height: number;
  cellWidth: 8 | 9 | 16;
  cellHeight: 8 | 14 | 16;
  bpp: 3 | 4;
  pixels: Uint8Array;
}

function screen(cols: number, rows: number, cellWidth: 8 | 9 | 16 = 9, cellHeight: 8 | 14 | 16 = 16, bpp: 3 | 4 = 3, bg: Rgb = BLACK): Screen {
  const width = cols * cellWidth;
  const height = rows * cellHeight;
  const pixels = new Uint8Array(width * height * bpp);
  for (let i = 0; i < width * height; i++) pixels.set(bg, i * bpp);
  return { width, height, cellWidth, cellHeight, bpp, pixels };
}

function fontFor(cellHeight: number): Uint8Array {
  return cellHeight === 16 ? VGA_FONT_8X16 : cellHeight === 14 ? VGA_FONT_8X14 : VGA_FONT_8X8;
}

/** Draws character `code` into cell (col, row), as QEMU's vga_draw_glyph8/9/16 would. */
function drawCell(s: Screen, col: number, row: number, code: number, fg: Rgb, bg: Rgb): void {
  const font = fontFor(s.cellHeight);
  for (let y = 0; y < s.cellHeight; y++) {
    const bits = font[code * s.cellHeight + y];
    for (let x = 0; x < s.cellWidth; x++) {
      let on: boolean;
      if (s.cellWidth === 16) on = (bits & (0x80 >> (x >> 1))) !== 0;
      else if (x < 8) on = (bits & (0x80 >> x)) !== 0;
      else on = code >= 0xc0 && code <= 0xdf && (bits & 1) !== 0; // the 9th column
      const i = ((row * s.cellHeight + y) * s.width + col * s.cellWidth + x) * s.bpp;
      s.pixels.set(on ? fg : bg, i);
      if (s.bpp === 4) s.pixels[i + 3] = 0xff;
    }
  }
}

function drawText(s: Screen, col: number, row: number, text: string | number[], fg: Rgb = GREY, bg: Rgb = BLACK): void {
  const codes = typeof text === 'string' ? [...text].map((ch) => ch.charCodeAt(0)) : text;
  codes.forEach((code, i) => drawCell(s, col + i, row, code, fg, bg));
}

/** The cursor: rows `first`..`last` of the cell in the foreground colour, all cell columns. */
function drawCursor(s: Screen, col: number, row: number, fg: Rgb, first = 13, last = 14): void {
  for (let y = first; y <= last; y++) {
    for (let x = 0; x < s.cellWidth; x++) s.pixels.set(fg, ((row * s.cellHeight + y) * s.width + col * s.cellWidth + x) * s.bpp);
  }
}

function read(s: Screen): string[] | null {
  return textFromPixels(s.pixels, s.width, s.height, s.bpp);
}

describe('textFromPixels', () => {
  it('reads an 80x25 screen in several colours, with the cursor on a blank', () => {
    const s = screen(80, 25);
    drawText(s, 0, 0, 'SeaBIOS (version 1.16.2-debian-1.16.2-1)');
    drawText(s, 0, 2, 'GUESTHOUSE-READY', WHITE);
    drawText(s, 0, 3, 'tiny# echo $((6*7)) | grep -q \'x\' && printf "%s\\n" {a,b} ~/`pwd`;', GREEN);
    drawText(s, 0, 4, '42');
    drawText(s, 0, 24, ' File  Edit  View  gjpqy                                                       ', YELLOW, BLUE);
    drawText(s, 10, 10, 'reverse video', BLACK, GREY);
    drawText(s, 40, 10, 'red on grey', RED, GREY);
    drawText(s, 70, 20, 'ABCxyz0189', WHITE, RED);
    drawText(s, 0, 5, 'tiny# ');
    drawCursor(s, 6, 5, GREY);
    const lines = read(s);
    expect(lines).not.toBeNull();
    expect(lines).toHaveLength(25);
    expect(lines![0]).toBe('SeaBIOS (version 1.16.2-debian-1.16.2-1)');
    expect(lines![1]).toBe('');
    expect(lines![2]).toBe('GUESTHOUSE-READY');
    expect(lines![3]).toBe('tiny# echo $((6*7)) | grep -q \'x\' && printf "%s\\n" {a,b} ~/`pwd`;');
    expect(lines![4]).toBe('42');
    expect(lines![5]).toBe('tiny#');
    expect(lines![10]).toBe(' '.repeat(10) + 'reverse video'.padEnd(30) + 'red on grey');
    expect(lines![20]).toBe(' '.repeat(70) + 'ABCxyz0189');
    expect(lines![24]).toBe(' File  Edit  View  gjpqy');
  });

  it('reads a character under the cursor, in either cursor shape, and says ? when the cursor hides the difference', () => {
    const s = screen(80, 25);
    drawText(s, 0, 0, 'tiny# cat Makefile');
    drawCursor(s, 6, 0, GREY); // on the 'c', vgacon's underline (rows 13-14)
    drawText(s, 0, 1, 'ABC', WHITE, BLUE);
    drawCursor(s, 1, 1, WHITE, 14, 15); // on the 'B', the BIOS's underline
    drawText(s, 0, 2, 'g');
    drawCursor(s, 0, 2, GREY); // 'g' and 'q' differ only in rows 13-14
    expect(read(s)!.slice(0, 3)).toEqual(['tiny# cat Makefile', 'ABC', '?']);
  });

  it('reads every glyph of code page 437 as Unicode, blanks as spaces', () => {
    const s = screen(80, 25);
    for (let code = 0; code < 256; code++) drawCell(s, code % 64, Math.floor(code / 64), code, GREY, BLACK);
    const lines = read(s)!;
    const expected =
      ' ☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼ !"#$%&\'()*+,-./0123456789:;<=>?' +
      '@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~⌂' +
      'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐' +
      // 0xDB (the full block) is a cell of one colour: it reads as a space
      '└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌ ▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■';
    expect(lines.slice(0, 4)).toEqual([0, 64, 128, 192].map((i) => expected.slice(i, i + 64).replace(/ +$/, '')));
    // The same in reverse video on the same background.
    const r = screen(80, 25);
    drawText(r, 0, 20, 'plain text keeps the black background');
    for (let code = 0x21; code < 0x7f; code++) drawCell(r, (code - 0x21) % 80, Math.floor((code - 0x21) / 80), code, BLACK, GREY);
    const rl = read(r)!;
    expect([rl[0], rl[1]]).toEqual([expected.slice(0x21, 0x21 + 80), expected.slice(0x21 + 80, 0x7f)]);
    expect(rl[20]).toBe('plain text keeps the black background');
  });

  it("reads 640x400 (8-pixel cells), 720x350 (8x14 font), 720x400 with 50 rows (8x8) and QEMU's doubled 40 columns", () => {
    const a = screen(80, 25, 8, 16);
    drawText(a, 79 - 12, 24, 'bottom right');
    expect(a.width).toBe(640);
    expect(read(a)![24]).toBe(' '.repeat(67) + 'bottom right');

    const b = screen(80, 25, 9, 14);
    drawText(b, 0, 0, 'EGA 350 lines: Hello, World!', WHITE, BLUE);
    drawText(b, 0, 1, 'C:\\>dir /w', GREY);
    drawCursor(b, 10, 1, GREY, 11, 12);
    expect(b.height).toBe(350);
    expect(read(b)!.slice(0, 2)).toEqual(['EGA 350 lines: Hello, World!', 'C:\\>dir /w']);

    const c = screen(80, 50, 9, 8);
    drawText(c, 0, 49, 'fifty rows');
    drawText(c, 3, 1, 'of 8x8 cells');
    expect([c.width, c.height]).toEqual([720, 400]);
    const cl = read(c)!;
    expect(cl).toHaveLength(50);
    expect([cl[1], cl[49]]).toEqual(['   of 8x8 cells', 'fifty rows']);

    const d = screen(40, 25, 16, 16);
    drawText(d, 0, 12, 'forty columns', YELLOW, BLUE);
    expect([d.width, d.height]).toEqual([640, 400]);
    expect(read(d)![12]).toBe('forty columns');
  });

  it('takes 4 bytes per pixel', () => {
    const s = screen(80, 25, 9, 16, 4);
    drawText(s, 5, 5, 'four bytes a pixel');
    expect(read(s)![5]).toBe('     four bytes a pixel');
  });

  it('says null for sizes that are no text mode, and for pictures with more than two colours in a cell', () => {
    expect(textFromPixels(new Uint8Array(800 * 600 * 3), 800, 600, 3)).toBeNull();
    expect(textFromPixels(new Uint8Array(1024 * 768 * 4), 1024, 768, 4)).toBeNull();
    expect(textFromPixels(new Uint8Array(721 * 400 * 3), 721, 400, 3)).toBeNull();
    expect(textFromPixels(new Uint8Array(720 * 401 * 3), 720, 401, 3)).toBeNull();
    // 640x480 could be 80x30 text, but this one is a gradient.
    const g = new Uint8Array(640 * 480 * 3);
    for (let i = 0; i < 640 * 480; i++) g.set([i % 256, (i >> 8) % 256, 0x40], i * 3);
    expect(textFromPixels(g, 640, 480, 3)).toBeNull();
    // ...and this one is text.
    const t = screen(80, 30, 8, 16);
    drawText(t, 0, 29, 'thirty rows');
    expect(read(t)![29]).toBe('thirty rows');
    expect(() => textFromPixels(new Uint8Array(10), 720, 400, 3)).toThrow();
  });

  it('marks cells it cannot read with ?', () => {
    const s = screen(80, 25);
    drawText(s, 0, 0, 'ok ');
    // A glyph of no font: a diagonal line.
    for (let y = 0; y < 16; y++) s.pixels.set(WHITE, (y * 720 + 3 * 9 + (y >> 1)) * 3);
    expect(read(s)![0]).toBe('ok ?');
  });

  it('reads a full 720x400 screen well within 10 ms', () => {
    const s = screen(80, 25);
    const text = 'The quick brown fox jumps over the lazy dog. 0123456789 [{(<>)}] ~!@#$%^&*_+=|';
    for (let row = 0; row < 25; row++) drawText(s, 0, row, text.slice(row % 7) + text.slice(0, row % 7), row % 3 ? GREY : YELLOW, row % 5 ? BLACK : BLUE);
    drawCursor(s, 10, 24, YELLOW); // row 24 is yellow
    for (let i = 0; i < 5; i++) read(s); // warm up
    const runs = 40;
    const start = performance.now();
    let lines: string[] | null = null;
    for (let i = 0; i < runs; i++) lines = read(s);
    const ms = (performance.now() - start) / runs;
    expect(lines![1]).toBe(text.slice(1) + text.slice(0, 1));
    // The worst case: a cell it cannot read makes it try the other layouts of 720x400.
    for (let y = 0; y < 16; y++) s.pixels.set(YELLOW, ((24 * 16 + y) * 720 + 79 * 9 + (y >> 1)) * 3);
    for (let i = 0; i < 5; i++) read(s);
    const start2 = performance.now();
    for (let i = 0; i < runs; i++) lines = read(s);
    const worst = (performance.now() - start2) / runs;
    expect(lines![24].endsWith('?')).toBe(true);
    process.stdout.write(`textFromPixels on 720x400 (80x25, full of text): ${ms.toFixed(2)} ms; with an unknown cell: ${worst.toFixed(2)} ms\n`);
    expect(ms).toBeLessThan(10);
    expect(worst).toBeLessThan(20);
  });
});

describe('parsePpm', () => {
  const header = (h: string, bytes: number) => {
    const head = Buffer.from(h, 'latin1');
    return new Uint8Array(Buffer.concat([head, Buffer.alloc(bytes, 7)]));
  };

  it('decodes P6 with comments and any whitespace', () => {
    const p = parsePpm(header('P6\n# a comment\n2  3\t# another\n255\n', 18));
    expect([p.width, p.height, p.rgb.length, p.rgb[0]]).toEqual([2, 3, 18, 7]);
    // A pixel byte that looks like whitespace right after the header is a pixel.
    const q = parsePpm(new Uint8Array([...Buffer.from('P6 1 1 255\n'), 0x0a, 0x20, 0x09]));
    expect([...q.rgb]).toEqual([0x0a, 0x20, 0x09]);
  });

  it('refuses anything else', () => {
    expect(() => parsePpm(header('P3\n2 2\n255\n', 12))).toThrow(/P6/);
    expect(() => parsePpm(header('P6\n2 2\n65535\n', 24))).toThrow(/maxval/);
    expect(() => parsePpm(header('P6\n2 2\n255\n', 11))).toThrow(/truncated/);
    expect(() => parsePpm(header('P6\n2 x\n255\n', 12))).toThrow(/height/);
    expect(() => parsePpm(header('P6\n2 2\n255', 0))).toThrow(/truncated/);
    expect(() => parsePpm(new Uint8Array(0))).toThrow(/P6/);
  });

  it('feeds textFromPpm', () => {
    const s = screen(80, 25);
    drawText(s, 0, 0, 'from a PPM');
    const ppm = new Uint8Array(Buffer.concat([Buffer.from(`P6\n${s.width} ${s.height}\n255\n`), Buffer.from(s.pixels)]));
    expect(textFromPpm(ppm)![0]).toBe('from a PPM');
  });
});
