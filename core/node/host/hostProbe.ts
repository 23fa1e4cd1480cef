import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { HostBasics, HostInfo, QemuBinary } from '../../common/api';
import { findV86Firmware, firmwareHint, firmwareWhere } from './v86Firmware';
import { m, sentences, type Sentence, type SentenceData } from '../../common/messages';
import { findUefiFirmware, uefiHint } from '../library/uefiVars';
import { probeAccelerator } from './accelProbe';
import { readHostSettings, type HostSettings } from '../library/hostSettings';
import { acceleratorKinds, hardwareAccelerators, type AcceleratorKind, type AcceleratorSetting, type HardwareAccelerator } from '../../common/engines';

const run = promisify(execFile);

/** Where QEMU usually lives besides PATH, per OS. */
function usualDirs(platform: NodeJS.Platform): string[] {
  if (platform === 'darwin') return ['/opt/homebrew/bin', '/usr/local/bin', '/opt/local/bin'];
  if (platform === 'win32') return ['C:\\Program Files\\qemu', 'C:\\Program Files (x86)\\qemu'];
  return ['/usr/bin', '/usr/local/bin', '/usr/libexec', '/snap/bin'];
}

/**
 * The folders searched for QEMU. GUESTHOUSE_QEMU_DIR replaces the search with one
 * folder (for a QEMU of one's own, or to run as if QEMU were absent).
 */
