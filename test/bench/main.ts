/**
 * npm run bench [-- --quick] [-- --only NAME,...]   (names: start, console, rss, idle, scale, v86, display, snapshot, library, network, forward, media, agent, gui)
 * A/B benchmarks of Guesthouse against QEMU and v86 run by hand, interleaved in one
 * run. Measures and reports; never fails on a number. Writes bench/results/<date>.json
 * and prints a Markdown table with the machine it ran on.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HostInfo, IVmService, LibraryService } from '../../core/common/api';
import { pickAccelerator } from '../../core/node/host/hostProbe';
import { buildQemuArgv } from '../../core/node/guestHost/qemu/argv';
import { runtimeDir } from '../../core/node/shared/paths';
import { connectToService, type ServiceClient } from '../../core/node/transport/serviceClient';
import { findV86Firmware } from '../../core/node/host/v86Firmware';
import { benchDisplay, displayMarkdown } from './display';
import { RawQemu } from './rawQemu';
import { benchNetwork } from './network';
import { benchSnapshot, snapshotMarkdown } from './snapshot';
import { agentMarkdown, benchAgent } from './agent';
import { benchLibrary } from './library';
import { benchMedia, mediaMarkdown } from './media';
import type { BenchContext, BenchGuest } from './context';
import { benchForward } from './forward';
import { benchGui, guiMarkdown } from './gui';
import { markdownPairs, pairResult, percentile, summarize, type PairResult } from './stats';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'out', 'main', 'cli', 'main.js');
const SERVICE = path.join(ROOT, 'out', 'main', 'server', 'main.js');
const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const only = (() => {
  const i = args.indexOf('--only');
  return i >= 0 ? new Set(args[i + 1]!.split(',')) : null;
})();
const PAIRS = QUICK ? 1 : 5;
const WARMUP = QUICK ? 0 : 1;
const now = () => performance.timeOrigin + performance.now();
const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);

type Guest = BenchGuest;

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-bench-'));
const env = { ...process.env, GUESTHOUSE_HOME: home };
let client: ServiceClient;
let host: HostInfo;

function cli(cmd: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [CLI, ...cmd], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    c.once('exit', resolve);
  });
}

/** Attaches to a VM's console and resolves the moment `text` has been seen (backlog or stream). */
async function consoleMarker(service: LibraryService, vm: string, text: string, timeoutMs = 180_000): Promise<number> {
  let seen = '';
  let done!: (t: number) => void;
  const result = new Promise<number>((r) => (done = r));
  const a = await service.attachConsole(vm, (d) => {
    seen = (seen + Buffer.from(d).toString('latin1')).slice(-8192);
    if (seen.includes(text)) done(now());
  });
  seen += Buffer.from(a.backlog).toString('latin1');
  if (seen.includes(text)) done(now());
  const timer = setTimeout(() => done(Number.NaN), timeoutMs);
  const t = await result;
  clearTimeout(timer);
  a.dispose();
  return t;
}

function rssMib(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

function cpuTicks(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return 0;
  }
}

const tinyArgs = (g: Guest) => ({
  osType: 'other-x64' as const,
  memoryMib: 128,
  kernelPath: g.kernel,
  initrdPath: g.initrd,
  append: g.append,
  network: 'none' as const,
});

async function ensureVm(name: string, req: Omit<Parameters<IVmService['createVm']>[0], 'name'>) {
  try {
    return await client.getVm(name);
  } catch {
    return client.createVm({ ...req, name });
  }
}

