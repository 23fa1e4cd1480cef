/**
 * The display benchmarks (`--only display`): the screen as front ends get it (IVmService.openDisplay
 * over the service's socket, which opens the guest host's RFB socket) against QEMU's own VNC socket
 * of the same guest, with the same small client (rfbClient.ts) on both.
 *   1. key press → glyph on the screen, p50 / p99 (A: openDisplay, B: QEMU's VNC socket)
 *   2. CPU of the guest host with one viewer on an idle guest, QEMU and v86 (with vs without the viewer)
 *   3. FramebufferUpdates/s and bytes/s while the guest scrolls text full screen (A vs B)
 * Each A/B pair also measures the guest host's own socket (C, in the log and the extra numbers), so
 * what each hop costs shows. Measures and reports; never fails on a number.
 */
import fs from 'node:fs';
import os from 'node:os';
import type { Duplex } from 'node:stream';
import type { CreateVmRequest } from '../../core/common/api';
import { vmRuntimeFile } from '../../core/node/shared/vmFolder';
import { openDisplayStream } from '../../core/node/transport/displayStream';
import { RfbClient } from './rfbClient';
import { pairResult, percentile, summarize, type PairResult } from './stats';
import type { BenchContext, BenchGuest } from './context';

export type DisplayGuest = Pick<BenchGuest, 'bzImage' | 'initrd' | 'readyMarker'>;

export type DisplayBenchContext = BenchContext;

/** The kernel's messages on the screen and the serial port; /dev/console (the markers) is the serial port, the screen gets its own shell on tty1. */
const SCREEN_APPEND = 'console=tty0 console=ttyS0 quiet nokaslr';
/** Lines that differ, so each scroll changes the whole picture (`yes` would scroll identical rows: no change to send). */
const SCROLL_COMMAND = 'while :; do echo $RANDOM$RANDOM$RANDOM$RANDOM$RANDOM; done\n';
const INPUT_READY = 'GUESTHOUSE-INPUT-READY';
const KEYSYM_X = 0x78;
const KEYSYM_BACKSPACE = 0xff08;

/** The A side of the display pairs: the screen as every front end now gets it. */
const A_SIDE = "RFB through openDisplay (the service's socket)";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU of `pids` (summed) over a window, as % of one core. */
function cpuMeter(ctx: DisplayBenchContext, pids: number[]) {
  const t0 = performance.now();
  const c0 = pids.map((p) => ctx.cpuTicks(p));
  return () => {
    const wall = (performance.now() - t0) / 1000;
    return pids.map((p, i) => ((ctx.cpuTicks(p) - c0[i]!) / ctx.hz / wall) * 100);
  };
}

/** A unix socket's path, or a way to open a stream (openDisplay). */
type Target = string | (() => Promise<Duplex>);

/** Connects, and treats a glyph change only in the upper part of a text cell (a blinking cursor is not an echo). */
async function viewer(target: Target): Promise<RfbClient> {
  const c = await RfbClient.connect(typeof target === 'string' ? target : await target());
  c.cellHeight = c.height > 0 && c.height % 25 === 0 ? c.height / 25 : 0;
  return c;
}

/**
 * Types `keys` single characters at the prompt, one at a time, each timed from its KeyEvent
 * to the first FramebufferUpdate that changes a glyph; then rubs them out again. A pause
 * of 5–29 ms (the same sequence on both sides) keeps the keys off the phase of QEMU's
 * 30 ms display refresh.
 */
