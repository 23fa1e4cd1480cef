// The GUI with many VMs, in Debian's Chromium through `guesthouse serve` (one library, service and
// serve per size, so that the sizes are measured interleaved): the first list paint after the
// page's data arrives, a filter keystroke to the updated list, scrolling 1,000 rows, and the
// page's JS heap with 1,000 VMs against 100.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { connectToService } from '../../core/node/transport/serviceClient';
import { pairResult, percentile, type PairResult } from './stats';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'out', 'main', 'cli', 'main.js');
const SERVICE = path.join(ROOT, 'out', 'main', 'server', 'main.js');
const CHROMIUM = process.env.GUESTHOUSE_CHROMIUM ?? '/usr/lib/chromium/chromium';

interface Library {
  vms: number;
  home: string;
  url: string;
  serve: ChildProcess;
}

async function library(vms: number): Promise<Library> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `gh-bench-gui-${vms}-`));
  const client = (await connectToService(home, SERVICE))!;
  // As the e2e "200 VMs" test: small configs with no disk, made through the service.
  for (let i = 0; i < vms; i++) await client.createVm({ name: `gui-${String(i).padStart(4, '0')}`, osType: 'other-x64', memoryMib: 64, network: 'none' });
  client.close();
  const serve = spawn(process.execPath, [CLI, 'serve', '--port', '0'], {
    env: { ...process.env, GUESTHOUSE_HOME: home },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    serve.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    serve.once('exit', (code) => reject(new Error(`guesthouse serve exited with ${code}`)));
  });
  return { vms, home, url, serve };
}

async function closeLibrary(l: Library): Promise<void> {
  l.serve.kill('SIGINT');
  await new Promise((r) => l.serve.once('exit', r));
  spawnSync(process.execPath, [CLI, 'service', 'stop'], { env: { ...process.env, GUESTHOUSE_HOME: l.home }, stdio: 'ignore' });
  fs.rmSync(l.home, { recursive: true, force: true });
}

/** Loads the page; ms from the list's data arriving to the first frame painted with it. */
async function firstPaint(page: Page, l: Library): Promise<number> {
  await page.goto(l.url);
  await page.waitForFunction("performance.getEntriesByName('gh:list-painted').length > 0", null, { timeout: 60_000 });
  return page.evaluate("performance.getEntriesByName('gh:list-painted')[0].startTime - performance.getEntriesByName('gh:vms')[0].startTime");
}

// The in-page parts are JavaScript source (run by page.evaluate): this file is compiled without the DOM's types.

/**
 * Keystrokes into the search box, each (set as React sees typing) timed in the page to the
 * first frame painted after the list changed. Every query changes how many VMs match (the
 * group's count says it), so each keystroke changes the list.
 */
const KEYSTROKES = `(async (qs) => {
  const input = document.querySelector('input.search');
  const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  const times = [];
  for (const q of qs) {
    const sidebar = document.querySelector('.sidebar');
    const changed = new Promise((resolve) => {
      const o = new MutationObserver(() => { o.disconnect(); resolve(); });
      o.observe(sidebar, { childList: true, subtree: true, characterData: true });
    });
    const t0 = performance.now();
    setValue.call(input, q);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await changed;
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
    times.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 30));
  }
  return times;
})`;

async function keystrokes(page: Page): Promise<number[]> {
  const queries = ['7', '77', '777', '77', '7', '', '1', '12', '123', '12', '1', '', '9', '98', '9', '', '5', '53', '5', ''];
  return page.evaluate(`${KEYSTROKES}(${JSON.stringify(queries)})`);
}

/** Scrolls the whole list, a few rows per frame; the time between frames. */
const SCROLL = `new Promise((resolve) => {
  const list = document.querySelector('.list');
  list.scrollTop = 0;
  const frames = [];
  let last = performance.now();
  const step = (now) => {
    frames.push(now - last);
    last = now;
    list.scrollTop += 168;
    if (list.scrollTop + list.clientHeight >= list.scrollHeight - 1 || frames.length > 2000) resolve(frames.slice(1));
    else requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
})`;