/** 1. Start to first guest byte, and to the ready marker: CLI → service → guest host → QEMU vs raw QEMU. */
async function benchStart(g: Guest): Promise<PairResult[]> {
  const vm = await ensureVm('boot', tinyArgs(g));
  const accel = pickAccelerator('auto', host).accelerator;
  const dir = runtimeDir(home);
  fs.mkdirSync(dir, { recursive: true });
  const qmp = path.join(dir, 'raw.qmp');
  const ser = path.join(dir, 'raw.ser');
  const argv = buildQemuArgv(vm.config, vm.folder, { accelerator: accel, qmpSocket: qmp, serialSocket: ser });
  const binary = host.qemu.binaries.find((b) => b.arch === 'x86_64')!.path;
  const first: [number, number][] = [];
  const marker: [number, number][] = [];
  const breakdown: { cliToService: number; serviceToFirstByte: number; cliExit: number }[] = [];
  for (let i = 0; i < WARMUP + PAIRS; i++) {
    // A: Guesthouse, as a user runs it.
    const t0 = now();
    await cli(['start', 'boot']);
    const cliExit = now();
    const ghMarker = await consoleMarker(client, 'boot', g.readyMarker);
    const rt = (await client.getVm('boot')).runtime!;
    const ghFirst = rt.firstOutputAt!;
    const serviceAt = Date.parse(rt.startedAt);
    await client.powerOffVm('boot');
    // B: the same argv by hand.
    const raw = new RawQemu([g.readyMarker]);
    const t1 = now();
    await raw.start(binary, argv, qmp, ser);
    await raw.waitFor(g.readyMarker);
    const rawMarker = raw.seenAt.get(g.readyMarker)!;
    const rawFirst = raw.firstByteAt!;
    await raw.stop();
    if (i < WARMUP) continue;
    breakdown.push({ cliToService: serviceAt - t0, serviceToFirstByte: ghFirst - serviceAt, cliExit: cliExit - t0 });
    first.push([ghFirst - t0, rawFirst - t1]);
    marker.push([ghMarker - t0, rawMarker - t1]);
    log(
      `start pair ${i - WARMUP + 1}: first byte ${(ghFirst - t0).toFixed(0)} vs ${(rawFirst - t1).toFixed(0)} ms, marker ${(ghMarker - t0).toFixed(0)} vs ${(rawMarker - t1).toFixed(0)} ms`,
    );
  }
  const med = (k: keyof (typeof breakdown)[number]) => summarize(breakdown.map((b) => b[k])).median.toFixed(0);
  const where = `median: CLI process start → service starts the guest host ${med('cliToService')} ms; guest host + QEMU + guest boot → first byte ${med('serviceToFirstByte')} ms (raw QEMU alone ${summarize(first.map((f) => f[1])).median.toFixed(0)} ms); CLI exits at ${med('cliExit')} ms`;
  log(`start breakdown: ${where}`);
  return [
    pairResult('start → first guest byte', 'ms', 'guesthouse start', 'raw qemu', first, '≤ 1.03', where),
    pairResult('start → ready marker', 'ms', 'guesthouse start', 'raw qemu', marker, '≤ 1.03'),
  ];
}

