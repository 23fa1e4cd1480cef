/**
 * The OSes Guesthouse can download (guesthouse os list, the wizard's "Download an OS"): data,
 * checked by a zod schema when loaded (a unit test holds every entry to it). No code per OS: an
 * entry says where the vendor publishes the image and the SHA256SUMS file that vouches for it.
 *
 * Each URL is `base` + `path`, so a mirror (the `mirrors` host setting, or the environment's
 * GUESTHOUSE_MIRROR_<FAMILY>, e.g. GUESTHOUSE_MIRROR_DEBIAN) replaces `base` and keeps the
 * vendor's layout below it. The paths follow each vendor's documented layout
 * (cdimage.debian.org/cdimage/archive/<version>/<arch>/iso-cd/, releases.ubuntu.com/<version>/,
 * download.fedoraproject.org/pub/fedora/linux/releases/<n>/Server/<arch>/iso/,
 * dl-cdn.alpinelinux.org/alpine/v<x.y>/releases/<arch>/); only Debian's archive (the netboot
 * mini.iso's SHA256SUMS) could be reached from where they were written, so the others are
 * written from the layouts, not fetched. The checksum file itself comes over HTTPS from the
 * vendor; its signature is not checked yet.
 */
import { z } from 'zod';
import { mediaFamilies } from './media';
import { osTypes } from './presets';

export const osEntrySchema = z.strictObject({
  /** What `guesthouse os download ID` takes: family-version-arch[-edition]. */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{2,63}$/),
  family: z.enum(mediaFamilies),
  name: z.string().min(1),
  version: z.string().min(1),
  arch: z.enum(['x86_64', 'i386', 'aarch64']),
  /** The preset a VM made from it takes. */
  osType: z.enum(osTypes),
  /** The vendor's word for the image (netinst, live-server, virt). */
  edition: z.string().min(1),
  /** The vendor's official address, up to where a mirror's layout starts (ends in /). */
  base: z.url({ protocol: /^https?$/ }).regex(/\/$/),
  /** The image below `base`; its last part is the file's name in the media folder. */
  path: z.string().regex(/^[^/].*[^/]$/),
  /** The vendor's checksum file below `base`, and the name the image has in it. */
  checksum: z.strictObject({ path: z.string().regex(/^[^/].*[^/]$/), name: z.string().min(1) }),
  /** About how large the image is, for the list (the server's Content-Length is what counts). */
  approxBytes: z.number().int().positive(),
});
export type OsEntry = z.infer<typeof osEntrySchema>;

