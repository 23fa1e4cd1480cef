// The text of a real QEMU guest's VGA text screen, read from QMP `screendump` pictures with
// textFromPixels: the tiny amd64 guest on its text console (console=tty0), typed into with
// QMP `send-key`. Linux's vgacon scrolls in hardware, so after a screenful of output the
// visible rows are no longer at 0xB8000: the picture still reads right.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePpm, textFromPixels } from '../../core/node/guestHost/display/screenText';
import { QmpClient } from '../../core/node/guestHost/qemu/qmp';
import { tinyGuest, type TestGuest } from '../support/guest';
import { realGuestsMissing, skipBecause } from '../support/require';

/** The guest's init says this once its mice are probed; typing before it races its output. */
const INPUT_READY = 'GUESTHOUSE-INPUT-READY';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Keys of a US keyboard layout as QEMU qcodes: [qcode, shifted]. */
function keyFor(ch: string): [string, boolean] {
  if (/^[a-z0-9]$/.test(ch)) return [ch, false];
  if (/^[A-Z]$/.test(ch)) return [ch.toLowerCase(), true];
  const plain: Record<string, string> = {
    ' ': 'spc',
    '\n': 'ret',
    '-': 'minus',
    '=': 'equal',
    '/': 'slash',
    '.': 'dot',
    ',': 'comma',
    ';': 'semicolon',
    "'": 'apostrophe',
  };
  const shifted: Record<string, string> = {
    $: '4',
    '(': '9',
    ')': '0',
    '*': '8',
    '!': '1',
    '@': '2',
    '#': '3',
    '%': '5',
    '^': '6',
    '&': '7',
    _: 'minus',
    '+': 'equal',
    '"': 'apostrophe',
    ':': 'semicolon',
    '|': 'backslash',
  };
  if (plain[ch]) return [plain[ch], false];
  if (shifted[ch]) return [shifted[ch], true];
  throw new Error(`no key for ${JSON.stringify(ch)}`);
}

describe("reading the text of a QEMU guest's VGA text screen from its picture", () => {
  if (skipBecause(realGuestsMissing())) return;

  let dir = '';
  let qemu: ChildProcess | null = null;
  let qmp: QmpClient | null = null;
  let stderr = '';
  let shot = 0;

  /** One screendump, read. */
  async function screen(): Promise<string[]> {
    const file = path.join(dir, `s${shot++ % 2}.ppm`);
    await qmp!.execute('screendump', { filename: file });
    const { width, height, rgb } = parsePpm(fs.readFileSync(file));
    const rows = textFromPixels(rgb, width, height, 3);
    if (!rows) throw new Error(`the screen is not in a text mode (${width}x${height})`);
    return rows;
  }

  /** Polls the screen until `check` accepts its rows; fails with the last screen after `ms`. */
  async function waitForScreen(what: string, ms: number, check: (rows: string[]) => boolean): Promise<string[]> {
    const end = Date.now() + ms;
    for (;;) {
      const rows = await screen();
      if (check(rows)) return rows;
      if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}; the screen:\n${rows.join('\n')}`);
      await sleep(200);
    }
  }

  async function type(text: string): Promise<void> {
    for (const ch of text) {
      const [key, shift] = keyFor(ch);
      const keys = [...(shift ? [{ type: 'qcode', data: 'shift' }] : []), { type: 'qcode', data: key }];
      await qmp!.execute('send-key', { keys, 'hold-time': 20 });
    }
  }

  beforeAll(async () => {
    const guest: TestGuest = await tinyGuest('amd64');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-st-'));
    const sock = path.join(dir, 'q');
    // The bzImage: booted through PVH (the vmlinux) Linux gets no screen_info and no vgacon.
    const args = [
      '-nodefaults',
      '-accel',
      'tcg',
      '-m',
      '128',
      '-device',
      'VGA',
      '-display',
      'none',
      '-kernel',
      guest.bzImage,
      '-initrd',
      guest.initrd,
      '-append',
      'console=tty0 quiet',
      '-qmp',
      `unix:${sock},server=on,wait=off`,
    ];
    const proc = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    qemu = proc;
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (s: string) => (stderr += s));
    const exited = new Promise<never>((_, reject) => {
      proc.once('error', reject);
      proc.once('exit', (code) => reject(new Error(`QEMU exited (${code}): ${stderr.trim()}`)));
    });
    exited.catch(() => undefined);
    const connect = async (): Promise<net.Socket> => {
      const end = Date.now() + 20_000;
      for (;;) {
        try {
          return await new Promise<net.Socket>((resolve, reject) => {
            const s = net.createConnection(sock, () => resolve(s));
            s.once('error', reject);
          });
        } catch (e) {
          if (Date.now() > end) throw e;
          await sleep(50);
        }
      }
    };
    qmp = new QmpClient(await Promise.race([connect(), exited]));
    await Promise.race([qmp.handshake(), exited]);
  });

  afterAll(async () => {
    if (qmp) await qmp.execute('quit').catch(() => undefined);
    qmp?.close();
    if (qemu && qemu.exitCode === null) {
      const gone = new Promise((r) => qemu!.once('exit', r));
      const timer = setTimeout(() => qemu!.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads the boot screen up to the shell', async () => {
    const rows = await waitForScreen('the ready marker and the shell', 90_000, (r) => r.includes('GUESTHOUSE-READY') && r.some((l) => l.includes(INPUT_READY)));
    expect(rows).toHaveLength(25);
    expect(rows[0]).toMatch(/^SeaBIOS \(version /);
    expect(rows.some((l) => l.startsWith('tiny# '))).toBe(true);
  });

  it('reads what typing shows', async () => {
    await type('echo $((6*7))\n');
    const rows = await waitForScreen('42', 30_000, (r) => r.includes('42'));
    const at = rows.indexOf('42');
    expect(rows[at - 1]).toMatch(/echo \$\(\(6\*7\)\)$/);
    expect(rows[at + 1]).toMatch(/^tiny#/);
  });

  it('reads the bottom rows after the screen scrolled', async () => {
    await type('seq 1 40\n');
    const rows = await waitForScreen('the end of seq 1 40 and a new prompt', 30_000, (r) => {
      const at = r.lastIndexOf('40');
      return at > 0 && /^tiny#/.test(r[at + 1] ?? '');
    });
    const at = rows.lastIndexOf('40');
    // The screen scrolled: the rows above the prompt are the last of the 40 numbers.
    expect(at).toBeGreaterThanOrEqual(22);
    expect(rows.slice(0, at + 1)).toEqual(Array.from({ length: at + 1 }, (_, i) => String(40 - at + i)));
    expect(rows.slice(at + 2).every((l) => l === '')).toBe(true);
    // ...while the 80x25 cells at 0xB8000 still hold the older rows: vgacon scrolled in
    // hardware, so this is the case that reading guest memory gets wrong.
    const vram = path.join(dir, 'vram');
    await qmp!.execute('pmemsave', { val: 0xb8000, size: 80 * 25 * 2, filename: vram });
    const cells = fs.readFileSync(vram);
    const memRows = Array.from({ length: 25 }, (_, r) =>
      Array.from({ length: 80 }, (_, c) => String.fromCharCode(cells[(r * 80 + c) * 2]))
        .join('')
        .trimEnd(),
    );
    expect(memRows).not.toContain('40');
    expect(memRows[0]).toMatch(/^SeaBIOS/);
  });
});
