import { GuesthouseError } from './errors';

/** Parses sizes like 512M, 8G, 1.5T, or plain bytes. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(i?B)?\s*$/i.exec(text);
  if (!m) throw new GuesthouseError('invalid-input', `"${text}" is not a size; write it like 512M or 8G.`);
  const unit = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G' | 'T'];
  const bytes = Math.round(Number(m[1]) * unit);
  if (bytes < 2 ** 20) throw new GuesthouseError('invalid-input', `A disk must be at least 1M (got ${text}).`);
  return bytes;
}
