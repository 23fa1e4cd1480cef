import fs from 'node:fs';
import path from 'node:path';

/** The types of the built renderer's files, as both the web host and the Electron window serve them. */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export type StaticFile = { file: string; type: string } | { error: 'badEscape' | 'notFound' };

/**
 * The file under `root` that an address's path names (`/` is index.html) and its type;
 * `badEscape` where the path has a malformed %-escape (`/%E0%A4%A`, `/%`), `notFound` where
 * it leaves `root` or names no file.
 */
export function staticFile(root: string, pathname: string): StaticFile {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { error: 'badEscape' };
  }
  const base = path.resolve(root);
  const file = path.resolve(base, decoded.replace(/^\/+/, '') || 'index.html');
  if (!file.startsWith(base + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return { error: 'notFound' };
  return { file, type: TYPES[path.extname(file)] ?? 'application/octet-stream' };
}