async function keyToGlyph(socketPath: Target, keys: number): Promise<{ ms: number[]; timeouts: number }> {
  const c = await viewer(socketPath);
  try {
    await sleep(200); // the first update's tail, a cursor blink
    let waiting: ((at: number) => void) | null = null;
    c.onUpdate = (u) => {
      if (u.glyphChanged && waiting) {
        const w = waiting;
        waiting = null;
        w(u.at);
      }
    };
    let timeouts = 0;
    const press = async (keysym: number): Promise<number> => {
      const got = new Promise<number>((r) => (waiting = r));
      const t0 = performance.now();
      c.key(keysym, true);
      c.key(keysym, false);
      const at = await Promise.race([got, sleep(5000).then(() => Number.NaN)]);
      waiting = null;
      if (Number.isNaN(at)) timeouts++;
      return at - t0;
    };
    const ms: number[] = [];
    for (let i = 0; i < keys; i++) {
      ms.push(await press(KEYSYM_X));
      await sleep(5 + ((i * 7) % 25));
    }
    for (let i = 0; i < keys; i++) {
      await press(KEYSYM_BACKSPACE);
      await sleep(5 + ((i * 7) % 25));
    }
    if (c.error) throw c.error;
    return { ms: ms.filter(Number.isFinite), timeouts };
  } finally {
    c.close();
  }
}

/** One viewer for `seconds` after its first update: updates/s, bytes/s, and the CPU of `pids` meanwhile. */
async function watch(ctx: DisplayBenchContext, socketPath: Target, seconds: number, pids: number[]) {
  const c = await viewer(socketPath);
  try {
    const [u0, b0, t0] = [c.updates, c.bytes, performance.now()];
    const cpu = cpuMeter(ctx, pids);
    await sleep(seconds * 1000);
    const wall = (performance.now() - t0) / 1000;
    const used = cpu();
    if (c.closed) throw c.error ?? new Error('the viewer was disconnected');
    return { fps: (c.updates - u0) / wall, bytesPerS: (c.bytes - b0) / wall, cpu: used };
  } finally {
    c.close();
  }
}

async function idleWindow(ctx: DisplayBenchContext, seconds: number, pids: number[]): Promise<number[]> {
  const cpu = cpuMeter(ctx, pids);
  await sleep(seconds * 1000);
  return cpu();
}

const med = (xs: number[]) => summarize(xs).median;

/** Waits (≤ 20 s) until a viewer gets 1 MiB of updates in a row: the guest is scrolling, so the first side measured does not see the loop start. */
async function scrolling(socketPath: Target): Promise<void> {
  const c = await viewer(socketPath);
  try {
    const [end, b0] = [performance.now() + 20_000, c.bytes]; // after the first, whole-screen update
    while (c.bytes - b0 < 2 ** 20 && performance.now() < end && !c.closed) await sleep(50);
    await sleep(500);
  } finally {
    c.close();
  }
}

/** Guest host CPU on an idle guest, without and with one viewer (interleaved). */
async function idleCpu(ctx: DisplayBenchContext, socketPath: Target, seconds: number, pairs: number, guestHostPid: number, enginePid: number | undefined) {
  const pids = enginePid && enginePid !== guestHostPid ? [guestHostPid, enginePid] : [guestHostPid];
  const without: number[][] = [];
  const withViewer: { cpu: number[]; fps: number; bytesPerS: number }[] = [];
  for (let i = 0; i < pairs; i++) {
    without.push(await idleWindow(ctx, seconds, pids));
    withViewer.push(await watch(ctx, socketPath, seconds, pids));
    ctx.log(
      `display idle pair ${i + 1}: guest host ${without[i]![0]!.toFixed(2)} % without a viewer, ${withViewer[i]!.cpu[0]!.toFixed(2)} % with one (${withViewer[i]!.fps.toFixed(1)} updates/s, ${withViewer[i]!.bytesPerS.toFixed(0)} B/s)`,
    );
  }
  return {
    seconds,
    pairs,
    guestHostCpuPercentWithViewer: med(withViewer.map((w) => w.cpu[0]!)),
    guestHostCpuPercentWithoutViewer: med(without.map((w) => w[0]!)),
    ...(pids.length > 1
      ? { engineCpuPercentWithViewer: med(withViewer.map((w) => w.cpu[1]!)), engineCpuPercentWithoutViewer: med(without.map((w) => w[1]!)) }
      : {}),
    viewerUpdatesPerS: med(withViewer.map((w) => w.fps)),
    viewerBytesPerS: med(withViewer.map((w) => w.bytesPerS)),
    samples: { withViewer: withViewer.map((w) => w.cpu), without },
  };
}