async function scrollFrames(page: Page): Promise<number[]> {
  return page.evaluate(SCROLL);
}

/** The page's JS heap after a garbage collection, in MiB, with its DOM nodes. */
async function heap(page: Page): Promise<{ mib: number; nodes: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const { nodes } = await cdp.send('Memory.getDOMCounters');
  await cdp.detach();
  return { mib: usedSize / 2 ** 20, nodes };
}

export async function benchGui(o: { pairs: number; warmup: number; log(s: string): void }): Promise<{ pairs: PairResult[]; extra: Record<string, unknown> }> {
  o.log('gui: making libraries of 100, 200 and 1,000 VMs');
  const libs = { 100: await library(100), 200: await library(200), 1000: await library(1000) };
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    // The page's CSP allows no eval: the in-page parts below are strings, evaluated through the debugger protocol.
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    const paint: [number, number][] = [];
    const keys: [number, number][] = [];
    const memory: [number, number][] = [];
    const keyTimes: Record<number, number[]> = { 200: [], 1000: [] };
    const frames: number[] = [];
    const nodes: Record<number, number> = {};
    for (let i = 0; i < o.warmup + o.pairs; i++) {
      const p200 = await firstPaint(page, libs[200]);
      const k200 = await keystrokes(page);
      const p1000 = await firstPaint(page, libs[1000]);
      const k1000 = await keystrokes(page);
      const f = await scrollFrames(page);
      const h1000 = await heap(page);
      await firstPaint(page, libs[100]);
      const h100 = await heap(page);
      nodes[100] = h100.nodes;
      nodes[1000] = h1000.nodes;
      if (i < o.warmup) continue;
      paint.push([p200, p1000]);
      keys.push([percentile(k200, 95), percentile(k1000, 95)]);
      keyTimes[200]!.push(...k200);
      keyTimes[1000]!.push(...k1000);
      frames.push(...f);
      memory.push([h100.mib, h1000.mib]);
      o.log(
        `gui: paint ${p200.toFixed(1)} / ${p1000.toFixed(1)} ms, key p95 ${percentile(k1000, 95).toFixed(1)} ms, worst frame ${Math.max(...f).toFixed(1)} ms`,
      );
    }
    return {
      pairs: [
        pairResult('GUI: first list paint after the data arrives', 'ms', '200 VMs', '1,000 VMs', paint, '≤ 100 each'),
        pairResult('GUI: filter keystroke to updated list, p95 of 20', 'ms', '200 VMs', '1,000 VMs', keys, '≤ 16 each'),
        pairResult('GUI: page JS heap after GC', 'MiB', '100 VMs', '1,000 VMs', memory, '1,000 ≤ 1.5 × 100'),
      ],
      extra: {
        keystrokeP95Ms: { 200: percentile(keyTimes[200]!, 95), 1000: percentile(keyTimes[1000]!, 95) },
        scroll1000: { frames: frames.length, worstMs: Math.max(...frames), p95Ms: percentile(frames, 95), over50ms: frames.filter((f) => f > 50).length },
        domNodes: nodes,
      },
    };
  } finally {
    await browser?.close();
    for (const l of Object.values(libs)) await closeLibrary(l);
  }
}

export function guiMarkdown(extra: Record<string, unknown>): string[] {
  const s = extra.scroll1000 as { frames: number; worstMs: number; p95Ms: number; over50ms: number };
  const n = extra.domNodes as Record<string, number>;
  return [
    `GUI scrolling 1,000 VMs: ${s.frames} frames, worst ${s.worstMs.toFixed(1)} ms, p95 ${s.p95Ms.toFixed(1)} ms, ${s.over50ms} over 50 ms (target: none). DOM nodes: ${n[100]} with 100 VMs, ${n[1000]} with 1,000.`,
    '',
  ];
}
