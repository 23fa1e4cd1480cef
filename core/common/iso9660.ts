/**
 * ISO 9660 (ECMA-119) and El Torito, read from bytes: the volume descriptors at 32 KiB, the
 * boot catalog, and directory records with their Rock Ridge names. Only what telling an
 * installer apart needs; no I/O here (core/node/media/detect.ts reads the sectors).
 * No maintained ISO 9660 reader exists on npm (searched 2026-12), hence these few parsers.
 */

export const SECTOR = 2048;
/** The first volume descriptor sits at sector 16; a set ends with a terminator (type 255). */
export const FIRST_DESCRIPTOR_SECTOR = 16;

export interface PrimaryVolume {
  systemId: string;
  volumeId: string;
  publisherId: string;
  applicationId: string;
  /** Where the root directory's records are, and how many bytes they take. */
  root: { sector: number; sizeBytes: number };
  volumeBytes: number;
}

export interface DirEntry {
  /** The Rock Ridge name where there is one, else the ISO name without its ";1" version. */
  name: string;
  directory: boolean;
  sector: number;
  sizeBytes: number;
}

const ascii = (b: Uint8Array, start: number, length: number): string =>
  String.fromCharCode(...b.subarray(start, start + length))
    .replace(/\0/g, ' ')
    .trim();

const u32le = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 2 ** 24;

/** What one 2048-byte volume descriptor is: 1 primary, 0 boot record, 255 terminator, other; null when it is no descriptor. */
export function descriptorType(sector: Uint8Array): number | null {
  if (sector.length < SECTOR || ascii(sector, 1, 5) !== 'CD001') return null;
  return sector[0]!;
}

/** The primary volume descriptor's identifiers (system +8, volume +40, publisher +318, application +574) and its root. */
export function parsePrimaryVolume(sector: Uint8Array): PrimaryVolume {
  const root = sector.subarray(156, 156 + 34);
  return {
    systemId: ascii(sector, 8, 32),
    volumeId: ascii(sector, 40, 32),
    publisherId: ascii(sector, 318, 128),
    applicationId: ascii(sector, 574, 128),
    root: { sector: u32le(root, 2), sizeBytes: u32le(root, 10) },
    volumeBytes: u32le(sector, 80) * (sector[128]! | (sector[129]! << 8)),
  };
}

/** The sector of the El Torito boot catalog a boot record names, or null for another boot system. */
export function bootCatalogSector(sector: Uint8Array): number | null {
  return ascii(sector, 7, 32) === 'EL TORITO SPECIFICATION' ? u32le(sector, 0x47) : null;
}

/** The platforms the boot catalog has bootable entries for: 0 x86 BIOS, 0xef UEFI. */
export function bootPlatforms(catalog: Uint8Array): { bios: boolean; uefi: boolean } {
  const found = { bios: false, uefi: false };
  // The validation entry: header id 1, key bytes 0x55 0xaa at 30.
  if (catalog[0] !== 1 || catalog[30] !== 0x55 || catalog[31] !== 0xaa) return found;
  const mark = (platform: number) => {
    if (platform === 0) found.bios = true;
    if (platform === 0xef) found.uefi = true;
  };
  let platform = catalog[1]!;
  // The initial (default) entry belongs to the validation entry's platform.
  if (catalog[32] === 0x88) mark(platform);
  for (let at = 64; at + 32 <= catalog.length; at += 32) {
    const kind = catalog[at]!;
    if (kind === 0x90 || kind === 0x91) {
      platform = catalog[at + 1]!;
      const count = catalog[at + 2]! | (catalog[at + 3]! << 8);
      for (let i = 1; i <= count && at + 32 * i + 32 <= catalog.length; i++) if (catalog[at + 32 * i] === 0x88) mark(platform);
      at += 32 * count;
      if (kind === 0x91) break;
    } else if (kind !== 0x44) {
      break; // neither a section header nor an extension: the catalog ends
    }
  }
  return found;
}

/** The Rock Ridge NM (alternate name) in a record's system use area, if any. */
function rockRidgeName(su: Uint8Array): string | null {
  let name = '';
  for (let at = 0; at + 4 <= su.length;) {
    const len = su[at + 2]!;
    if (len < 4) break;
    if (su[at] === 0x4e && su[at + 1] === 0x4d) {
      // NM: flags at +4 (1: continues in the next NM, 2: ".", 4: ".."), the name from +5.
      name += new TextDecoder().decode(su.subarray(at + 5, at + len));
      if (!(su[at + 4]! & 1)) return name;
    }
    at += len;
  }
  return name || null;
}

/** The entries of a directory (its records' bytes), without "." and "..". */
export function parseDirectory(bytes: Uint8Array): DirEntry[] {
  const entries: DirEntry[] = [];
  for (let at = 0; at < bytes.length;) {
    const len = bytes[at]!;
    if (len === 0) {
      at = (Math.floor(at / SECTOR) + 1) * SECTOR; // records never cross a sector: the rest is padding
      continue;
    }
    if (len < 34 || at + len > bytes.length) break;
    const rec = bytes.subarray(at, at + len);
    const nameLen = rec[32]!;
    const raw = rec.subarray(33, 33 + nameLen);
    if (!(nameLen === 1 && raw[0]! <= 1)) {
      const su = rec.subarray(33 + nameLen + (nameLen % 2 === 0 ? 1 : 0));
      const isoName = ascii(rec, 33, nameLen).replace(/;\d+$/, '').replace(/\.$/, '');
      entries.push({ name: rockRidgeName(su) ?? isoName, directory: (rec[25]! & 2) !== 0, sector: u32le(rec, 2), sizeBytes: u32le(rec, 10) });
    }
    at += len;
  }
  return entries;
}