async function startScreenGuest(ctx: DisplayBenchContext, name: string, req: Omit<CreateVmRequest, 'name'>): Promise<number> {
  await ctx.ensureVm(name, req);
  const t0 = performance.now();
  await ctx.service.startVm(name);
  return t0;
}

async function screenGuestReady(ctx: DisplayBenchContext, name: string, t0: number, readyMarker: string, timeoutMs: number) {
  const ready = await ctx.consoleMarker(ctx.service, name, readyMarker, timeoutMs);
  if (!Number.isFinite(ready)) throw new Error(`${name}: no ${readyMarker} on the serial port`);
  // The mice probed (after this nothing more prints), and the screen's shell has its prompt.
  await ctx.consoleMarker(ctx.service, name, INPUT_READY, 30_000);
  await ctx.service.waitForScreen(name, INPUT_READY, 30_000);
  ctx.log(`display: ${name} at the screen's shell in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const vm = await ctx.service.getVm(name);
  if (!vm.runtime) throw new Error(`${name}: not running`);
  const file = (kind: 'rfb' | 'vnc') => vmRuntimeFile(ctx.runtimeDir, vm.config.identity.uuid, kind);
  return { ...vm.runtime, display: () => openDisplayStream(ctx.service, name), guestHostSocket: file('rfb'), qemuSocket: file('vnc') };
}

export async function benchDisplay(
  ctx: DisplayBenchContext,
  g: DisplayGuest,
  g86: DisplayGuest | null,
): Promise<{ pairs: PairResult[]; extra: Record<string, unknown> }> {
  const { quick, pairs: PAIRS, warmup: WARMUP, log } = ctx;
  const pairs: PairResult[] = [];
  // The machine's load average as the display benchmarks start and end (they run under TCG on a shared host).
  const extra: Record<string, unknown> = { loadAverageAtStart: os.loadavg()[0] };
  const keys = quick ? 10 : 50;
  const idleSeconds = quick ? 2 : 10;
  const idlePairs = quick ? 1 : 2;
  const scrollSeconds = quick ? 2 : 5;

  // The screen needs the bzImage (through PVH Linux gets no vgacon), and that boots slowly
  // under TCG (~15–25 s here). --quick boots the v86 guest alongside, to stay short.
  const vm = 'display';
  const v = 'display-v86';
  const v86Request = g86
    ? {
        engine: 'v86' as const,
        osType: 'other-x86' as const,
        memoryMib: 128,
        kernelPath: g86.bzImage,
        initrdPath: g86.initrd,
        append: SCREEN_APPEND,
        network: 'none' as const,
      }
    : null;
  let v86Started: Promise<number> | null = quick && v86Request ? startScreenGuest(ctx, v, v86Request) : null;
  v86Started?.catch(() => undefined);
  // QEMU: the bridged path against QEMU's own VNC socket, on one guest.
  const rt = await screenGuestReady(
    ctx,
    vm,
    await startScreenGuest(ctx, vm, {
      osType: 'other-x64',
      memoryMib: 128,
      kernelPath: g.bzImage,
      initrdPath: g.initrd,
      append: SCREEN_APPEND,
      network: 'none',
    }),
    g.readyMarker,
    180_000,
  );
  try {
    // A: what front ends get; C: the guest host's socket, which openDisplay opens; B: QEMU's
    // -vnc unix:<runtime>/<uuid8>.vnc, which only the guest host opens (core/node/guestHost/qemu/engine.ts).
    const display = rt.display;
    const ghSocket = rt.guestHostSocket;
    const rawSocket = rt.qemuSocket;
    if (!fs.existsSync(rawSocket)) throw new Error(`no QEMU VNC socket at ${rawSocket}`);

    // 1. Key press → glyph.
    const p50: [number, number][] = [];
    const p99: [number, number][] = [];
    let timeouts = 0;
    const pooled: { a: number[]; b: number[]; c: number[] } = { a: [], b: [], c: [] };
    for (let i = 0; i < WARMUP + PAIRS; i++) {
      const a = await keyToGlyph(display, keys);
      const b = await keyToGlyph(rawSocket, keys);
      const c = await keyToGlyph(ghSocket, keys);
      timeouts += a.timeouts + b.timeouts;
      log(
        `display key→glyph pair ${i + 1}: p50 ${percentile(a.ms, 50).toFixed(1)} vs ${percentile(b.ms, 50).toFixed(1)} ms (guest host socket ${percentile(c.ms, 50).toFixed(1)}), p99 ${percentile(a.ms, 99).toFixed(1)} vs ${percentile(b.ms, 99).toFixed(1)} ms (${percentile(c.ms, 99).toFixed(1)})${a.timeouts + b.timeouts ? `, ${a.timeouts}/${b.timeouts} keys without an echo in 5 s` : ''}`,
      );
      if (i < WARMUP) continue;
      pooled.a.push(...a.ms);
      pooled.b.push(...b.ms);
      pooled.c.push(...c.ms);
      p50.push([percentile(a.ms, 50), percentile(b.ms, 50)]);
      p99.push([percentile(a.ms, 99), percentile(b.ms, 99)]);
    }
    const keyPooled = {
      p50: [percentile(pooled.a, 50), percentile(pooled.b, 50)],
      p90: [percentile(pooled.a, 90), percentile(pooled.b, 90)],
      p99: [percentile(pooled.a, 99), percentile(pooled.b, 99)],
      keys: [pooled.a.length, pooled.b.length],
      guestHostSocket: { p50: percentile(pooled.c, 50), p90: percentile(pooled.c, 90), p99: percentile(pooled.c, 99) },
    };
    const pct = (k: 'p50' | 'p90' | 'p99') => `${k} ${keyPooled[k][0]!.toFixed(1)} vs ${keyPooled[k][1]!.toFixed(1)} ms`;
    const keyNote = `${keys} keys a run, each timed from the KeyEvent to the first update changing a glyph, at the shell prompt of the tiny guest's VGA text console; all runs' keys pooled: ${pct('p50')}, ${pct('p90')}, ${pct('p99')}${timeouts ? `; ${timeouts} keys got no echo in 5 s (left out)` : ''}`;
    pairs.push(
      pairResult(`display key → glyph p50 (${keys} keys)`, 'ms', A_SIDE, "RFB on QEMU's VNC socket", p50, '≤ 1.2', keyNote),
      pairResult(`display key → glyph p99 (${keys} keys)`, 'ms', A_SIDE, "RFB on QEMU's VNC socket", p99, '≤ 1.2'),
    );

    // 2. Guest host CPU with one viewer, idle guest.
    const qemuIdle = await idleCpu(ctx, display, idleSeconds, idlePairs, rt.guestHostPid, rt.enginePid);
    log(`display idle (QEMU): ${JSON.stringify({ ...qemuIdle, samples: undefined })}`);

    // 3. Full-screen scrolling: updates/s and bytes/s to one viewer, A B A B.
    await ctx.service.sendKeys(vm, { text: SCROLL_COMMAND });
    await scrolling(display);
    const fps: [number, number][] = [];
    const bps: [number, number][] = [];
    const ghCpu: number[] = [];
    const ghFps: number[] = [];
    const pids = [rt.guestHostPid, ...(rt.enginePid ? [rt.enginePid] : [])];
    for (let i = 0; i < WARMUP + PAIRS; i++) {
      const a = await watch(ctx, display, scrollSeconds, pids);
      const b = await watch(ctx, rawSocket, scrollSeconds, pids);
      const c = await watch(ctx, ghSocket, scrollSeconds, pids);
      log(
        `display scroll pair ${i + 1}: ${a.fps.toFixed(1)} vs ${b.fps.toFixed(1)} updates/s (guest host socket ${c.fps.toFixed(1)}), ${(a.bytesPerS / 2 ** 20).toFixed(2)} vs ${(b.bytesPerS / 2 ** 20).toFixed(2)} MiB/s; guest host ${a.cpu[0]!.toFixed(1)} % (QEMU ${a.cpu[1]?.toFixed(0)} vs ${b.cpu[1]?.toFixed(0)} %)`,
      );
      if (i < WARMUP) continue;
      ghFps.push(c.fps);
      fps.push([a.fps, b.fps]);
      bps.push([a.bytesPerS / 2 ** 20, b.bytesPerS / 2 ** 20]);
      ghCpu.push(a.cpu[0]!);
    }
    await ctx.service.sendKeys(vm, { chord: 'ctrl-c' }).catch(() => undefined);
    const scrollNote = `\`${SCROLL_COMMAND.trim()}\` on the VGA text console, ${scrollSeconds} s a side, Raw encoding, an incremental request always pending; the guest host's CPU meanwhile ${med(ghCpu).toFixed(1)} % of a core (median)`;
    pairs.push(
      pairResult('display updates/s, full-screen scrolling', 'updates/s', A_SIDE, "RFB on QEMU's VNC socket", fps, '≥ 0.9', scrollNote),
      pairResult('display bytes/s, full-screen scrolling', 'MiB/s', A_SIDE, "RFB on QEMU's VNC socket", bps, '≥ 0.9'),
    );
    extra.qemu = {
      keysPerRun: keys,
      keysWithoutEcho: timeouts,
      keyToGlyphPooledMs: keyPooled,
      idle: qemuIdle,
      scroll: { seconds: scrollSeconds, guestHostCpuPercent: ghCpu, guestHostSocketUpdatesPerS: ghFps },
    };
  } finally {
    await ctx.service.powerOffVm(vm).catch(() => undefined);
  }

  // v86: the guest host is the emulator; its CPU with and without one viewer.
  if (g86 && v86Request) {
    v86Started ??= startScreenGuest(ctx, v, v86Request);
    const rt86 = await screenGuestReady(ctx, v, await v86Started, g86.readyMarker, 240_000);
    try {
      const v86Idle = await idleCpu(ctx, rt86.display, idleSeconds, idlePairs, rt86.guestHostPid, undefined);
      log(`display idle (v86): ${JSON.stringify({ ...v86Idle, samples: undefined })}`);
      extra.v86 = { idle: v86Idle };
    } finally {
      await ctx.service.powerOffVm(v).catch(() => undefined);
    }
  }
  extra.loadAverageAtEnd = os.loadavg()[0];
  return { pairs, extra };
}

