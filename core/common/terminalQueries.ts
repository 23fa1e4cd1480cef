/**
 * Replayed console output must never produce input. A terminal answers some escape
 * sequences by typing a reply (cursor position, device attributes, colours…); when a
 * backlog is replayed, the program that asked is long gone and the reply would land in
 * the guest's shell as `^[[10;7R`. These are the queries, stripped before a replay.
 */
const QUERIES = new RegExp(
  [
    // DSR (ESC[5n, ESC[6n, ESC[?6n, ESC[?15n…) and DA (ESC[c, ESC[0c, ESC[>c, ESC[=c).
    '\\x1b\\[[?>=]?[0-9;]*[nc]',
    // DECRQM (ESC[?25$p), XTVERSION (ESC[>q), the kitty keyboard query (ESC[?u).
    '\\x1b\\[\\??[0-9;]*\\$p',
    '\\x1b\\[>[0-9]*q',
    '\\x1b\\[\\?u',
    // Window reports (ESC[14t, ESC[18t…): xterm's report operations are 11, 13-16, 18-21.
    '\\x1b\\[(?:11|1[3-689]|2[01])(?:;[0-9]*)*t',
    // OSC queries (ESC]10;?, ESC]11;?, ESC]4;1;?, ESC]52;c;?), ended by BEL or ST.
    '\\x1b\\][0-9]+;(?:[^\\x07\\x1b]*;)?\\?(?:\\x07|\\x1b\\\\)',
    // DCS requests (DECRQSS ESC P $ q … ST, XTGETTCAP ESC P + q … ST).
    '\\x1bP[$+]q[^\\x1b\\x07]*(?:\\x1b\\\\|\\x07)',
  ].join('|'),
  'g',
);

/** `data` without the terminal queries in it; every other byte stays as it was. */
export function stripTerminalQueries(data: Uint8Array): Uint8Array {
  // Latin-1 maps each byte to one code unit and back, so UTF-8 and binary pass untouched.
  let text = '';
  for (let i = 0; i < data.length; i += 0x8000) text += String.fromCharCode(...data.subarray(i, i + 0x8000));
  QUERIES.lastIndex = 0;
  if (!QUERIES.test(text)) return data;
  const kept = text.replace(QUERIES, '');
  const out = new Uint8Array(kept.length);
  for (let i = 0; i < kept.length; i++) out[i] = kept.charCodeAt(i);
  return out;
}

/** Escape sequences of every kind: CSI (ESC[…), OSC and DCS/SOS/PM/APC strings (ended by BEL or ST), and two-byte ESC sequences. */
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -/]*[0-~]/g;

/**
 * A terminal log as plain text, for reading and searching (the Log tab): escape sequences out,
 * a line a carriage return rewrote kept as it ended up, backspaces applied, and the control
 * characters that are left out too (tabs and line ends stay).
 */
export function plainText(log: string): string {
  return log
    .replace(ESCAPES, '')
    .split('\n')
    .map((line) => {
      // A carriage return starts the line over: what shows is the last write (a trailing \r of CRLF changes nothing).
      const parts = line.replace(/\r+$/, '').split('\r');
      let shown = '';
      for (const part of parts) shown = part + shown.slice(part.length);
      let out = '';
      for (const ch of shown) out = ch === '\b' ? out.slice(0, -1) : out + ch;
      return out.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
    })
    .join('\n');
}
