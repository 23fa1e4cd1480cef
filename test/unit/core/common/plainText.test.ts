import { describe, expect, it } from 'vitest';
import { plainText } from '../../../../core/common/terminalQueries';

describe('a terminal log as plain text', () => {
  it("drops escape sequences of every kind, busybox's cursor query included", () => {
    expect(plainText('tiny# \x1b[6nuname\r\n\x1b[1;32mgreen\x1b[0m \x1b]0;title\x07x \x1bP+q544e\x1b\\y \x1b(Bz')).toBe('tiny# uname\ngreen x y z');
  });

  it('keeps a line as a carriage return and backspaces left it, and no other control character', () => {
    expect(plainText('progress 10%\rprogress 100%\ndone')).toBe('progress 100%\ndone');
    expect(plainText('abcdef\rXY')).toBe('XYcdef');
    expect(plainText('ab\bc\x07\x00\td')).toBe('ac\td');
    expect(plainText('a\r\nb\r\n')).toBe('a\nb\n');
  });
});
