/**
 * OS presets and other constants the guest host needs too. No zod here: the guest host
 * runs once per guest, and what it loads is paid in every guest's memory.
 */

export const osTypes = ['linux-x64', 'linux-x86', 'windows-x64', 'other-x64', 'other-x86'] as const;
export type OsType = (typeof osTypes)[number];
/** Sensible defaults per OS, like VirtualBox's presets. */
export const osPresets: Readonly<Record<OsType, { memoryMib: number; cpus: number; diskBytes: number; arch: 'x86_64' | 'i386' }>> = {
  'linux-x64': { memoryMib: 1024, cpus: 1, diskBytes: 8 * 2 ** 30, arch: 'x86_64' },
  'linux-x86': { memoryMib: 512, cpus: 1, diskBytes: 4 * 2 ** 30, arch: 'i386' },
  'windows-x64': { memoryMib: 4096, cpus: 2, diskBytes: 50 * 2 ** 30, arch: 'x86_64' },
  'other-x64': { memoryMib: 256, cpus: 1, diskBytes: 2 * 2 ** 30, arch: 'x86_64' },
  'other-x86': { memoryMib: 128, cpus: 1, diskBytes: 2 * 2 ** 30, arch: 'i386' },
};


/** Console flow control: output pauses above this many unacknowledged bytes, and resumes below FLOW_LOW_BYTES. */
export const FLOW_HIGH_BYTES = 256 * 1024;
export const FLOW_LOW_BYTES = 32 * 1024;
