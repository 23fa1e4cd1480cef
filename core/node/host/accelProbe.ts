import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { m, type SentenceData } from '../../common/messages';
import { sentenceDataSchema } from '../../common/apiSchemas';
import { writeFileAtomic } from '../shared/atomicFile';
import { cacheHome } from '../shared/paths';
import { lastStderrLine } from '../shared/stderrLine';
import { dieWithParent, killOnExit } from '../shared/dieWithParent';
import type { HardwareAccelerator } from '../../common/engines';

/** How long the probe may take; a vCPU that hangs (nested KVM in long mode) never ends it. */
export const PROBE_TIMEOUT_MS = 6000;

/**
 * The probe firmware's code (core/node/host/accelProbe.S, assembled with GNU as and linked at 0):
 * real mode → protected mode → long mode with 4-level paging, a 64-bit store and load
 * through the page tables, then `out 0xf4` to isa-debug-exit, so QEMU exits with code 99
 * only if the vCPU really ran 64-bit code, as every 64-bit kernel's entry does.
 */
const PROBE_CODE =
  'fab800f08ed8660f0116d0000f20c06683c8010f22c066ea1e000f00080066b810008ed88ec08ed0bc00800000bf0010000031c0b9000c0000f3abc7050010000003200000c7050020000003300000c70500300000830000000f20e083c8200f22e0b8001000000f22d8b9800000c00f320d000100000f300f20c00d000000800f22c0ea8a000f00180048b8efcdab89674523014889042500700000488b1c25007000004839c37504b031e6f4f4ebfd0000000000000000ffff0000009acf00ffff00000092cf00ffff0000009aaf001f00b0000f00';
/** At the reset vector (F000:FFF0): `ljmp $0xf000, $0`. */
const RESET_VECTOR = 'ea000000f0';

function probeFirmware(): string {
  const file = path.join(os.tmpdir(), `guesthouse-accel-probe-2-${process.getuid?.() ?? 'u'}.bin`);
  if (!fs.existsSync(file)) {
    const rom = Buffer.alloc(65536, 0xf4);
    Buffer.from(PROBE_CODE, 'hex').copy(rom, 0);
    Buffer.from(RESET_VECTOR, 'hex').copy(rom, 0xfff0);
    writeFileAtomic(file, rom);
  }
  return file;
}

/** The probe's argv: the machine and CPU model Guesthouse gives guests under `accel`. */
export function probeArgv(accel: HardwareAccelerator | 'tcg', firmware = probeFirmware()): string[] {
  return [
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    '-no-reboot',
    '-machine',
    'pc',
    '-accel',
    accel,
    '-cpu',
    accel === 'tcg' ? 'max' : 'host',
    '-m',
    '16',
    '-bios',
    firmware,
    '-device',
    'isa-debug-exit,iobase=0xf4,iosize=0x04',
  ];
}

export interface ProbeResult {
  ok: boolean;
  /** Why not, in one sentence (empty when ok). */
  detail: SentenceData;
}

/**
 * Runs the probe firmware under `accel`. A device node proves little: nested or broken
 * KVM opens /dev/kvm and then aborts at the first vCPU run, or runs real-mode code and
 * hangs for ever once the guest enters 64-bit mode.
 */
export function runProbe(qemuBinary: string, accel: HardwareAccelerator | 'tcg', timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  const name = accel.toUpperCase();
  // The probe's QEMU dies with this process (a CLI interrupted, a test worker torn down, the app
  // quit mid-probe): a hanging vCPU left behind would spin a core for ever.
  const [cmd, argv] = dieWithParent(qemuBinary, probeArgv(accel));
  return new Promise((resolve) => {
    const child = execFile(cmd, argv, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, _stdout, stderr) => {
      const e = err as (Error & { code?: number | string; killed?: boolean; signal?: string }) | null;
      if (e?.code === 99) return resolve({ ok: true, detail: { message: '' } });
      if (e?.killed) return resolve({ ok: false, detail: m('accel.no64Hang', { accel: name, seconds: Math.round(timeoutMs / 1000) }) });
      const line = lastStderrLine(String(stderr ?? ''), (l) => l.includes('warning'));
      if (line) return resolve({ ok: false, detail: m('accel.no64Error', { accel: name, detail: line.replace(/[.]$/, '') }) });
      // With -no-reboot a triple fault (a failed switch of modes) ends QEMU with 0.
      if (!e?.signal && !e?.code) return resolve({ ok: false, detail: m('accel.no64Reset', { accel: name }) });
      resolve({ ok: false, detail: m('accel.no64Exit', { accel: name, code: e.signal ?? String(e.code) }) });
    });
    killOnExit(child);
  });
}

const cacheSchema = z.record(z.string(), z.strictObject({ ok: z.boolean(), detail: sentenceDataSchema, at: z.string() }));

/**
 * What identifies one probe: the accelerator, the QEMU binary (path, size, mtime, inode:
 * a new QEMU is probed again), this host and its kernel.
 */
function cacheKey(qemuBinary: string, accel: HardwareAccelerator): string | null {
  try {
    const st = fs.statSync(qemuBinary);
    return [accel, qemuBinary, st.size, st.mtimeMs, st.ino, os.hostname(), os.release()].join('|');
  } catch {
    return null;
  }
}

function readCache(file: string): z.infer<typeof cacheSchema> {
  try {
    const parsed = cacheSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {}; // absent or unreadable: probe again
  }
}

/**
 * The probe's result for this host, QEMU binary and kernel, from the cache when there is
 * one (so a start costs nothing extra), else probed once and remembered.
 */
export function probeAccelerator(
  qemuBinary: string,
  accel: HardwareAccelerator,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProbeResult & { cached: boolean }> {
  const file = path.join(cacheHome(env), 'accelerator-probe.json');
  const key = cacheKey(qemuBinary, accel);
  const hit = key ? readCache(file)[key] : undefined;
  if (hit) return Promise.resolve({ ok: hit.ok, detail: hit.detail, cached: true });
  // Callers that ask while a probe runs share it: one QEMU, one answer.
  const flightKey = `${file}|${key ?? `${accel}|${qemuBinary}`}`;
  const flying = inFlight.get(flightKey);
  if (flying) return flying;
  const run = probeAndRemember(qemuBinary, accel, file, key).finally(() => inFlight.delete(flightKey));
  inFlight.set(flightKey, run);
  return run;
}

/** Probes under way in this process, by cache file and key. */
const inFlight = new Map<string, Promise<ProbeResult & { cached: boolean }>>();

async function probeAndRemember(qemuBinary: string, accel: HardwareAccelerator, file: string, key: string | null): Promise<ProbeResult & { cached: boolean }> {
  const result = await runProbe(qemuBinary, accel);
  if (key) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      // Entries of replaced binaries go; the file stays small.
      const kept = Object.fromEntries(Object.entries(readCache(file)).filter(([k]) => !k.startsWith(`${accel}|${qemuBinary}|`)));
      writeFileAtomic(file, JSON.stringify({ ...kept, [key]: { ...result, at: new Date().toISOString() } }, null, 2));
    } catch {
      // A cache that cannot be written costs a probe next time, nothing more.
    }
  }
  return { ...result, cached: false };
}
