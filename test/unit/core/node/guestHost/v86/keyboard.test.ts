// RFB keysyms to PC scan codes (set 1) for the v86 screen's keyboard.
import { describe, expect, it } from 'vitest';
import { scancodesFor } from '../../../../../../core/node/guestHost/v86/keyboard';

describe('scancodesFor', () => {
  it('maps a US keyboard: shifted keysyms share their key, break = make | 0x80', () => {
    expect(scancodesFor(0x61, true)).toEqual([0x1e]); // a
    expect(scancodesFor(0x41, false)).toEqual([0x9e]); // A
    expect(scancodesFor(0x24, true)).toEqual([0x05]); // $ is Shift+4
    expect(scancodesFor(0x28, true)).toEqual([0x0a]); // ( is Shift+9
    expect(scancodesFor(0x2a, true)).toEqual([0x09]); // * is Shift+8
    expect(scancodesFor(0x7c, true)).toEqual([0x2b]); // |
    expect(scancodesFor(0x2f, true)).toEqual([0x35]); // /
    expect(scancodesFor(0x20, true)).toEqual([0x39]); // space
  });

  it('prefixes extended keys with 0xE0', () => {
    expect(scancodesFor(0xff52, true)).toEqual([0xe0, 0x48]); // Up
    expect(scancodesFor(0xff52, false)).toEqual([0xe0, 0xc8]);
    expect(scancodesFor(0xffe4, true)).toEqual([0xe0, 0x1d]); // Control_R
    expect(scancodesFor(0xffeb, true)).toEqual([0xe0, 0x5b]); // Super_L
    expect(scancodesFor(0xffff, true)).toEqual([0xe0, 0x53]); // Delete
  });

  it('knows the function keys and ignores unknown keysyms', () => {
    expect(scancodesFor(0xffbe, true)).toEqual([0x3b]); // F1
    expect(scancodesFor(0xffc7, true)).toEqual([0x44]); // F10
    expect(scancodesFor(0xffc9, true)).toEqual([0x58]); // F12
    expect(scancodesFor(0xff0d, true)).toEqual([0x1c]); // Return
    expect(scancodesFor(0x20ac, true)).toEqual([]); // EuroSign
  });
});