export function qemuSearchDirs(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string[] {
  if (env.GUESTHOUSE_QEMU_DIR !== undefined) return env.GUESTHOUSE_QEMU_DIR ? [env.GUESTHOUSE_QEMU_DIR] : [];
  const fromPath = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  return [...new Set([...fromPath, ...usualDirs(platform)])];
}

function findExecutable(name: string, dirs: string[]): string | null {
  const exe = process.platform === 'win32' ? `${name}.exe` : name;
  for (const dir of dirs) {
    const candidate = path.join(dir, exe);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

async function versionOf(binary: string): Promise<string> {
  try {
    const { stdout } = await run(binary, ['--version'], { timeout: 10_000 });
    return /version (\d+\.\d+(?:\.\d+)?)/.exec(stdout)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function qemuInstallHint(platform = process.platform): Sentence {
  return m(platform === 'darwin' ? 'qemu.installMac' : platform === 'win32' ? 'qemu.installWin' : 'qemu.installLinux');
}

/** The KVM device (GUESTHOUSE_KVM_DEVICE names another, for tests and unusual setups). */
function kvmUsable(env: NodeJS.ProcessEnv): { usable: boolean; detail: SentenceData } {
  if (process.platform !== 'linux') return { usable: false, detail: m('accel.kvmOnlyLinux') };
  try {
    fs.accessSync(env.GUESTHOUSE_KVM_DEVICE || '/dev/kvm', fs.constants.R_OK | fs.constants.W_OK);
    return { usable: true, detail: m('accel.kvmOk') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { usable: false, detail: m(code === 'ENOENT' ? 'accel.kvmMissing' : 'accel.kvmDenied') };
  }
}

async function hvfUsable(): Promise<{ usable: boolean; detail: SentenceData }> {
  if (process.platform !== 'darwin') return { usable: false, detail: m('accel.hvfOnlyMac') };
  try {
    const { stdout } = await run('sysctl', ['-n', 'kern.hv_support'], { timeout: 5000 });
    return stdout.trim() === '1' ? { usable: true, detail: m('accel.hvfOk') } : { usable: false, detail: m('accel.hvfUnsupported') };
  } catch {
    return { usable: false, detail: m('accel.hvfUnknown') };
  }
}

async function whpxUsable(): Promise<{ usable: boolean; detail: SentenceData }> {
  if (process.platform !== 'win32') return { usable: false, detail: m('accel.whpxOnlyWindows') };
  const dll = path.join(process.env.SystemRoot ?? 'C:\\Windows', 'System32', 'WinHvPlatform.dll');
  return fs.existsSync(dll) ? { usable: true, detail: m('accel.whpxOk') } : { usable: false, detail: m('accel.whpxOff') };
}

export interface ProbeOptions {
  libraryPath: string;
  /** The library's home, where the host-wide settings live. */
  home?: string;
  env?: NodeJS.ProcessEnv;
}

type Choice = HostInfo['acceleratorChoice'];

/**
 * What VMs with accelerator auto get: GUESTHOUSE_ACCELERATOR, else the host panel's
 * setting, else the first hardware accelerator whose probe ran 64-bit code, else TCG.
 */
export function chooseAccelerator(accelerators: HostInfo['accelerators'], settings: HostSettings, env: NodeJS.ProcessEnv): Choice {
  const fromEnv = env.GUESTHOUSE_ACCELERATOR?.trim().toLowerCase();
  if (fromEnv && fromEnv !== 'auto') {
    if ((acceleratorKinds as readonly string[]).includes(fromEnv)) {
      return { accelerator: fromEnv as Choice['accelerator'], source: 'environment', reason: m('accel.choiceEnv', { accel: fromEnv.toUpperCase() }) };
    }
    const rest = chooseAccelerator(accelerators, settings, { ...env, GUESTHOUSE_ACCELERATOR: '' });
    return { ...rest, reason: sentences(m('accel.envInvalid', { value: env.GUESTHOUSE_ACCELERATOR ?? '' }), rest.reason) };
  }
  if (settings.accelerator !== 'auto') {
    return { accelerator: settings.accelerator, source: 'setting', reason: m('accel.choiceSetting', { accel: settings.accelerator.toUpperCase() }) };
  }
  const usable = accelerators.find((a) => a.kind !== 'tcg' && a.usable);
  if (usable) return { accelerator: usable.kind, source: 'probe', reason: m('accel.choiceProbe', { accel: usable.kind.toUpperCase() }) };
  const refused = accelerators.find((a) => a.kind !== 'tcg' && a.present);
  return {
    accelerator: 'tcg',
    source: 'probe',
    reason: refused ? m('accel.choiceTcgBecause', { detail: refused.detail }) : m('accel.choiceTcg'),
  };
}

/** Looks at what this host has, all but the accelerators' probe: CPUs, memory, QEMU, firmware. Cheap. */
export async function probeHostBasics(options: ProbeOptions): Promise<HostBasics> {
  const env = options.env ?? process.env;
  const dirs = qemuSearchDirs(env);
  const binaries: QemuBinary[] = [];
  for (const arch of ['x86_64', 'i386', 'aarch64']) {
    const found = findExecutable(`qemu-system-${arch}`, dirs);
    if (found) binaries.push({ arch, path: found, version: await versionOf(found) });
  }
  const imgPath = findExecutable('qemu-img', dirs);
  const img = imgPath ? { path: imgPath, version: await versionOf(imgPath) } : null;
  const cpus = os.cpus();
  const hasQemu = binaries.some((b) => b.arch === 'x86_64');
  const firmware = findV86Firmware(env);
  const uefi = findUefiFirmware(env);
  const settings = options.home ? readHostSettings(options.home) : { accelerator: 'auto' as const };
  return {
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    logicalCpus: os.availableParallelism?.() ?? cpus.length,
    physicalCpus: physicalCpuCount(),
    memoryTotalMib: Math.floor(os.totalmem() / 2 ** 20),
    memoryFreeMib: Math.floor(os.freemem() / 2 ** 20),
    settings,
    qemu: { binaries, img, installHint: hasQemu && img ? null : qemuInstallHint() },
    autoEngine: hasQemu
      ? { engine: 'qemu', reason: m('engine.autoQemu', { version: binaries[0]!.version, path: binaries[0]!.path }) }
      : firmware
        ? { engine: 'v86', reason: m('engine.autoV86') }
        : { engine: null, reason: m('engine.autoNothing', { where: firmwareWhere() }) },
    v86: firmware
      ? { available: true, ...firmware, detail: m(firmware.vgaBios ? 'v86.seabiosAt' : 'v86.seabiosNoVga', { bios: firmware.bios }) }
      : { available: false, bios: null, vgaBios: null, wasm: null, detail: firmwareHint() },
    uefi: uefi ? { available: true, ...uefi, detail: m('uefi.found', { code: uefi.code }) } : { available: false, code: null, vars: null, detail: uefiHint() },
    libraryPath: options.libraryPath,
  };
}

export type HostAccelerators = Pick<HostInfo, 'accelerators' | 'acceleratorChoice'>;

/**
 * The accelerators of a host whose basics are known: each present hardware accelerator
 * counts only once QEMU has run 64-bit guest code with it (the probe: up to
 * PROBE_TIMEOUT_MS the first time, then from the cache).
 */
export async function probeAccelerators(basics: HostBasics, env: NodeJS.ProcessEnv = process.env): Promise<HostAccelerators> {
  const [hvf, whpx] = await Promise.all([hvfUsable(), whpxUsable()]);
  const nominal: Record<HardwareAccelerator, { usable: boolean; detail: SentenceData }> = { kvm: kvmUsable(env), hvf, whpx };
  const x86 = basics.qemu.binaries.find((b) => b.arch === 'x86_64');
  const accelerators: HostInfo['accelerators'] = [];
  for (const kind of hardwareAccelerators) {
    let { usable, detail } = nominal[kind];
    const present = usable;
    if (usable && x86 && process.arch === 'x64') {
      const probe = await probeAccelerator(x86.path, kind, env);
      if (!probe.ok) ({ usable, detail } = { usable: false, detail: probe.detail });
    }
    accelerators.push({ kind, usable, present, detail });
  }
  const hasQemu = Boolean(x86);
  accelerators.push({ kind: 'tcg', usable: hasQemu, present: hasQemu, detail: m(hasQemu ? 'accel.tcgOk' : 'accel.tcgNeedsQemu') });
  return { accelerators, acceleratorChoice: chooseAccelerator(accelerators, basics.settings, env) };
}

/** Looks at what this host really has: CPUs, memory, accelerators (probed), QEMU. */
export async function probeHost(options: ProbeOptions): Promise<HostInfo> {
  const basics = await probeHostBasics(options);
  return { ...basics, ...(await probeAccelerators(basics, options.env ?? process.env)) };
}

/** Physical cores (Linux: distinct core ids); falls back to the logical count. */
function physicalCpuCount(): number {
  try {
    const info = fs.readFileSync('/proc/cpuinfo', 'utf8');
    const cores = new Set<string>();
    let physical = '0';
    for (const line of info.split('\n')) {
      const [key, value] = line.split(':').map((s) => s.trim());
      if (key === 'physical id') physical = value ?? '0';
      if (key === 'core id') cores.add(`${physical}:${value}`);
    }
    if (cores.size > 0) return cores.size;
  } catch {
    // not Linux
  }
  return os.cpus().length;
}

/**
 * Picks the accelerator for a VM: its own setting wins; auto takes the host's choice. A
 * hardware accelerator the probe refused is still used where the user said so host-wide.
 */
export function pickAccelerator(
  wish: AcceleratorSetting,
  host: Pick<HostInfo, 'accelerators' | 'acceleratorChoice'>,
): { accelerator: AcceleratorKind; error?: Sentence } {
  if (wish === 'auto') return { accelerator: host.acceleratorChoice.accelerator };
  const usable = host.accelerators.find((a) => a.kind === wish)?.usable ?? false;
  if (wish === 'tcg' || usable || (host.acceleratorChoice.source !== 'probe' && host.acceleratorChoice.accelerator === wish)) return { accelerator: wish };
  const detail = host.accelerators.find((a) => a.kind === wish)?.detail ?? '';
  return { accelerator: 'tcg', error: m('accel.unusable', { accel: wish.toUpperCase(), detail }) };
}