/** 2 and 3. Console throughput and keystroke echo, Guesthouse's attached console vs a raw reader of QEMU's chardev socket. */
async function benchConsole(g: Guest): Promise<{ pairs: PairResult[]; echo: Record<string, unknown> }> {
  const vm = await ensureVm('boot', tinyArgs(g));
  await client.startVm('boot');
  await consoleMarker(client, 'boot', g.readyMarker);
  const dir = runtimeDir(home);
  const qmp = path.join(dir, 'raw.qmp');
  const ser = path.join(dir, 'raw.ser');
  const argv = buildQemuArgv({ ...vm.config, identity: { ...vm.config.identity, uuid: '00000000-0000-4000-8000-000000000001' } }, vm.folder, {
    accelerator: pickAccelerator('auto', host).accelerator,
    qmpSocket: qmp,
    serialSocket: ser,
  });
  const raw = new RawQemu();
  await raw.start(host.qemu.binaries.find((b) => b.arch === 'x86_64')!.path, argv, qmp, ser);
  await raw.waitFor(g.readyMarker);

  /** One end of a console: Guesthouse's attached client, or a raw reader of QEMU's socket. */
  interface ConsoleEnd {
    /** Listens until the returned function is called; `flowControl` acknowledges what arrives. */
    listen(onData: (d: Uint8Array) => void, flowControl: boolean): Promise<() => void>;
    write(data: string): Promise<void>;
  }
  const guesthouseEnd: ConsoleEnd = {
    listen: async (onData, flowControl) => {
      let attachment: { ack(n: number): void } | undefined;
      const a = await client.attachConsole(
        'boot',
        (d) => {
          onData(d);
          attachment?.ack(d.length);
        },
        { flowControl },
      );
      attachment = a;
      return () => a.dispose();
    },
    write: (data) => client.writeConsole('boot', Buffer.from(data)),
  };
  const rawEnd: ConsoleEnd = {
    listen: async (onData) => raw.onData(onData),
    write: async (data) => raw.write(data),
  };

  const bytes = QUICK ? 64 * 1024 : 512 * 1024;
  let marker = 0;
  /** KiB/s of a command's output reaching this end, from typing it to its end marker. */
  const throughputOf = async (end: ConsoleEnd) => {
    marker++;
    const last = `__T_${marker + 1}__`;
    let tail = '';
    let got = 0;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const off = await end.listen((d) => {
      got += d.length;
      tail = (tail + Buffer.from(d).toString('latin1')).slice(-64);
      if (tail.includes(last)) done();
    }, true);
    const t0 = now();
    await end.write(`head -c ${bytes} /dev/zero | tr '\\0' x; echo; echo __T_$((${marker}+1))__\n`);
    await finished;
    const seconds = (now() - t0) / 1000;
    off();
    return got / seconds / 1024;
  };
  const throughput: [number, number][] = [];
  for (let i = 0; i < WARMUP + PAIRS; i++) {
    const a = await throughputOf(guesthouseEnd);
    const b = await throughputOf(rawEnd);
    if (i >= WARMUP) throughput.push([a, b]);
    log(`throughput pair ${i + 1}: ${a.toFixed(1)} vs ${b.toFixed(1)} KiB/s`);
  }

  const keys = QUICK ? 10 : 100;
  /** Round trips of one typed key to its echo, then the line is cleared (Ctrl-U). */
  const echoOf = async (end: ConsoleEnd) => {
    const rtts: number[] = [];
    let pending: (() => void) | undefined;
    const off = await end.listen((d) => {
      if (Buffer.from(d).includes(0x78)) pending?.();
    }, false);
    for (let i = 0; i < keys; i++) {
      const got = new Promise<void>((r) => (pending = r));
      const t0 = now();
      await end.write('x');
      await got;
      rtts.push(now() - t0);
    }
    off();
    await end.write('\x15');
    return rtts;
  };
  const p50: [number, number][] = [];
  const p99: [number, number][] = [];
  for (let i = 0; i < WARMUP + PAIRS; i++) {
    const a = await echoOf(guesthouseEnd);
    const b = await echoOf(rawEnd);
    if (i < WARMUP) continue;
    p50.push([percentile(a, 50), percentile(b, 50)]);
    p99.push([percentile(a, 99), percentile(b, 99)]);
  }
  await raw.stop();
  await client.powerOffVm('boot');
  return {
    pairs: [
      pairResult(
        'console throughput, serial (16550)',
        'KiB/s',
        'attached console client',
        'raw chardev reader',
        throughput,
        '≥ 0.9',
        'virtio-console: not offered by the VM config yet',
      ),
      pairResult(`keystroke echo p50 (${keys} keys)`, 'ms', 'attached console client', 'raw chardev socket', p50, '≤ 1.2'),
      pairResult(`keystroke echo p99 (${keys} keys)`, 'ms', 'attached console client', 'raw chardev socket', p99, '≤ 1.2'),
    ],
    echo: { keysPerRun: keys },
  };
}

