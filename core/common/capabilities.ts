/**
 * What each engine can do, one record per engine: the service, the CLI's help and the GUI ask
 * these records instead of asking which engine it is, and every "no" carries the catalog key of
 * the sentence that says why (and what to do instead), so a refusal and a disabled control say
 * the same thing. The next engine adds a record here, not a branch wherever it differs.
 *
 * Light on imports (types from the config, values from presets, engines and messages only):
 * the guest host loads this too, and it must not pull in the config schema (zod).
 */
import type { FirmwareKind, VmConfig } from './config';
import { attachedNics, nicAttachments, type NicAttachment } from './nics';

/** Cards attached to something, per QEMU VM (each its own PCI slot and user network or switch port). */
export const QEMU_MAX_NICS = 4;
import { acceleratorKinds, hardwareAccelerators, type AcceleratorKind, type EngineKind, type HardwareAccelerator } from './engines';
import { m, type MessageKey, type MessageParams, type Sentence } from './messages';
import { diskBuses, diskFormats, displayAdapters, nicModels, osPresets, type DiskBus, type DiskFormat, type DisplayAdapter, type NicModel } from './presets';

/** Something an engine does, or does not, with the sentence that says why not. */
export type Support = { readonly ok: true } | { readonly ok: false; readonly why: MessageKey };

/** The values of a setting an engine honours; for the others, why not (absent: it takes them all). */
export interface Choices<T extends string> {
  readonly values: readonly T[];
  readonly why?: MessageKey;
}

/** A limit an engine has (a most or a least), with the sentence that says it; its parameter is `{{max}}`. */
export interface Limit {
  readonly max: number;
  readonly why: MessageKey;
}

export type GuestArch = 'x86_64' | 'i386';
/** How a guest reaches the network (the config's network mode). */
export type NetworkAttachment = NicAttachment;

export interface EngineCapabilities {
  readonly kind: EngineKind;
  /** The engine's name as users see it. */
  readonly label: string;
  /** The guest runs inside its guest host (as WebAssembly), not in an engine process of its own. */
  readonly inGuestHost: boolean;
  /** The accelerators the engine runs a guest with (none: it runs guest code its own way, `ownExecution`). */
  readonly accelerators: readonly AcceleratorKind[];
  /** How the engine runs guest code without an accelerator to name (a catalog word), or null. */
  readonly ownExecution: MessageKey | null;
  /** Offline snapshots (of a stopped VM's disks). */
  readonly snapshots: Support;
  /** Live snapshots (of a running or paused machine, memory included). */
  readonly liveSnapshots: Support;
  /** Saving the machine state and restoring it at the next start. */
  readonly savedState: Support;
  readonly pause: Support;
  /** The format of the disks Guesthouse makes (new, imported) for a VM on this engine. */
  readonly newDiskFormat: DiskFormat;
  readonly diskFormats: Choices<DiskFormat>;
  /** The disk buses the guest sees as set (the others: the engine's own). */
  readonly diskBuses: Choices<DiskBus>;
  readonly displayAdapters: Choices<DisplayAdapter>;
  readonly nicModels: Choices<NicModel>;
  readonly networkAttachments: Choices<NetworkAttachment>;
  /** Cards attached to something (those attached to nothing do not count). */
  readonly maxNics: Limit;
  readonly firmware: Choices<FirmwareKind>;
  readonly archs: Choices<GuestArch>;
  readonly maxCpus: Limit | null;
  readonly maxMemoryMib: Limit | null;
  readonly maxDisks: Limit | null;
  /** Where the engine loads an initrd (guest memory must hold it above), or null where it need not be said. */
  readonly initrdAt: { readonly mib: number; readonly why: MessageKey } | null;
  readonly sharedFolders: Support;
  /** A channel to the guest's agent (qemu-guest-agent): its addresses, commands, files, a clean shutdown, the clock. */
  readonly guestAgent: Support;
  /** What a user of a VM on this engine should know (the notes in its details), as catalog keys. */
  readonly notes: (config: Pick<VmConfig, 'disks' | 'nics' | 'display'>) => MessageKey[];
}

