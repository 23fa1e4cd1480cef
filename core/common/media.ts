/**
 * What an installer medium is, from what it says about itself (core/node/media/detect.ts
 * gathers the facts from the ISO): its family, version, architecture, the firmware it boots,
 * and the OS preset that fits. Pure: the rules are data over the facts, tested on their own.
 */
import type { FirmwareKind } from './config';
import { m, type Sentence, type SentenceData } from './messages';
import { osPresets, type OsType } from './presets';

export const mediaFamilies = ['debian', 'ubuntu', 'fedora', 'rhel', 'alpine', 'windows', 'linux', 'other'] as const;
export type MediaFamily = (typeof mediaFamilies)[number];
export type MediaArch = 'x86_64' | 'i386' | 'aarch64';

/** What detection read from an ISO: the descriptors, the boot catalog, well-known files. */
export interface MediaFacts {
  systemId: string;
  volumeId: string;
  publisherId: string;
  applicationId: string;
  boots: { bios: boolean; uefi: boolean };
  /** Well-known paths found, lower case, directories with a trailing "/" (".disk/info", "isolinux/", "efi/boot/bootx64.efi"). */
  paths: string[];
  /** The first bytes of small text files that name the release. */
  diskInfo?: string;
  treeinfo?: string;
  alpineRelease?: string;
}

/** The answer of detectMedia: what the medium is and the VM settings it suggests. */
export interface MediaInfo {
  path: string;
  family: MediaFamily;
  /** Whether a rule recognised it; false: the Other preset, and `description` says so. */
  known: boolean;
  name: string;
  version: string | null;
  arch: MediaArch | null;
  /** A vendor's word for the kind of image (netinst, live-server, DVD), or null. */
  edition: string | null;
  boots: { bios: boolean; uefi: boolean };
  osType: OsType;
  /** BIOS where it boots that way, UEFI where that is all it boots. */
  firmware: FirmwareKind;
  preset: (typeof osPresets)[OsType];
  volumeId: string;
  publisherId: string;
  applicationId: string;
  systemId: string;
  /** One line: "Debian 12.8 amd64 netinst, boots BIOS and UEFI". */
  description: SentenceData;
}

const archWords: [RegExp, MediaArch][] = [
  [/\b(amd64|x86_64|x64|x86-64)\b/i, 'x86_64'],
  [/\b(i386|i686|x86|ia32)\b/i, 'i386'],
  [/\b(arm64|aarch64|a64)\b/i, 'aarch64'],
];
const archIn = (text: string): MediaArch | null => archWords.find(([re]) => re.test(text.replace(/_/g, ' ').replace(/x86 64/i, 'x86_64')))?.[1] ?? null;
const archFromEfi = (paths: string[]): MediaArch | null =>
  paths.includes('efi/boot/bootx64.efi')
    ? 'x86_64'
    : paths.includes('efi/boot/bootaa64.efi')
      ? 'aarch64'
      : paths.includes('efi/boot/bootia32.efi')
        ? 'i386'
        : null;
/** What Debian and Ubuntu call an architecture, for the description. */
const debArch = (arch: MediaArch | null) => (arch === 'x86_64' ? 'amd64' : arch === 'aarch64' ? 'arm64' : arch);

interface Found {
  family: MediaFamily;
  name: string;
  version: string | null;
  arch: MediaArch | null;
  edition: string | null;
}

