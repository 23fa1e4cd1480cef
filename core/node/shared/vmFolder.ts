// The layout of a VM's folder (`machines/<name>/`) and the names of a VM's files in the
// runtime folder: the one place that spells them. The service and the guest host both ask
// here, so this imports nothing a guest host should not load.
//
//   vm.json                  the config
//   vm.json.bak              the config before it was last written (for repair)
//   vm.json.broken-<time>    an unreadable config that repair set aside
//   .guesthouse.lock         the pid of the process that runs the VM
//   logs/console.log         the guest's console (console.1.log: the run before)
//   logs/qemu.log            QEMU's command line and stderr
//   logs/guesthost.log       the guest host's own output
//   state/machine.<engine>state   a saved machine state, one per engine
//   uefi-vars.qcow2          the VM's own UEFI variable store (qcow2, so it can hold snapshots)
//   uefi-vars.fd, uefi-vars.fd.orig   the raw store of older versions, and the backup its conversion keeps
//   base-<snapshot id>-<n>.qcow2      a snapshot's disk n as a read-only image, the base of linked clones
//   <name>.<format>, <name>-2.<format>…   disks Guesthouse made
//   runtime folder: <uuid8>.<kind> (qmp, ser, mig, vnc, rfb, gh, screendumps)
import fs from 'node:fs';
import path from 'node:path';
import { atomicTempTarget } from './atomicFile';
import { engineKinds, type EngineKind } from '../../common/engines';
import type { DiskFormat } from '../../common/presets';

export const CONFIG_FILE = 'vm.json';
/** The config as it was before it was last written, kept for `repair`. */
export const BACKUP_FILE = 'vm.json.bak';
const BROKEN_PREFIX = `${CONFIG_FILE}.broken-`;
const LOCK_FILE = '.guesthouse.lock';
const LOGS_DIR = 'logs';
const STATE_DIR = 'state';
const UEFI_VARS_FILE = 'uefi-vars.qcow2';
const RAW_UEFI_VARS_FILE = 'uefi-vars.fd';
const UEFI_VARS_BACKUP_FILE = 'uefi-vars.fd.orig';
const SNAPSHOT_BASE = /^base-(gh-[A-Za-z0-9.-]{1,60})-(\d{1,2})\.qcow2$/;

export function configFile(vmDir: string): string {
  return path.join(vmDir, CONFIG_FILE);
}

export function backupFile(vmDir: string): string {
  return path.join(vmDir, BACKUP_FILE);
}

/** Where repair keeps an unreadable config it replaces (never overwritten: named by the time). */
export function brokenConfigFile(vmDir: string, at: Date): string {
  return path.join(vmDir, `${BROKEN_PREFIX}${at.toISOString().replace(/[:.]/g, '-')}`);
}

/** The lock that says which process runs the VM (it holds that process's pid). */
export function lockFile(vmDir: string): string {
  return path.join(vmDir, LOCK_FILE);
}

export function logsDir(vmDir: string): string {
  return path.join(vmDir, LOGS_DIR);
}

/** A VM's logs, in the order `readLog` shows them. */
export const LOG_NAMES = ['qemu', 'console', 'guesthost'] as const;
export type LogName = (typeof LOG_NAMES)[number];

export function logFile(vmDir: string, log: LogName): string {
  return path.join(vmDir, LOGS_DIR, `${log}.log`);
}

/** Where the console log of the run before goes when a new run begins its own. */
export function previousConsoleLog(vmDir: string): string {
  return path.join(vmDir, LOGS_DIR, 'console.1.log');
}

/** Where a VM's saved machine state lives: one file per engine, as each restores only its own. */
export function stateFile(vmDir: string, engine: EngineKind): string {
  return path.join(vmDir, STATE_DIR, `machine.${engine}state`);
}

/**
 * Beside a QEMU saved state: present when the machine that saved it had the guest agent's
 * channel (states saved before that device existed restore without it).
 */
export function stateAgentMarker(file: string): string {
  return `${file}.agent`;
}

/** Which engine saved this VM's machine state, if one is saved. */
export function savedStateEngine(vmDir: string): EngineKind | null {
  return engineKinds.find((e) => fs.existsSync(stateFile(vmDir, e))) ?? null;
}

/**
 * A VM's own UEFI variable store (boot entries, settings), made from the template at first
 * start: qcow2, so that snapshots hold it too. `UEFI_VARS_NAME` is how snapshots name it.
 */
export function uefiVarsFile(vmDir: string): string {
  return path.join(vmDir, UEFI_VARS_FILE);
}
export const UEFI_VARS_NAME = UEFI_VARS_FILE;

