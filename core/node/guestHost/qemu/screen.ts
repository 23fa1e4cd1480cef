// QEMU's screen for the guest host: viewers bridged to QEMU's own VNC socket, and captures
// (QMP screendump) as PNG, as the text of a text mode, and as a fingerprint of what it shows.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { GuesthouseError } from '../../../common/errors';
import { m } from '../../../common/messages';
import { parsePpm, textFromPixels } from '../display/screenText';
import type { QmpClient } from './qmp';

/** A viewer of the screen: `stream` bridged to QEMU's VNC socket, which only this guest host uses. */
export function bridgeDisplay(stream: Duplex, vncSocket: string): void {
  const upstream = net.connect(vncSocket);
  upstream.setNoDelay?.(true);
  const end = () => {
    upstream.destroy();
    stream.destroy();
  };
  upstream.on('error', end).on('close', end);
  stream.on('error', end).on('close', end);
  stream.pipe(upstream);
  upstream.pipe(stream);
}

/** QMP screendump into `file` (private, in the runtime folder), read back and removed. */
export async function screendump(qmp: QmpClient, file: string, format: 'png' | 'ppm'): Promise<Buffer> {
  try {
    await qmp.execute('screendump', { filename: file, ...(format === 'png' ? { format } : {}) });
    return await fs.promises.readFile(file);
  } catch (err) {
    if (err instanceof GuesthouseError) throw err;
    throw new GuesthouseError('engine-failed', m('display.failed', { detail: (err as Error).message }));
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** The rows of a text mode's screen in a PPM screendump, null in graphics mode (read from the picture, not from 0xB8000: Linux's vgacon scrolls the text window through video memory). */
export function screenRows(ppm: Buffer): string[] | null {
  const { width, height, rgb } = parsePpm(ppm);
  return textFromPixels(rgb, width, height, 3);
}

/**
 * What a PPM screendump shows, hashed: in a text mode its text (so the blinking cursor, which
 * can also read as '_', is no change), else its pixels.
 */
export function screenFingerprint(ppm: Buffer): string {
  const { width, height, rgb } = parsePpm(ppm);
  const rows = textFromPixels(rgb, width, height, 3);
  const what = rows ? rows.map((r) => r.replace(/_/g, ' ').trimEnd()).join('\n') : rgb;
  return crypto.createHash('sha1').update(what).digest('hex');
}