/** Markdown lines for the non-A/B display numbers. */
export function displayMarkdown(extra: Record<string, unknown>): string[] {
  const lines = [
    '| display, idle guest, one viewer | guest host % of a core, with viewer | without | engine with / without | updates/s, bytes/s to the viewer | target |',
    '|---|---|---|---|---|---|',
  ];
  const row = (label: string, d: Record<string, number> | undefined, target: string) => {
    if (!d) return;
    const engine =
      d.engineCpuPercentWithViewer !== undefined
        ? `${d.engineCpuPercentWithViewer.toFixed(1)} / ${d.engineCpuPercentWithoutViewer!.toFixed(1)} %`
        : '(the guest host is the emulator)';
    lines.push(
      `| ${label}, ${d.seconds} s | ${d.guestHostCpuPercentWithViewer!.toFixed(2)} | ${d.guestHostCpuPercentWithoutViewer!.toFixed(2)} | ${engine} | ${d.viewerUpdatesPerS!.toFixed(1)}, ${d.viewerBytesPerS!.toFixed(0)} B/s | ${target} |`,
    );
  };
  row('QEMU (VNC bridged)', (extra.qemu as { idle?: Record<string, number> } | undefined)?.idle, '≤ 2 % with viewer');
  row('v86 (RFB served from the screen)', (extra.v86 as { idle?: Record<string, number> } | undefined)?.idle, 'delta reported');
  const load = [extra.loadAverageAtStart, extra.loadAverageAtEnd].map((l) => (typeof l === 'number' ? l.toFixed(1) : '?'));
  lines.push('', `Load average (1 min) as the display benchmarks started / ended: ${load[0]} / ${load[1]}.`);
  return lines.length > 4 ? [...lines, ''] : [];
}
