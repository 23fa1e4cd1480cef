/**
 * The guest agent benchmark (`--only agent`): `exec` of `true` through Guesthouse (service →
 * guest host → qemu-ga: resync, guest-exec, guest-exec-status polls), round trip p50/p99; and
 * copy throughput into and out of the guest (service → guest host → guest-file-write/-read in
 * 1 MiB chunks, with progress events) against the same guest-file-* commands driven by hand
 * over the same agent socket (one connection, one resync, the same chunk size, no service).
 * Measures and reports; never fails on a number.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { COPY_CHUNK_BYTES } from '../../core/node/guestHost/agentSide';
import { GuestAgentClient } from '../../core/node/guestHost/qemu/guestAgent';
import { vmRuntimeFile } from '../../core/node/shared/vmFolder';
import type { BenchContext, BenchGuest } from './context';
import { pairResult, percentile, summarize, type PairResult } from './stats';

const MIB = 2 ** 20;

/** guest-file-write of a whole host file by hand, in COPY_CHUNK_BYTES chunks. */
async function writeByHand(client: GuestAgentClient, file: string, guestPath: string): Promise<void> {
  const data = fs.readFileSync(file);
  await client.session(async (s) => {
    const handle = await s.call<number>('guest-file-open', { path: guestPath, mode: 'w' });
    for (let at = 0; at < data.length; at += COPY_CHUNK_BYTES) {
      await s.call('guest-file-write', { handle, 'buf-b64': data.toString('base64', at, Math.min(data.length, at + COPY_CHUNK_BYTES)) }, 60_000);
    }
    await s.call('guest-file-close', { handle });
  });
}

/** guest-file-read of a whole guest file by hand into a host file. */
async function readByHand(client: GuestAgentClient, guestPath: string, file: string): Promise<void> {
  const parts: Buffer[] = [];
  await client.session(async (s) => {
    const handle = await s.call<number>('guest-file-open', { path: guestPath, mode: 'r' });
    for (;;) {
      const chunk = await s.call<{ count: number; 'buf-b64': string; eof: boolean }>('guest-file-read', { handle, count: COPY_CHUNK_BYTES }, 60_000);
      parts.push(Buffer.from(chunk['buf-b64'], 'base64'));
      if (chunk.eof || !chunk.count) break;
    }
    await s.call('guest-file-close', { handle });
  });
  fs.writeFileSync(file, Buffer.concat(parts));
}

export async function benchAgent(
  c: BenchContext,
  g: Pick<BenchGuest, 'kernel' | 'initrd' | 'append' | 'readyMarker'> & { agentReadyMarker?: string },
): Promise<{ pairs: PairResult[]; extra: Record<string, unknown> }> {
  const name = 'agent-bench';
  const vm = await c.ensureVm(name, { osType: 'other-x64', memoryMib: 256, kernelPath: g.kernel, initrdPath: g.initrd, append: g.append, network: 'none' });
  await c.service.startVm(name);
  const pairs: PairResult[] = [];
  const extra: Record<string, unknown> = {};
  try {
    await c.consoleMarker(c.service, name, g.agentReadyMarker ?? 'GUESTHOUSE-AGENT-READY');
    await c.service.guestInfo(name);

    // exec of `true`: the whole round trip as a front end sees it.
    const runs = c.quick ? 10 : 50;
    for (let i = 0; i < c.warmup; i++) await c.service.execInGuest(name, ['true']);
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await c.service.execInGuest(name, ['true']);
      ms.push(performance.now() - t0);
    }
    extra.execTrue = { runs, p50Ms: percentile(ms, 50), p99Ms: percentile(ms, 99), ...summarize(ms) };
    c.log(`agent: exec true p50 ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms`);

    // Copy throughput, Guesthouse vs by hand over the same socket, alternating.
    const sizeMib = c.quick ? 4 : 16;
    const dir = fs.mkdtempSync(path.join(vm.folder, 'agent-bench-'));
    const src = path.join(dir, 'src.bin');
    fs.writeFileSync(src, crypto.randomBytes(sizeMib * MIB));
    const hand = new GuestAgentClient(vmRuntimeFile(c.runtimeDir, vm.id, 'ga'));
    const mibps = (t0: number) => sizeMib / ((performance.now() - t0) / 1000);
    const inPairs: [number, number][] = [];
    const outPairs: [number, number][] = [];
    for (let i = 0; i < Math.max(1, Math.min(c.pairs, c.quick ? 1 : 3)); i++) {
      let t0 = performance.now();
      await c.service.copyToGuest(name, src, '/tmp/gh.bin');
      const a = mibps(t0);
      t0 = performance.now();
      await writeByHand(hand, src, '/tmp/hand.bin');
      inPairs.push([a, mibps(t0)]);
      t0 = performance.now();
      await c.service.copyFromGuest(name, '/tmp/gh.bin', path.join(dir, 'gh.out'));
      const b = mibps(t0);
      t0 = performance.now();
      await readByHand(hand, '/tmp/hand.bin', path.join(dir, 'hand.out'));
      outPairs.push([b, mibps(t0)]);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    const note = `${sizeMib} MiB, ${COPY_CHUNK_BYTES / MIB} MiB chunks`;
    pairs.push(pairResult('copy into the guest', 'MiB/s', 'guesthouse copy', 'guest-file-write by hand', inPairs, 'ratio ≥ 0.9', note));
    pairs.push(pairResult('copy out of the guest', 'MiB/s', 'guesthouse copy', 'guest-file-read by hand', outPairs, 'ratio ≥ 0.9', note));
  } finally {
    await c.service.powerOffVm(name).catch(() => undefined);
  }
  return { pairs, extra };
}

export function agentMarkdown(extra: Record<string, unknown>): string[] {
  const e = extra.execTrue as { runs: number; p50Ms: number; p99Ms: number } | undefined;
  return e ? ['', `exec of \`true\` through the guest agent (${e.runs} runs): p50 ${e.p50Ms.toFixed(1)} ms, p99 ${e.p99Ms.toFixed(1)} ms.`] : [];
}
