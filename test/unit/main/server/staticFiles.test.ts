// The built renderer's files as the web host and the Electron window both serve them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { staticFile } from '../../../../main/server/staticFiles';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-static-'));
fs.mkdirSync(path.join(root, 'assets'));
fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
fs.writeFileSync(path.join(root, 'assets', 'app 1.js'), '');
fs.writeFileSync(path.join(root, 'assets', 'font.woff2'), '');
fs.writeFileSync(path.join(root, 'assets', 'data.bin'), '');
fs.writeFileSync(path.join(os.tmpdir(), 'gh-static-outside.txt'), 'secret');

describe('staticFile', () => {
  it('serves index.html for / and each file with its type', () => {
    expect(staticFile(root, '/')).toEqual({ file: path.join(root, 'index.html'), type: 'text/html; charset=utf-8' });
    expect(staticFile(root, '/assets/app%201.js')).toEqual({ file: path.join(root, 'assets', 'app 1.js'), type: 'text/javascript; charset=utf-8' });
    expect(staticFile(root, '/assets/font.woff2')).toMatchObject({ type: 'font/woff2' });
    expect(staticFile(root, '/assets/data.bin')).toMatchObject({ type: 'application/octet-stream' });
  });

  it('refuses a malformed escape, a way out of the folder, a folder and a missing file', () => {
    expect(staticFile(root, '/%E0%A4%A')).toEqual({ error: 'badEscape' });
    expect(staticFile(root, '/%')).toEqual({ error: 'badEscape' });
    expect(staticFile(root, '/../gh-static-outside.txt')).toEqual({ error: 'notFound' });
    expect(staticFile(root, '/%2e%2e/gh-static-outside.txt')).toEqual({ error: 'notFound' });
    expect(staticFile(root, '/assets')).toEqual({ error: 'notFound' });
    expect(staticFile(root, '/nothing.js')).toEqual({ error: 'notFound' });
  });
});