/** `key = value` in an INI section (.treeinfo). */
function ini(text: string, section: string, key: string): string | null {
  const body = text.split(/^\[/m).find((s) => s.startsWith(`${section}]`));
  return body?.match(new RegExp(`^${key}\\s*=\\s*(.+)$`, 'm'))?.[1]?.trim() ?? null;
}

/** Each family's rule: the first that matches names the medium. */
const rules: ((f: MediaFacts) => Found | null)[] = [
  // Debian and Ubuntu: .disk/info, e.g. `Debian GNU/Linux 12.8.0 "Bookworm" - Official amd64 NETINST with firmware 20241109-11:04`.
  (f) => {
    const info = f.diskInfo?.split('\n')[0]?.trim();
    if (!info) return null;
    const ubuntu = /ubuntu/i.test(info);
    if (!ubuntu && !/debian/i.test(info)) return null;
    const version = info.match(/\b(\d+(?:\.\d+)*)/)?.[1] ?? null;
    const edition = info.match(/\b(NETINST|DVD|CD|BD|live|Server|Desktop)\b/i)?.[1] ?? null;
    return {
      family: ubuntu ? 'ubuntu' : 'debian',
      name: ubuntu ? (/server/i.test(info) ? 'Ubuntu Server' : 'Ubuntu') : 'Debian',
      version: ubuntu ? version : (version?.replace(/\.0$/, '') ?? null),
      arch: archIn(info),
      edition: edition && !(ubuntu && /server/i.test(edition)) ? edition.toLowerCase() : null,
    };
  },
  // Fedora, RHEL and their rebuilds: .treeinfo ([general] family, version, arch).
  (f) => {
    if (!f.treeinfo) return null;
    const t = f.treeinfo;
    const name = ini(t, 'release', 'name') ?? ini(t, 'general', 'family') ?? ini(t, 'product', 'name');
    if (!name) return null;
    const arch = ini(t, 'general', 'arch') ?? ini(t, 'tree', 'arch') ?? '';
    return {
      family: /fedora/i.test(name) ? 'fedora' : 'rhel',
      name,
      version: ini(t, 'release', 'version') ?? ini(t, 'general', 'version'),
      arch: archIn(arch),
      edition: ini(t, 'general', 'variant')?.toLowerCase() ?? null,
    };
  },
  // Alpine: .alpine-release (`alpine-standard-3.20.3 x86_64`) or its volume id (`alpine-std 3.20.3 x86_64`).
  (f) => {
    const text = f.alpineRelease ?? (/^alpine/i.test(f.volumeId) ? f.volumeId : null);
    if (text === null) return null;
    return {
      family: 'alpine',
      name: 'Alpine Linux',
      version: text.match(/(\d+\.\d+(?:\.\d+)?)/)?.[1] ?? null,
      arch: archIn(text) ?? archIn(f.volumeId) ?? archFromEfi(f.paths),
      edition: text.match(/alpine-([a-z]+)/i)?.[1]?.toLowerCase() ?? null,
    };
  },
  // Windows: install.wim or boot.wim under sources/ (where the ISO 9660 side shows them), or the
  // volume ids Microsoft's images carry (CCCOMA_X64FRE_EN-US_DV9: the files then sit in UDF only).
  (f) => {
    const byFiles = f.paths.some((p) => /^sources\/(install|boot)\.(wim|esd)$/.test(p));
    const label = f.volumeId.match(/_(X64|X86|A64)FRE/i)?.[1]?.toUpperCase();
    if (!byFiles && !label) return null;
    return {
      family: 'windows',
      name: 'Windows',
      version: null,
      arch: label === 'X64' ? 'x86_64' : label === 'X86' ? 'i386' : label === 'A64' ? 'aarch64' : archFromEfi(f.paths),
      edition: null,
    };
  },
  // Some other Linux: isolinux, a kernel named vmlinuz, or Linux in the system or volume id.
  (f) => {
    const linux = f.paths.some((p) => p === 'isolinux/' || p === 'casper/' || p === 'live/') || /linux/i.test(`${f.systemId} ${f.volumeId}`);
    if (!linux) return null;
    return { family: 'linux', name: f.volumeId || 'Linux', version: null, arch: archIn(f.volumeId) ?? archFromEfi(f.paths), edition: null };
  },
];

/** The OS type (preset) for a family and architecture: Windows, Linux, or Other. */
function osTypeFor(family: MediaFamily, arch: MediaArch | null): OsType {
  const x86 = arch === 'i386';
  if (family === 'windows') return 'windows-x64';
  if (family === 'other') return x86 ? 'other-x86' : 'other-x64';
  return x86 ? 'linux-x86' : 'linux-x64';
}

function bootsSentence(label: string, boots: MediaFacts['boots']): Sentence {
  if (boots.bios && boots.uefi) return m('media.bootsBoth', { label });
  if (boots.uefi) return m('media.bootsUefi', { label });
  if (boots.bios) return m('media.bootsBios', { label });
  return m('media.bootsNone', { label });
}

/** What the facts say the medium is, with its preset (Other, said so, where no rule knows it). */
export function classifyMedia(path: string, facts: MediaFacts): MediaInfo {
  const found = rules.reduce<Found | null>((hit, rule) => hit ?? rule(facts), null);
  const arch = found?.arch ?? archIn(facts.volumeId) ?? archFromEfi(facts.paths);
  const family = found?.family ?? 'other';
  const osType = osTypeFor(family, arch);
  const archWord = family === 'debian' || family === 'ubuntu' ? debArch(arch) : arch;
  const label = found ? [found.name, found.version, archWord, found.edition].filter(Boolean).join(' ') : facts.volumeId || '?';
  const boots = bootsSentence(label, facts.boots);
  const description = found ? boots : m('media.unknown', { volume: facts.volumeId || '?', boots });
  return {
    path,
    family,
    known: !!found,
    name: found?.name ?? (facts.volumeId || 'Other'),
    version: found?.version ?? null,
    arch,
    edition: found?.edition ?? null,
    boots: facts.boots,
    osType,
    firmware: facts.boots.uefi && !facts.boots.bios ? 'uefi' : 'bios',
    preset: osPresets[osType],
    volumeId: facts.volumeId,
    publisherId: facts.publisherId,
    applicationId: facts.applicationId,
    systemId: facts.systemId,
    description,
  };
}
