import { GuesthouseError } from './errors';
import { m } from './messages';

/** Parses sizes like 512M, 8G, 1.5T, or plain bytes. */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(i?B)?\s*$/i.exec(text);
  if (!match) throw new GuesthouseError('invalid-input', m('size.bad', { text }).about('disk'));
  const unit = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[match[2]!.toUpperCase() as '' | 'K' | 'M' | 'G' | 'T'];
  const bytes = Math.round(Number(match[1]) * unit);
  if (bytes < 2 ** 20) throw new GuesthouseError('invalid-input', m('size.min', { text }).about('disk'));
  return bytes;
}