/** The raw variable store older versions made; converted to qcow2 once, at the next start. */
export function rawUefiVarsFile(vmDir: string): string {
  return path.join(vmDir, RAW_UEFI_VARS_FILE);
}

/** Where the raw variable store is kept once converted. */
export function uefiVarsBackupFile(vmDir: string): string {
  return path.join(vmDir, UEFI_VARS_BACKUP_FILE);
}

/**
 * The image a linked clone stands on: disk `index` of the VM in `vmDir` as it was at snapshot
 * `snapshotId`, read-only, in that VM's folder (shared by every clone of that snapshot).
 */
export function snapshotBaseFile(vmDir: string, snapshotId: string, index: number): string {
  return path.join(vmDir, `base-${snapshotId}-${index}.qcow2`);
}

/** The snapshot a file name in a VM folder is a linked-clone base of, or null. */
export function snapshotOfBaseFile(name: string): string | null {
  return SNAPSHOT_BASE.exec(name)?.[1] ?? null;
}

/** The name of the `n`th disk Guesthouse makes for VM `vmName` (the first has no number). */
export function diskFileName(vmName: string, format: DiskFormat, n = 1): string {
  return n === 1 ? `${vmName}.${format}` : `${vmName}-${n}.${format}`;
}

/**
 * The name of the first disk Guesthouse can make for VM `vmName` (diskFileName's first, second,
 * …) that none of the VM's `disks` uses (paths as a config has them: relative to the folder, or
 * absolute) and no file in its folder `dir` has (no `dir`: a VM whose folder is not made yet).
 */
export function firstFreeDiskName(vmName: string, format: DiskFormat, disks: readonly { path: string }[], dir?: string): string {
  const where = (name: string) => (dir === undefined ? name : path.resolve(dir, name));
  const inUse = new Set(disks.map((d) => where(d.path)));
  const taken = (name: string) => inUse.has(where(name)) || (dir !== undefined && fs.existsSync(where(name)));
  let n = 1;
  while (taken(diskFileName(vmName, format, n))) n++;
  return diskFileName(vmName, format, n);
}

/**
 * Whether `name`, in a VM's folder, is Guesthouse's besides the config and the disks: logs,
 * saved state, the lock, the UEFI variables, linked-clone bases, the backup, kept broken configs, and temp files
 * its atomic writes left behind. Deleting a VM removes these; anything else stays.
 */
export function isGuesthouseFile(name: string): boolean {
  if ([LOGS_DIR, STATE_DIR, LOCK_FILE, UEFI_VARS_FILE, RAW_UEFI_VARS_FILE, UEFI_VARS_BACKUP_FILE, BACKUP_FILE].includes(name)) return true;
  if (snapshotOfBaseFile(name) !== null) return true;
  const tempOf = atomicTempTarget(name);
  if (tempOf !== null) return [CONFIG_FILE, BACKUP_FILE, UEFI_VARS_FILE, RAW_UEFI_VARS_FILE].includes(tempOf) || snapshotOfBaseFile(tempOf) !== null;
  return name.startsWith(BROKEN_PREFIX) && /^[\w-]+$/.test(name.slice(BROKEN_PREFIX.length));
}

/**
 * A VM's files in the runtime folder: its sockets (QMP, serial, migration, QEMU's VNC, the
 * guest agent's, the screen's RFB, the guest host's control socket) and QEMU's screendumps.
 */
export type RuntimeFileKind = 'qmp' | 'ser' | 'mig' | 'vnc' | 'rfb' | 'gh' | 'ga' | `${string}.${'png' | 'ppm'}`;

/** The control socket a guest host that outlives its service listens on. */
const GUEST_HOST_SOCKET: RuntimeFileKind = 'gh';

/**
 * A file of one VM's in the runtime folder, `<uuid8>.<kind>`: one naming for every socket
 * and temp file, short since unix socket paths must stay under 108 bytes.
 */
export function vmRuntimeFile(runtimeDir: string, uuid: string, kind: RuntimeFileKind): string {
  return path.join(runtimeDir, `${uuid.slice(0, 8)}.${kind}`);
}

/** Where a surviving guest host of the VM `uuid` listens for a new parent. */
export function guestHostSocket(runtimeDir: string, uuid: string): string {
  return vmRuntimeFile(runtimeDir, uuid, GUEST_HOST_SOCKET);
}

/** Whether `name`, in the runtime folder, is a surviving guest host's control socket. */
export function isGuestHostSocket(name: string): boolean {
  return name.endsWith(`.${GUEST_HOST_SOCKET}`);
}
