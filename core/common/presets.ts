/**
 * OS presets and other constants the guest host needs too. No zod here: the guest host
 * runs once per guest, and what it loads is paid in every guest's memory.
 */

export const osTypes = ['linux-x64', 'linux-x86', 'windows-x64', 'other-x64', 'other-x86'] as const;
export type OsType = (typeof osTypes)[number];
export const displayAdapters = ['vga', 'virtio', 'none'] as const;
export type DisplayAdapter = (typeof displayAdapters)[number];
export const pointerKinds = ['tablet', 'ps2'] as const;
export const diskBuses = ['virtio', 'sata', 'ide'] as const;
export type DiskBus = (typeof diskBuses)[number];
export const nicModels = ['virtio', 'e1000', 'rtl8139'] as const;
export type NicModel = (typeof nicModels)[number];
/** The formats a VM's disks are kept in: qcow2 for QEMU (grows on demand, holds snapshots), raw for v86 (it reads raw only). */
export const diskFormats = ['qcow2', 'raw'] as const;
export type DiskFormat = (typeof diskFormats)[number];

interface OsPreset {
  memoryMib: number;
  cpus: number;
  diskBytes: number;
  arch: 'x86_64' | 'i386';
  /** Devices the guest can boot with and no extra drivers: Windows has none for virtio, Linux has them all. */
  display: DisplayAdapter;
  diskBus: DiskBus;
  nicModel: NicModel;
}

/** Sensible defaults per OS, like VirtualBox's presets. */
export const osPresets: Readonly<Record<OsType, OsPreset>> = {
  'linux-x64': { memoryMib: 1024, cpus: 1, diskBytes: 8 * 2 ** 30, arch: 'x86_64', display: 'vga', diskBus: 'virtio', nicModel: 'virtio' },
  'linux-x86': { memoryMib: 512, cpus: 1, diskBytes: 4 * 2 ** 30, arch: 'i386', display: 'vga', diskBus: 'virtio', nicModel: 'virtio' },
  'windows-x64': { memoryMib: 4096, cpus: 2, diskBytes: 50 * 2 ** 30, arch: 'x86_64', display: 'vga', diskBus: 'sata', nicModel: 'e1000' },
  'other-x64': { memoryMib: 256, cpus: 1, diskBytes: 2 * 2 ** 30, arch: 'x86_64', display: 'vga', diskBus: 'sata', nicModel: 'e1000' },
  'other-x86': { memoryMib: 128, cpus: 1, diskBytes: 2 * 2 ** 30, arch: 'i386', display: 'vga', diskBus: 'ide', nicModel: 'e1000' },
};

/** Console flow control: output pauses above this many unacknowledged bytes, and resumes below FLOW_LOW_BYTES. */
export const FLOW_HIGH_BYTES = 256 * 1024;
export const FLOW_LOW_BYTES = 32 * 1024;
