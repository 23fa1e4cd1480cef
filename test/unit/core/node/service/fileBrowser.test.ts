import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LISTING_MAX, listFolder } from '../../../../../core/node/service/fileBrowser';

describe('the file picker listing (browseFiles)', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-browse-'));
  fs.mkdirSync(path.join(root, 'isos'));
  fs.mkdirSync(path.join(root, 'Kernels'));
  fs.writeFileSync(path.join(root, 'b.iso'), Buffer.alloc(2048));
  fs.writeFileSync(path.join(root, 'a.qcow2'), '');
  fs.writeFileSync(path.join(root, '.hidden'), '');
  fs.symlinkSync(path.join(root, 'isos'), path.join(root, 'link-to-isos'));
  fs.symlinkSync(path.join(root, 'nowhere'), path.join(root, 'broken-link'));

  it('lists folders first, then files, by name; hidden entries and broken links left out', () => {
    const l = listFolder(root);
    expect(l.folder).toBe(root);
    expect(l.parent).toBe(path.dirname(root));
    expect(l.truncated).toBe(false);
    expect(l.entries.map((e) => [e.name, e.kind, e.sizeBytes])).toEqual([
      ['isos', 'folder', 0],
      ['Kernels', 'folder', 0],
      ['link-to-isos', 'folder', 0],
      ['a.qcow2', 'file', 0],
      ['b.iso', 'file', 2048],
    ]);
    expect(l.entries[0]!.path).toBe(path.join(root, 'isos'));
    expect(listFolder('/').parent).toBeNull();
  });

  it('says what is wrong with a folder it cannot list', () => {
    expect(() => listFolder(path.join(root, 'nope'))).toThrow(`There is no folder ${path.join(root, 'nope')}.`);
    expect(() => listFolder(path.join(root, 'b.iso'))).toThrow(`${path.join(root, 'b.iso')} is not a folder.`);
  });

  it('carries at most LISTING_MAX entries and says so', () => {
    const big = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-big-'));
    for (let i = 0; i <= LISTING_MAX; i++) fs.writeFileSync(path.join(big, `f${String(i).padStart(5, '0')}`), '');
    const l = listFolder(big);
    expect(l.entries).toHaveLength(LISTING_MAX);
    expect(l.truncated).toBe(true);
  });
});