const yes: Support = { ok: true };
const no = (why: MessageKey): Support => ({ ok: false, why });
const all = <T extends string>(values: readonly T[]): Choices<T> => ({ values });

/** v86's limits, as numbers (the records below say them). */
export const V86_MAX_MEMORY_MIB = 2048;
/** v86 places the initrd at 64 MiB: guest RAM must hold it above that. */
export const V86_INITRD_ADDRESS_MIB = 64;

export const engineCapabilities: Readonly<Record<EngineKind, EngineCapabilities>> = {
  qemu: {
    kind: 'qemu',
    label: 'QEMU',
    inGuestHost: false,
    accelerators: acceleratorKinds,
    ownExecution: null,
    snapshots: yes,
    liveSnapshots: yes,
    savedState: yes,
    pause: yes,
    newDiskFormat: 'qcow2',
    diskFormats: all(diskFormats),
    diskBuses: all(diskBuses),
    displayAdapters: all(displayAdapters),
    nicModels: all(nicModels),
    networkAttachments: all(nicAttachments),
    maxNics: { max: QEMU_MAX_NICS, why: 'config.nicsMax' },
    firmware: all(['bios', 'uefi']),
    archs: all(['x86_64', 'i386']),
    maxCpus: null,
    maxMemoryMib: null,
    maxDisks: null,
    initrdAt: null,
    sharedFolders: yes,
    guestAgent: yes,
    notes: () => ['notes.qemu'],
  },
  v86: {
    kind: 'v86',
    label: 'v86',
    inGuestHost: true,
    accelerators: [],
    ownExecution: 'caps.v86Execution',
    snapshots: no('snapshot.v86'),
    liveSnapshots: no('snapshot.v86'),
    savedState: yes,
    pause: yes,
    newDiskFormat: 'raw',
    diskFormats: { values: ['raw'], why: 'v86.rawOnly' },
    diskBuses: { values: ['ide'], why: 'caps.v86Devices' },
    displayAdapters: { values: ['vga', 'none'], why: 'caps.v86Devices' },
    nicModels: { values: [], why: 'caps.v86Network' },
    // No card at all yet, so no private network either (v86's net0-send/net0-receive bus events could join a switch as one more member).
    networkAttachments: { values: ['none'], why: 'caps.v86Network' },
    // One emulated card (an NE2000) at most; the guest sees none yet (caps.v86Network).
    maxNics: { max: 1, why: 'v86.nicsMax' },
    firmware: { values: ['bios'], why: 'v86.biosOnly' },
    archs: { values: ['i386'], why: 'v86.arch' },
    maxCpus: { max: 1, why: 'v86.cpus' },
    maxMemoryMib: { max: V86_MAX_MEMORY_MIB, why: 'v86.memoryMax' },
    maxDisks: { max: 2, why: 'v86.disksMax' },
    initrdAt: { mib: V86_INITRD_ADDRESS_MIB, why: 'v86.initrdMemory' },
    sharedFolders: no('caps.sharedFolders'),
    guestAgent: no('caps.guestAgent'),
    notes: (config) => [
      config.disks.length ? 'notes.v86Disk' : 'notes.v86NoDisk',
      ...(attachedNics(config.nics).length ? (['notes.v86NoNetwork'] as const) : []),
      'notes.v86Save',
      config.display.adapter === 'none' ? 'notes.v86DevicesHeadless' : 'notes.v86Devices',
    ],
  },
};

/** The engine's record. */
export const capabilitiesOf = (engine: EngineKind): EngineCapabilities => engineCapabilities[engine];

/** Why the engine does not do this (the record's sentence, with `params` such as the VM's `name`), or null where it does. */
export function whyNot(support: Support, params?: MessageParams): Sentence | null {
  return support.ok ? null : m(support.why, params);
}

/** Whether the engine honours `value` of a setting. */
export const takes = <T extends string>(choices: Choices<T>, value: T): boolean => choices.values.includes(value);

