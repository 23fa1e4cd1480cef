import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { HostInfo, QemuBinary } from '../common/api';
import { findV86Firmware, firmwareHint, firmwareWhere } from './v86/firmware';
import { m } from '../common/messages';
import { findUefiFirmware, uefiHint } from './qemu/uefi';

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

export function qemuInstallHint(platform = process.platform): string {
  return m(platform === 'darwin' ? 'qemu.installMac' : platform === 'win32' ? 'qemu.installWin' : 'qemu.installLinux');
}

function kvmUsable(): { usable: boolean; detail: string } {
  if (process.platform !== 'linux') return { usable: false, detail: m('accel.kvmOnlyLinux') };
  try {
    fs.accessSync('/dev/kvm', fs.constants.R_OK | fs.constants.W_OK);
    return { usable: true, detail: m('accel.kvmOk') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { usable: false, detail: m(code === 'ENOENT' ? 'accel.kvmMissing' : 'accel.kvmDenied') };
  }
}

/**
 * A firmware image whose reset vector writes 0x31 to the isa-debug-exit port, so
 * QEMU exits with code 99 once a vCPU has really executed guest code.
 */
function probeFirmware(): string {
  const file = path.join(os.tmpdir(), `guesthouse-accel-probe-${process.getuid?.() ?? 'u'}.bin`);
  if (!fs.existsSync(file)) {
    const rom = Buffer.alloc(65536, 0xf4);
    Buffer.from([0xb0, 0x31, 0xe6, 0xf4, 0xf4, 0xeb, 0xfd]).copy(rom, 0xfff0); // mov al,0x31; out 0xf4,al; hlt; jmp
    fs.writeFileSync(`${file}.${process.pid}`, rom);
    fs.renameSync(`${file}.${process.pid}`, file);
  }
  return file;
}

/**
 * Runs a few guest instructions under `accel` with the CPU model Guesthouse would
 * use. A device node alone proves little: nested or broken KVM can open /dev/kvm
 * and still abort on the first vCPU run.
 */
export async function acceleratorRuns(qemuBinary: string, accel: 'kvm' | 'hvf' | 'whpx'): Promise<{ ok: boolean; detail: string }> {
  try {
    await run(qemuBinary, ['-nodefaults', '-no-user-config', '-display', 'none', '-machine', 'pc', '-accel', accel, '-cpu', 'host', '-m', '16', '-bios', probeFirmware(), '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04'], { timeout: 10_000 });
    return { ok: false, detail: m('accel.probeNoRun') };
  } catch (err) {
    const e = err as { code?: number | string; stderr?: string };
    if (e.code === 99) return { ok: true, detail: '' };
    const line = String(e.stderr ?? '').trim().split('\n').filter((l) => !l.includes('warning')).pop() ?? '';
    return { ok: false, detail: line.replace(/^qemu-system-\w+: /, '') || m('accel.probeExit', { code: String(e.code) }) };
  }
}

async function hvfUsable(): Promise<{ usable: boolean; detail: string }> {
  if (process.platform !== 'darwin') return { usable: false, detail: m('accel.hvfOnlyMac') };
  try {
    const { stdout } = await run('sysctl', ['-n', 'kern.hv_support'], { timeout: 5000 });
    return stdout.trim() === '1' ? { usable: true, detail: m('accel.hvfOk') } : { usable: false, detail: m('accel.hvfUnsupported') };
  } catch {
    return { usable: false, detail: m('accel.hvfUnknown') };
  }
}

async function whpxUsable(): Promise<{ usable: boolean; detail: string }> {
  if (process.platform !== 'win32') return { usable: false, detail: m('accel.whpxOnlyWindows') };
  const dll = path.join(process.env.SystemRoot ?? 'C:\\Windows', 'System32', 'WinHvPlatform.dll');
  return fs.existsSync(dll)
    ? { usable: true, detail: m('accel.whpxOk') }
    : { usable: false, detail: m('accel.whpxOff') };
}

export interface ProbeOptions {
  libraryPath: string;
  env?: NodeJS.ProcessEnv;
}

/** Looks at what this host really has: CPUs, memory, accelerators, QEMU. */
export async function probeHost(options: ProbeOptions): Promise<HostInfo> {
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
  const [hvf, whpx] = await Promise.all([hvfUsable(), whpxUsable()]);
  const hasQemu = binaries.some((b) => b.arch === 'x86_64');
  const firmware = findV86Firmware(env);
  const uefi = findUefiFirmware(env);
  let kvm = kvmUsable();
  if (kvm.usable && hasQemu) {
    const probe = await acceleratorRuns(binaries[0]!.path, 'kvm');
    if (!probe.ok) kvm = { usable: false, detail: m('accel.kvmBroken', { detail: probe.detail }) };
  }
  return {
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    logicalCpus: os.availableParallelism?.() ?? cpus.length,
    physicalCpus: physicalCpuCount(),
    memoryTotalMib: Math.floor(os.totalmem() / 2 ** 20),
    memoryFreeMib: Math.floor(os.freemem() / 2 ** 20),
    accelerators: [
      { kind: 'kvm', ...kvm },
      { kind: 'hvf', ...hvf },
      { kind: 'whpx', ...whpx },
      { kind: 'tcg', usable: hasQemu, detail: m(hasQemu ? 'accel.tcgOk' : 'accel.tcgNeedsQemu') },
    ],
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

/** Picks the accelerator for a VM from the config's wish and what the host has. */
export function pickAccelerator(
  wish: 'auto' | 'kvm' | 'hvf' | 'whpx' | 'tcg',
  host: Pick<HostInfo, 'accelerators'>,
): { accelerator: 'kvm' | 'hvf' | 'whpx' | 'tcg'; error?: string } {
  const usable = (k: string) => host.accelerators.find((a) => a.kind === k)?.usable ?? false;
  if (wish === 'auto') {
    for (const k of ['kvm', 'hvf', 'whpx'] as const) if (usable(k)) return { accelerator: k };
    return { accelerator: 'tcg' };
  }
  if (wish === 'tcg' || usable(wish)) return { accelerator: wish };
  const detail = host.accelerators.find((a) => a.kind === wish)?.detail ?? '';
  return { accelerator: 'tcg', error: m('accel.unusable', { accel: wish.toUpperCase(), detail }) };
}
