// What an installer ISO is (IVmService.detectMedia, `guesthouse media detect`, `create --cdrom`
// without --os, the wizard): the primary volume descriptor, the El Torito boot catalog, and a
// few well-known files found by walking only the directories that hold them. Only those
// sectors are read (a few dozen KiB of a 4 GiB image); core/common/media.ts decides.
import fs from 'node:fs/promises';
import { GuesthouseError } from '../../common/errors';
import {
  bootCatalogSector,
  bootPlatforms,
  descriptorType,
  FIRST_DESCRIPTOR_SECTOR,
  parseDirectory,
  parsePrimaryVolume,
  SECTOR,
  type DirEntry,
} from '../../common/iso9660';
import { classifyMedia, type MediaFacts, type MediaInfo } from '../../common/media';
import { m } from '../../common/messages';

/** Directories larger than this are not read (an installer's few directories are far smaller). */
const MAX_DIR_BYTES = 256 * 1024;
/** Text files that name a release are short; only their start is read. */
const MAX_TEXT_BYTES = 4096;
/** Volume descriptor sets end within a few sectors; give up after this many. */
const MAX_DESCRIPTORS = 32;

/** Reads byte ranges of one open file; a range past its end comes back short. */
class Reader {
  constructor(
    private readonly handle: fs.FileHandle,
    readonly sizeBytes: number,
  ) {}

  async read(offset: number, length: number): Promise<Uint8Array> {
    const buf = Buffer.alloc(Math.max(0, Math.min(length, this.sizeBytes - offset)));
    if (!buf.length) return buf;
    const { bytesRead } = await this.handle.read(buf, 0, buf.length, offset);
    return buf.subarray(0, bytesRead);
  }

  async dir(entry: { sector: number; sizeBytes: number }): Promise<DirEntry[]> {
    return parseDirectory(await this.read(entry.sector * SECTOR, Math.min(entry.sizeBytes, MAX_DIR_BYTES)));
  }

  async text(entry: DirEntry): Promise<string> {
    return new TextDecoder().decode(await this.read(entry.sector * SECTOR, Math.min(entry.sizeBytes, MAX_TEXT_BYTES)));
  }
}

const named = (entries: DirEntry[], name: string) => entries.find((e) => e.name.toLowerCase() === name);

/** What the medium is: the facts read from `file`, classified. A file that is not an ISO, or is cut short, gets a sentence. */
export async function detectMedia(file: string): Promise<MediaInfo> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new GuesthouseError('not-found', m('path.missing', { what: m('term.iso'), path: file }));
    throw new GuesthouseError('invalid-input', m('media.unreadable', { file, reason: (err as Error).message }));
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new GuesthouseError('invalid-input', m('path.notFile', { what: m('term.iso'), path: file }));
    return classifyMedia(file, await readFacts(new Reader(handle, stat.size), file));
  } finally {
    await handle.close();
  }
}

async function readFacts(r: Reader, file: string): Promise<MediaFacts> {
  let primary: ReturnType<typeof parsePrimaryVolume> | null = null;
  let catalog: number | null = null;
  for (let i = 0; i < MAX_DESCRIPTORS; i++) {
    const sector = await r.read((FIRST_DESCRIPTOR_SECTOR + i) * SECTOR, SECTOR);
    const type = descriptorType(sector);
    if (type === null) {
      // Cut short before the descriptors end, or no ISO 9660 at all.
      const cut = sector.length < SECTOR && (i > 0 || new TextDecoder().decode(sector.subarray(1, 6)) === 'CD001');
      throw new GuesthouseError('invalid-input', m(cut ? 'media.truncated' : 'media.notImage', { file }));
    }
    if (type === 1 && !primary) primary = parsePrimaryVolume(sector);
    if (type === 0) catalog ??= bootCatalogSector(sector);
    if (type === 255) break;
  }
  if (!primary) throw new GuesthouseError('invalid-input', m('media.notImage', { file }));
  if (primary.volumeBytes > r.sizeBytes) throw new GuesthouseError('invalid-input', m('media.truncated', { file }));
  const boots = catalog === null ? { bios: false, uefi: false } : bootPlatforms(await r.read(catalog * SECTOR, SECTOR));
  const facts: MediaFacts = { ...primary, boots, paths: [] };
  const root = await r.dir(primary.root);
  for (const e of root) {
    const lower = e.name.toLowerCase();
    if (e.directory && ['isolinux', 'casper', 'live', 'sources', 'efi', '.disk', 'boot'].includes(lower)) facts.paths.push(`${lower}/`);
  }
  const info = named(await sub(r, root, '.disk'), 'info');
  if (info) facts.diskInfo = await r.text(info);
  const treeinfo = named(root, '.treeinfo') ?? named(root, 'treeinfo');
  if (treeinfo && !treeinfo.directory) facts.treeinfo = await r.text(treeinfo);
  const alpine = named(root, '.alpine-release');
  if (alpine && !alpine.directory) facts.alpineRelease = await r.text(alpine);
  for (const e of await sub(r, root, 'sources')) facts.paths.push(`sources/${e.name.toLowerCase()}`);
  const efiBoot = await sub(r, await sub(r, root, 'efi'), 'boot');
  for (const e of efiBoot) facts.paths.push(`efi/boot/${e.name.toLowerCase()}`);
  if (info) facts.paths.push('.disk/info');
  return facts;
}

/** The entries of the subdirectory `name` (any case), or none. */
async function sub(r: Reader, entries: DirEntry[], name: string): Promise<DirEntry[]> {
  const dir = named(entries, name);
  return dir?.directory ? await r.dir(dir) : [];
}
