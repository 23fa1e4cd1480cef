import { describe, expect, it } from 'vitest';
import { stripTerminalQueries } from '../../../../core/common/terminalQueries';

const strip = (s: string) => Buffer.from(stripTerminalQueries(Buffer.from(s, 'latin1'))).toString('latin1');

describe('replayed console output asks the terminal nothing', () => {
  it.each([
    ['cursor position (DSR 6)', 'a\x1b[6nb'],
    ['DEC cursor position', 'a\x1b[?6nb'],
    ['device status (DSR 5)', 'a\x1b[5nb'],
    ['primary device attributes', 'a\x1b[cb'],
    ['primary device attributes, 0', 'a\x1b[0cb'],
    ['secondary device attributes', 'a\x1b[>cb'],
    ['secondary device attributes, 0', 'a\x1b[>0cb'],
    ['tertiary device attributes', 'a\x1b[=cb'],
    ['a mode (DECRQM)', 'a\x1b[?2004$pb'],
    ['the terminal version', 'a\x1b[>qb'],
    ['the text area size', 'a\x1b[18tb'],
    ['the foreground colour, BEL', 'a\x1b]10;?\x07b'],
    ['the background colour, ST', 'a\x1b]11;?\x1b\\b'],
    ['a palette colour', 'a\x1b]4;1;?\x07b'],
    ['the clipboard', 'a\x1b]52;c;?\x07b'],
    ['a setting (DECRQSS)', 'a\x1bP$qm\x1b\\b'],
  ])('%s', (_, text) => {
    expect(strip(text)).toBe('ab');
  });

  it('keeps everything else byte for byte: colours, cursor moves, titles, UTF-8, binary', () => {
    const keep = 'x\x1b[1;31mred\x1b[0m\x1b[10;7H\x1b[2J\x1b]0;title\x07\x1b[?25l\x1b[3g \xc3\xa9 \xed\x95\x9c \xff\x00';
    expect(strip(keep)).toBe(keep);
    const utf8 = Buffer.from('쿼리 없음 ✓');
    expect(stripTerminalQueries(utf8)).toBe(utf8); // untouched input is returned as is
  });

  it('removes every query in a long backlog and leaves the text between them', () => {
    const backlog = Array.from({ length: 1000 }, (_, i) => `line ${i}\x1b[6n\r\n`).join('');
    const out = strip(backlog);
    expect(out).not.toContain('\x1b[6n');
    expect(out).toBe(Array.from({ length: 1000 }, (_, i) => `line ${i}\r\n`).join(''));
  });
});