const MiB = 2 ** 20;
/** Debian's architecture name as the catalogue says it, and the OS type that runs it. */
const debianArch = (arch: 'amd64' | 'i386' | 'arm64'): Pick<OsEntry, 'arch' | 'osType'> => ({
  arch: arch === 'amd64' ? 'x86_64' : arch === 'i386' ? 'i386' : 'aarch64',
  osType: arch === 'i386' ? 'linux-x86' : 'linux-x64',
});
const debian = (version: string, arch: 'amd64' | 'i386' | 'arm64', approxMib: number): OsEntry => ({
  id: `debian-${version.split('.')[0]}-${arch}-netinst`,
  family: 'debian',
  name: 'Debian',
  version,
  ...debianArch(arch),
  edition: 'netinst',
  base: 'https://cdimage.debian.org/cdimage/',
  path: `archive/${version}/${arch}/iso-cd/debian-${version}-${arch}-netinst.iso`,
  checksum: { path: `archive/${version}/${arch}/iso-cd/SHA256SUMS`, name: `debian-${version}-${arch}-netinst.iso` },
  approxBytes: approxMib * MiB,
});
const debianMini = (release: string, version: string, arch: 'amd64' | 'i386' | 'arm64', approxMib: number): OsEntry => ({
  id: `debian-${version}-${arch}-mini`,
  family: 'debian',
  name: 'Debian',
  version,
  ...debianArch(arch),
  edition: 'netboot mini',
  base: 'https://deb.debian.org/debian/',
  path: `dists/${release}/main/installer-${arch}/current/images/netboot/mini.iso`,
  checksum: { path: `dists/${release}/main/installer-${arch}/current/images/SHA256SUMS`, name: './netboot/mini.iso' },
  approxBytes: approxMib * MiB,
});
const ubuntu = (version: string, arch: 'amd64' | 'arm64', approxMib: number): OsEntry => ({
  id: `ubuntu-${version.split('.').slice(0, 2).join('.')}-${arch}-server`,
  family: 'ubuntu',
  name: 'Ubuntu Server',
  version,
  arch: arch === 'amd64' ? 'x86_64' : 'aarch64',
  osType: 'linux-x64',
  edition: 'live-server',
  // amd64 images are on releases.ubuntu.com, the other architectures on cdimage.ubuntu.com.
  base: arch === 'amd64' ? 'https://releases.ubuntu.com/' : 'https://cdimage.ubuntu.com/releases/',
  path: `${version}/${arch === 'amd64' ? '' : 'release/'}ubuntu-${version}-live-server-${arch}.iso`,
  checksum: { path: `${version}/${arch === 'amd64' ? '' : 'release/'}SHA256SUMS`, name: `ubuntu-${version}-live-server-${arch}.iso` },
  approxBytes: approxMib * MiB,
});
const fedora = (release: string, compose: string, arch: 'x86_64' | 'aarch64', approxMib: number): OsEntry => ({
  id: `fedora-${release}-${arch}-server-netinst`,
  family: 'fedora',
  name: 'Fedora Server',
  version: release,
  arch,
  osType: 'linux-x64',
  edition: 'netinst',
  base: 'https://download.fedoraproject.org/pub/fedora/linux/',
  path: `releases/${release}/Server/${arch}/iso/Fedora-Server-netinst-${arch}-${release}-${compose}.iso`,
  checksum: {
    path: `releases/${release}/Server/${arch}/iso/Fedora-Server-${release}-${compose}-${arch}-CHECKSUM`,
    name: `Fedora-Server-netinst-${arch}-${release}-${compose}.iso`,
  },
  approxBytes: approxMib * MiB,
});
const alpine = (version: string, arch: 'x86_64' | 'x86' | 'aarch64', approxMib: number): OsEntry => ({
  id: `alpine-${version.split('.').slice(0, 2).join('.')}-${arch === 'x86' ? 'x86' : arch}-virt`,
  family: 'alpine',
  name: 'Alpine Linux',
  version,
  arch: arch === 'x86' ? 'i386' : arch,
  osType: arch === 'x86' ? 'linux-x86' : 'linux-x64',
  edition: 'virt',
  base: 'https://dl-cdn.alpinelinux.org/alpine/',
  path: `v${version.split('.').slice(0, 2).join('.')}/releases/${arch}/alpine-virt-${version}-${arch}.iso`,
  // Alpine publishes one checksum file per image (`<image>.sha256`, "hash  name").
  checksum: {
    path: `v${version.split('.').slice(0, 2).join('.')}/releases/${arch}/alpine-virt-${version}-${arch}.iso.sha256`,
    name: `alpine-virt-${version}-${arch}.iso`,
  },
  approxBytes: approxMib * MiB,
});

/** The catalogue, in the order lists show it. */
export const osCatalogueData: OsEntry[] = [
  debian('13.1.0', 'amd64', 754),
  debian('13.1.0', 'arm64', 653),
  debian('12.11.0', 'amd64', 663),
  debian('12.11.0', 'i386', 650),
  debian('12.11.0', 'arm64', 570),
  debianMini('trixie', '13', 'amd64', 70),
  debianMini('bookworm', '12', 'amd64', 64),
  debianMini('bookworm', '12', 'i386', 60),
  ubuntu('24.04.3', 'amd64', 3104),
  ubuntu('24.04.3', 'arm64', 2994),
  fedora('43', '1.6', 'x86_64', 1000),
  fedora('43', '1.6', 'aarch64', 900),
  alpine('3.22.2', 'x86_64', 64),
  alpine('3.22.2', 'x86', 55),
  alpine('3.22.2', 'aarch64', 70),
];

let checked: OsEntry[] | null = null;
/** The catalogue, checked once: a broken entry is a bug here, not the user's. */
export function osCatalogue(): OsEntry[] {
  checked ??= z
    .array(osEntrySchema)
    .refine((list) => new Set(list.map((e) => e.id)).size === list.length, 'ids must be unique')
    .parse(osCatalogueData);
  return checked;
}

/** GUESTHOUSE_MIRROR_<FAMILY>: the environment variable that sets a family's mirror. */
export const mirrorVariable = (family: OsEntry['family']): string => `GUESTHOUSE_MIRROR_${family.toUpperCase()}`;

/**
 * Lines of a checksum file, in the forms the vendors write: GNU (`hash  name`, `hash *name`)
 * and BSD (`SHA256 (name) = hash`, Fedora's CHECKSUM, inside a PGP clear-signed message).
 * Answers the SHA-256 for `name` (or "./name"), or null.
 */
export function sha256For(text: string, name: string): string | null {
  const wanted = (n: string) => n === name || n === `./${name}` || `./${n}` === name;
  for (const line of text.split(/\r?\n/)) {
    const gnu = line.match(/^([0-9a-fA-F]{64}) [ *](.+)$/);
    if (gnu && wanted(gnu[2]!.trim())) return gnu[1]!.toLowerCase();
    const bsd = line.match(/^SHA256 \((.+)\) = ([0-9a-fA-F]{64})$/);
    if (bsd && wanted(bsd[1]!)) return bsd[2]!.toLowerCase();
  }
  return null;
}
