/**
 * Key presses for a guest's keyboard, in QEMU's qcode names (QMP `send-key`), with the X
 * keysym of each for engines that speak RFB's keys (v86). US layout: text is typed as the
 * keys a US keyboard needs for it, with Shift where it takes one.
 */

/** qcode → X keysym, for every key a chord or typed text may use. */
export const qcodeKeysyms: Readonly<Record<string, number>> = {
  ...Object.fromEntries([...'abcdefghijklmnopqrstuvwxyz0123456789'].map((c) => [c, c.charCodeAt(0)])),
  ...Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i + 1}`, 0xffbe + i])),
  spc: 0x20,
  ret: 0xff0d,
  tab: 0xff09,
  backspace: 0xff08,
  esc: 0xff1b,
  delete: 0xffff,
  insert: 0xff63,
  home: 0xff50,
  end: 0xff57,
  pgup: 0xff55,
  pgdn: 0xff56,
  up: 0xff52,
  down: 0xff54,
  left: 0xff51,
  right: 0xff53,
  shift: 0xffe1,
  shift_r: 0xffe2,
  ctrl: 0xffe3,
  ctrl_r: 0xffe4,
  alt: 0xffe9,
  alt_r: 0xffea,
  meta_l: 0xffeb,
  meta_r: 0xffec,
  menu: 0xff67,
  minus: 0x2d,
  equal: 0x3d,
  bracket_left: 0x5b,
  bracket_right: 0x5d,
  backslash: 0x5c,
  semicolon: 0x3b,
  apostrophe: 0x27,
  grave_accent: 0x60,
  comma: 0x2c,
  dot: 0x2e,
  slash: 0x2f,
};

/** What people call keys, and the qcode each means. */
const aliases: Readonly<Record<string, string>> = {
  control: 'ctrl',
  del: 'delete',
  enter: 'ret',
  return: 'ret',
  escape: 'esc',
  space: 'spc',
  win: 'meta_l',
  super: 'meta_l',
  pageup: 'pgup',
  pagedown: 'pgdn',
  ins: 'insert',
  bksp: 'backspace',
};

const plain: Readonly<Record<string, string>> = {
  ' ': 'spc',
  '\n': 'ret',
  '\r': 'ret',
  '\t': 'tab',
  '\b': 'backspace',
  '\x1b': 'esc',
  '-': 'minus',
  '=': 'equal',
  '[': 'bracket_left',
  ']': 'bracket_right',
  '\\': 'backslash',
  ';': 'semicolon',
  "'": 'apostrophe',
  '`': 'grave_accent',
  ',': 'comma',
  '.': 'dot',
  '/': 'slash',
};
const shifted: Readonly<Record<string, string>> = {
  '!': '1',
  '@': '2',
  '#': '3',
  $: '4',
  '%': '5',
  '^': '6',
  '&': '7',
  '*': '8',
  '(': '9',
  ')': '0',
  _: 'minus',
  '+': 'equal',
  '{': 'bracket_left',
  '}': 'bracket_right',
  '|': 'backslash',
  ':': 'semicolon',
  '"': 'apostrophe',
  '~': 'grave_accent',
  '<': 'comma',
  '>': 'dot',
  '?': 'slash',
};

/** "ctrl-alt-delete", "Ctrl+Alt+Del", "ret" → qcodes, or null when a key is unknown. */
export function parseChord(chord: string): string[] | null {
  const keys = chord
    .trim()
    .toLowerCase()
    .split(/[-+](?=.)/)
    .map((k) => aliases[k] ?? k);
  return keys.length > 0 && keys.every((k) => k in qcodeKeysyms) ? keys : null;
}

/** The chords that type `text` on a US keyboard, or the first character that has none. */
export function chordsForText(text: string): { chords: string[][] } | { untypable: string } {
  const chords: string[][] = [];
  for (const c of text) {
    if (/^[a-z0-9]$/.test(c)) chords.push([c]);
    else if (/^[A-Z]$/.test(c)) chords.push(['shift', c.toLowerCase()]);
    else if (plain[c]) chords.push([plain[c]]);
    else if (shifted[c]) chords.push(['shift', shifted[c]]);
    else return { untypable: c };
  }
  return { chords };
}