/** 4. Guest host RSS: QEMU engine (target ≤ 40 MiB), v86 at 64 and 128 MiB guests. */
async function benchRss(g: Guest, g86: Guest | null): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  await ensureVm('boot', tinyArgs(g));
  await client.startVm('boot');
  await consoleMarker(client, 'boot', g.readyMarker);
  const rt = (await client.getVm('boot')).runtime!;
  out.qemuGuestHostRssMib = rssMib(rt.guestHostPid);
  out.qemuProcessRssMib = rssMib(rt.enginePid!);
  await client.powerOffVm('boot');
  if (g86) {
    // 64 MiB cannot hold the initrd above v86's 64 MiB load address: the kernel boots
    // alone, and RSS is read once it has run to its (expected) "no root" panic.
    await ensureVm('v86-64', { engine: 'v86', osType: 'other-x86', memoryMib: 64, kernelPath: g86.bzImage, append: 'console=ttyS0', network: 'none' });
    await client.startVm('v86-64');
    await consoleMarker(client, 'v86-64', 'Kernel panic', 240_000);
    out.v86GuestHostRssMib64 = rssMib((await client.getVm('v86-64')).runtime!.guestHostPid);
    await client.powerOffVm('v86-64');
    await ensureVm('v86-128', {
      engine: 'v86',
      osType: 'other-x86',
      memoryMib: 128,
      kernelPath: g86.bzImage,
      initrdPath: g86.initrd,
      append: g86.append,
      network: 'none',
    });
    await client.startVm('v86-128');
    await consoleMarker(client, 'v86-128', g86.readyMarker, 240_000);
    out.v86GuestHostRssMib128 = rssMib((await client.getVm('v86-128')).runtime!.guestHostPid);
    await client.powerOffVm('v86-128');
  }
  log(`rss: ${JSON.stringify(out)}`);
  return out;
}

/** 5. CPU of the service plus guest hosts with idle guests (QEMU's own CPU reported apart). */
async function benchIdle(g: Guest): Promise<Record<string, unknown>> {
  const n = QUICK ? 2 : 8;
  const seconds = QUICK ? 5 : 30;
  const names = Array.from({ length: n }, (_, i) => `idle-${i}`);
  for (const name of names) await ensureVm(name, tinyArgs(g));
  await Promise.all(names.map((name) => client.startVm(name)));
  await Promise.all(names.map((name) => consoleMarker(client, name, g.readyMarker)));
  const servicePid = Number(fs.readFileSync(path.join(runtimeDir(home), 'service.pid'), 'utf8'));
  const runtimes = await Promise.all(names.map(async (name) => (await client.getVm(name)).runtime!));
  const managerPids = [servicePid, ...runtimes.map((r) => r.guestHostPid)];
  const qemuPids = runtimes.map((r) => r.enginePid!);
  const hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  const sum = (pids: number[]) => pids.reduce((s, p) => s + cpuTicks(p), 0);
  const [m0, q0, t0] = [sum(managerPids), sum(qemuPids), now()];
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const [m1, q1, t1] = [sum(managerPids), sum(qemuPids), now()];
  const wall = (t1 - t0) / 1000;
  const out = {
    guests: n,
    seconds,
    managerCpuPercentOfOneCore: ((m1 - m0) / hz / wall) * 100,
    qemuCpuPercentOfOneCore: ((q1 - q0) / hz / wall) * 100,
    target: 'manager ≤ 1 % of a core',
  };
  await Promise.all(names.map((name) => client.powerOffVm(name)));
  log(`idle: ${JSON.stringify(out)}`);
  return out;
}

/** 6. How many tiny guests start together and all reach the marker, and how long that takes. */
async function benchScale(g: Guest): Promise<Record<string, unknown>[]> {
  const counts = QUICK ? [1, 2] : [1, 2, 4, 8, 16];
  const out: Record<string, unknown>[] = [];
  for (const n of counts) {
    const names = Array.from({ length: n }, (_, i) => `scale-${i}`);
    for (const name of names) await ensureVm(name, tinyArgs(g));
    const t0 = now();
    const started = await Promise.allSettled(names.map((name) => client.startVm(name)));
    const ready = await Promise.all(
      names.map((name, i) => (started[i]!.status === 'fulfilled' ? consoleMarker(client, name, g.readyMarker, 300_000) : Promise.resolve(Number.NaN))),
    );
    const ok = ready.filter((t) => Number.isFinite(t)).length;
    const allReadyMs = ok === n ? Math.max(...ready) - t0 : Number.NaN;
    out.push({ guests: n, ready: ok, allReadyMs });
    log(`scale ${n}: ${ok} ready, all in ${allReadyMs.toFixed(0)} ms`);
    await Promise.allSettled(names.map((name) => client.powerOffVm(name)));
  }
  return out;
}