/** The format of new disks for a VM on `engine` (no engine found yet: qcow2, as for QEMU). */
export const newDiskFormatFor = (engine: EngineKind | null): DiskFormat => (engine ? engineCapabilities[engine].newDiskFormat : 'qcow2');

/** Whether an accelerator is a hardware one (KVM, HVF, WHPX), not TCG and not none. */
export const isHardwareAccelerator = (accelerator: AcceleratorKind | null | undefined): accelerator is HardwareAccelerator =>
  (hardwareAccelerators as readonly string[]).includes(accelerator ?? '');

/** What runs a guest's code: its accelerator (kvm, tcg…), or the engine's own way (a sentence: v86 JITs x86 to WebAssembly). */
export function executionOf(engine: EngineKind, accelerator: AcceleratorKind | null): Sentence | string {
  if (accelerator) return accelerator;
  const own = engineCapabilities[engine].ownExecution;
  return own ? m(own) : '';
}

/**
 * Problems a config has for the engine's limits, one sentence each, in the order of the form
 * (OS type, firmware, CPUs, memory, disks). `initrdBytes`: the size of the direct-boot initrd.
 */
export function engineLimitProblems(
  engine: EngineKind,
  config: Pick<VmConfig, 'identity' | 'cpus' | 'memoryMib' | 'disks' | 'directBoot' | 'firmware' | 'nics'> & Partial<Pick<VmConfig, 'shares'>>,
  initrdBytes = 0,
): Sentence[] {
  const caps = engineCapabilities[engine];
  const problems: Sentence[] = [];
  const about = (choices: Choices<string>, field: Parameters<Sentence['about']>[0], params?: MessageParams) => {
    if (choices.why) problems.push(m(choices.why, params).about(field));
  };
  if (!takes(caps.archs, osPresets[config.identity.osType].arch)) about(caps.archs, 'osType');
  if (!takes(caps.firmware, config.firmware)) about(caps.firmware, 'firmware');
  if (caps.maxCpus && config.cpus > caps.maxCpus.max) problems.push(m(caps.maxCpus.why, { max: caps.maxCpus.max }).about('cpus'));
  if (caps.maxMemoryMib && config.memoryMib > caps.maxMemoryMib.max) problems.push(m(caps.maxMemoryMib.why, { max: caps.maxMemoryMib.max }).about('memory'));
  if (caps.initrdAt && config.directBoot?.initrdPath) {
    const need = caps.initrdAt.mib + Math.ceil(initrdBytes / 2 ** 20) + 1;
    if (config.memoryMib < need) problems.push(m(caps.initrdAt.why, { need }).about('memory'));
  }
  for (const d of config.disks) if (!takes(caps.diskFormats, d.format)) about(caps.diskFormats, 'disk', { path: d.path });
  if (caps.maxDisks && config.disks.length > caps.maxDisks.max) problems.push(m(caps.maxDisks.why, { max: caps.maxDisks.max }).about('disk'));
  if (attachedNics(config.nics).length > caps.maxNics.max) problems.push(m(caps.maxNics.why, { max: caps.maxNics.max }).about('network'));
  if (config.shares?.length && !caps.sharedFolders.ok) problems.push(m(caps.sharedFolders.why).about('shares'));
  return problems;
}

/** One line per engine for the CLI's help: what it takes and what it lacks. */
export function capabilitySummary(engine: EngineKind): string {
  const caps = engineCapabilities[engine];
  const list = (c: Choices<string>) => (c.values.length ? c.values.join('|') : 'none');
  const snapshots = caps.liveSnapshots.ok ? 'live and offline' : caps.snapshots.ok ? 'offline' : 'none';
  return [
    `${caps.kind}: disks ${list(caps.diskFormats)}`,
    `firmware ${list(caps.firmware)}`,
    `display ${list(caps.displayAdapters)}`,
    `nic ${list(caps.nicModels)}`,
    `snapshots ${snapshots}`,
    `saved state ${caps.savedState.ok ? 'yes' : 'no'}`,
  ].join(', ');
}
