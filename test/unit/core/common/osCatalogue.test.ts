// The OS catalogue is data: every entry passes its schema, ids are unique, each family has an
// entry per architecture it lists, and the vendors' checksum file forms are read.
import { describe, expect, it } from 'vitest';
import { mirrorVariable, osCatalogue, osCatalogueData, osEntrySchema, sha256For } from '../../../../core/common/osCatalogue';

describe('the OS catalogue', () => {
  it('holds to its schema, with unique ids and URLs under each vendor base', () => {
    const list = osCatalogue();
    expect(list.length).toBe(osCatalogueData.length);
    for (const e of list) {
      expect(osEntrySchema.safeParse(e).success, e.id).toBe(true);
      expect(new URL(e.base + e.path).protocol, e.id).toBe('https:');
      expect(e.path.endsWith('.iso'), e.id).toBe(true);
    }
    expect(new Set(list.map((e) => e.family))).toEqual(new Set(['debian', 'ubuntu', 'fedora', 'alpine']));
    expect(list.filter((e) => e.family === 'debian').map((e) => e.arch)).toEqual(expect.arrayContaining(['x86_64', 'i386', 'aarch64']));
    expect(list.find((e) => e.id === 'debian-12-amd64-netinst')).toMatchObject({
      base: 'https://cdimage.debian.org/cdimage/',
      path: 'archive/12.11.0/amd64/iso-cd/debian-12.11.0-amd64-netinst.iso',
      checksum: { path: 'archive/12.11.0/amd64/iso-cd/SHA256SUMS', name: 'debian-12.11.0-amd64-netinst.iso' },
    });
    expect(mirrorVariable('debian')).toBe('GUESTHOUSE_MIRROR_DEBIAN');
  });

  it('a broken entry is refused by the schema', () => {
    const good = osCatalogueData[0]!;
    for (const bad of [
      { ...good, id: 'Has Spaces' },
      { ...good, base: 'ftp://x/' },
      { ...good, base: 'https://x' },
      { ...good, arch: 'sparc' },
      { ...good, extra: 1 },
    ])
      expect(osEntrySchema.safeParse(bad).success).toBe(false);
  });
});

describe('sha256For', () => {
  const a = 'a'.repeat(64);
  const b = 'B'.repeat(64);
  it('reads GNU lines (Debian, Ubuntu, Alpine), with ./ and binary markers', () => {
    expect(sha256For(`${b}  other.iso\n${a}  debian-12.11.0-amd64-netinst.iso\n`, 'debian-12.11.0-amd64-netinst.iso')).toBe(a);
    expect(sha256For(`${a} *ubuntu.iso\n`, 'ubuntu.iso')).toBe(a);
    expect(sha256For(`${a}  ./netboot/mini.iso\n`, './netboot/mini.iso')).toBe(a);
    expect(sha256For(`${a}  ./netboot/gtk/mini.iso\n`, './netboot/mini.iso')).toBeNull();
  });
  it("reads BSD lines inside a PGP clear-signed message (Fedora's CHECKSUM)", () => {
    const text = `-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n# Fedora-Server-netinst-x86_64-43-1.6.iso: 1000 bytes\nSHA256 (Fedora-Server-netinst-x86_64-43-1.6.iso) = ${b}\n-----BEGIN PGP SIGNATURE-----\n`;
    expect(sha256For(text, 'Fedora-Server-netinst-x86_64-43-1.6.iso')).toBe(b.toLowerCase());
    expect(sha256For(text, 'missing.iso')).toBeNull();
  });
});