/** 7. v86 engine (CLI → service → guest host) vs v86 in plain Node, same image, boot to marker. */
async function benchV86(g86: Guest): Promise<PairResult> {
  await ensureVm('v86', {
    engine: 'v86',
    osType: 'other-x86',
    memoryMib: 128,
    kernelPath: g86.bzImage,
    initrdPath: g86.initrd,
    append: g86.append,
    network: 'none',
  });
  const fw = findV86Firmware()!;
  const script = `
    const { V86 } = require('v86');
    const e = new V86({ wasm_path: ${JSON.stringify(fw.wasm)}, bios: { url: ${JSON.stringify(fw.bios)} }, memory_size: 128 * 1024 * 1024,
      vga_memory_size: 8 * 1024 * 1024, bzimage: { url: ${JSON.stringify(g86.bzImage)} }, initrd: { url: ${JSON.stringify(g86.initrd)} },
      cmdline: ${JSON.stringify(g86.append)}, autostart: true, acpi: true, disable_keyboard: true, disable_mouse: true, disable_speaker: true });
    let seen = '';
    e.add_listener('serial0-output-byte', (b) => { seen = (seen + String.fromCharCode(b)).slice(-64); if (seen.includes(${JSON.stringify(g86.readyMarker)})) { process.stdout.write('READY\\n'); } });
  `;
  const pairs: [number, number][] = [];
  for (let i = 0; i < WARMUP + PAIRS; i++) {
    const t0 = now();
    await cli(['start', 'v86']);
    const a = (await consoleMarker(client, 'v86', g86.readyMarker, 240_000)) - t0;
    await client.powerOffVm('v86');
    const t1 = now();
    const child = spawn(process.execPath, ['--liftoff-only', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const b = await new Promise<number>((resolve) => child.stdout.on('data', (d: Buffer) => d.includes('READY') && resolve(now() - t1)));
    child.kill('SIGKILL');
    if (i >= WARMUP) pairs.push([a, b]);
    log(`v86 pair ${i + 1}: ${a.toFixed(0)} vs ${b.toFixed(0)} ms`);
  }
  return pairResult('v86 boot → ready marker', 'ms', 'guesthouse start (v86 engine)', 'v86 in plain Node', pairs, '≤ 1.05');
}

async function main(): Promise<void> {
  const mod = (await import(path.join(ROOT, 'test', 'guests', 'build.mjs'))) as { buildGuest(arch: string): Guest };
  const g = mod.buildGuest('amd64');
  let g86: Guest | null = null;
  try {
    g86 = findV86Firmware() ? mod.buildGuest('i386') : null;
  } catch (err) {
    log(`no i386 guest, v86 benchmarks skipped: ${(err as Error).message}`);
  }
  client = (await connectToService(home, SERVICE))!;
  host = await client.getHostInfo();
  const want = (name: string) => !only || only.has(name);
  const hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  const context: BenchContext = {
    service: client,
    host,
    runtimeDir: runtimeDir(home),
    quick: QUICK,
    pairs: PAIRS,
    warmup: WARMUP,
    hz,
    log,
    cpuTicks,
    consoleMarker,
    ensureVm,
  };
  const results: PairResult[] = [];
  const extra: Record<string, unknown> = {};
  try {
    if (want('library')) results.push(benchLibrary({ pairs: PAIRS, warmup: WARMUP }));
    if (want('media')) {
      const r = await benchMedia({ pairs: PAIRS, warmup: WARMUP, quick: QUICK, log });
      results.push(...r.pairs);
      Object.assign(extra, r.extra);
    }
    if (want('start')) results.push(...(await benchStart(g)));
    if (want('console')) results.push(...(await benchConsole(g)).pairs);
    if (want('rss')) extra.rss = await benchRss(g, g86);
    if (want('idle')) extra.idle = await benchIdle(g);
    if (want('scale')) extra.scale = await benchScale(g);
    if (want('v86') && g86) results.push(await benchV86(g86));
    if (want('display')) {
      const d = await benchDisplay(context, g, g86);
      results.push(...d.pairs);
      extra.display = d.extra;
    }
    if (want('snapshot')) {
      const s = await benchSnapshot(context, g);
      results.push(...s.pairs);
      extra.snapshot = s.extra;
    }
    if (want('network')) {
      const n = await benchNetwork(context, g);
      results.push(...n.pairs);
      extra.network = n.extra;
    }
    if (want('agent')) {
      const a = await benchAgent(context, g);
      results.push(...a.pairs);
      extra.agent = a.extra;
    }
    if (want('gui')) {
      const gui = await benchGui({ pairs: PAIRS, warmup: WARMUP, log });
      results.push(...gui.pairs);
      extra.gui = gui.extra;
    }
    if (want('forward')) {
      const f = await benchForward(context, g);
      results.push(...f.pairs);
    }
  } finally {
    client.close();
    await cli(['service', 'stop']);
  }
  const machine = {
    cpus: os.cpus().length,
    cpuModel: host.cpuModel,
    memoryMib: host.memoryTotalMib,
    accelerator: pickAccelerator('auto', host).accelerator,
    qemu: host.qemu.binaries[0]?.version ?? null,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
  const date = new Date().toISOString();
  const report = {
    date,
    quick: QUICK,
    pairs: PAIRS,
    warmup: WARMUP,
    machine,
    results: results.map((r) => ({ ...r, summary: { a: summarize(r.aValues), b: summarize(r.bValues), ratio: summarize(r.ratios) } })),
    ...extra,
  };
  const dir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${date.replace(/[:]/g, '-').replace(/\..*$/, '')}${QUICK ? '-quick' : ''}.json`);
  fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');

  const lines = [
    `## Guesthouse benchmarks${QUICK ? ' (quick: one pair each, no warm-up)' : ` (${PAIRS} pairs after ${WARMUP} warm-up, A/B interleaved)`}`,
    '',
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryMib} MiB, accelerator ${machine.accelerator}, QEMU ${machine.qemu}, Node ${machine.node}, ${machine.platform}`,
    '',
    markdownPairs(results),
    '',
  ];
  const rss = extra.rss as Record<string, number> | undefined;
  if (rss) {
    lines.push('| guest host RSS | MiB | target |', '|---|---|---|');
    lines.push(`| QEMU engine (guest host only; QEMU itself ${rss.qemuProcessRssMib?.toFixed(1)}) | ${rss.qemuGuestHostRssMib?.toFixed(1)} | ≤ 40 |`);
    if (rss.v86GuestHostRssMib64)
      lines.push(
        `| v86, 64 MiB guest (kernel only) | ${rss.v86GuestHostRssMib64.toFixed(1)} | |`,
        `| v86, 128 MiB guest | ${rss.v86GuestHostRssMib128!.toFixed(1)} | |`,
      );
    lines.push('');
  }
  const idle = extra.idle as Record<string, number> | undefined;
  if (idle)
    lines.push(
      `Idle: ${idle.guests} idle guests over ${idle.seconds} s: service + guest hosts ${idle.managerCpuPercentOfOneCore!.toFixed(2)} % of one core (target ≤ 1 %); the QEMUs themselves ${idle.qemuCpuPercentOfOneCore!.toFixed(1)} %.`,
      '',
    );
  const scale = extra.scale as { guests: number; ready: number; allReadyMs: number }[] | undefined;
  if (scale) {
    lines.push('| guests started together | reached the marker | time to all ready (ms) |', '|---|---|---|');
    for (const s of scale) lines.push(`| ${s.guests} | ${s.ready} | ${Number.isFinite(s.allReadyMs) ? s.allReadyMs.toFixed(0) : '–'} |`);
    lines.push('');
  }
  if (extra.display) lines.push(...displayMarkdown(extra.display as Record<string, unknown>));
  if (extra.snapshot) lines.push(...snapshotMarkdown(extra.snapshot as Record<string, unknown>));
  if (extra.media) lines.push(...mediaMarkdown(extra.media as Record<string, unknown>));
  if (extra.agent) lines.push(...agentMarkdown(extra.agent as Record<string, unknown>));
  if (extra.gui) lines.push(...guiMarkdown(extra.gui as Record<string, unknown>));
  const network = extra.network as { switchIdlePercent: number } | undefined;
  if (network) lines.push(`Private network switch CPU with two idle guests: ${network.switchIdlePercent.toFixed(3)} % of a core (target ≤ 0.5).`, '');
  lines.push(`Results: ${path.relative(ROOT, file)}`);
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
