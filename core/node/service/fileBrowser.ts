import fs from 'node:fs';
import path from 'node:path';
import type { FileListing } from '../../common/api';
import { GuesthouseError } from '../../common/errors';
import { m } from '../../common/messages';

/** Entries one listing carries at most (a folder of 100 000 files stays usable). */
export const LISTING_MAX = 2000;

/** One folder for the file picker: folders first, then files, by name; hidden entries left out. */
export function listFolder(folder: string): FileListing {
  let dirents: fs.Dirent[];
  try {
    dirents = fs.readdirSync(folder, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A name too long, a loop of links or a NUL byte: no such folder can exist either.
    if (code === 'ENOENT' || code === 'ENAMETOOLONG' || code === 'ELOOP' || code === 'ERR_INVALID_ARG_VALUE')
      throw new GuesthouseError('not-found', m('browse.missing', { path: folder }));
    if (code === 'ENOTDIR') throw new GuesthouseError('invalid-input', m('browse.notFolder', { path: folder }));
    if (code === 'EACCES' || code === 'EPERM') throw new GuesthouseError('invalid-input', m('browse.denied', { path: folder }));
    throw err;
  }
  const entries: FileListing['entries'] = [];
  for (const d of dirents) {
    if (d.name.startsWith('.')) continue;
    const full = path.join(folder, d.name);
    let st: fs.Stats;
    try {
      st = fs.statSync(full); // links count as what they point to
    } catch {
      continue; // gone meanwhile, or a broken link
    }
    if (st.isDirectory()) entries.push({ name: d.name, path: full, kind: 'folder', sizeBytes: 0 });
    else if (st.isFile()) entries.push({ name: d.name, path: full, kind: 'file', sizeBytes: st.size });
  }
  entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'folder' ? -1 : 1));
  const parent = path.dirname(folder);
  return { folder, parent: parent === folder ? null : parent, entries: entries.slice(0, LISTING_MAX), truncated: entries.length > LISTING_MAX };
}
