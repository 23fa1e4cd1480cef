// Installer media: an OS download from a loopback server (its own process, the test's Range
// server) by Guesthouse's downloader (write, SHA-256 as it arrives, rename) against `curl -o`
// of the same file, pair by pair (target: ≥ 0.95 of curl's throughput); curl followed by
// `sha256sum` is reported beside it, as the like-for-like job. And detection of a 4 GiB
// sparse ISO with real descriptors (target: < 50 ms).
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { osCatalogue } from '../../core/common/osCatalogue';
import { detectMedia } from '../../core/node/media/detect';
import { mediaDir, mediaFileName, OsDownloads } from '../../core/node/service/osDownloads';
import { makeIso } from '../support/isos';
import type { RangeServerOptions } from '../support/rangeServer';
import { pairResult, summarize, type PairResult } from './stats';

const MiB = 2 ** 20;

/** Starts the loopback Range server in a child process; answers its URL and how to stop it. */
async function serverProcess(file: string, entry: { path: string; sums: string; name: string }) {
  const module = path.join(__dirname, '..', 'support', 'rangeServer.js');
  const options: RangeServerOptions = { path: entry.path, content: { file }, sumsPath: entry.sums, sumsName: entry.name };
  const script = `require(${JSON.stringify(module)}).rangeServer(${JSON.stringify(options)}).then((s) => console.log(s.url))`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`the bench server exited with ${code}`)));
  });
  return { url, stop: () => child.kill() };
}

const timed = async (work: () => Promise<unknown> | unknown): Promise<number> => {
  const t = performance.now();
  await work();
  return performance.now() - t;
};

export async function benchMedia(o: {
  pairs: number;
  warmup: number;
  quick: boolean;
  log(s: string): void;
}): Promise<{ pairs: PairResult[]; extra: Record<string, unknown> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-bench-media-'));
  try {
    // Detection: a Debian-like ISO grown to 4 GiB (sparse), its volume size set to match.
    const iso = makeIso(dir, 'big', {
      volumeId: 'Debian 12.8.0 amd64 n',
      files: {
        '.disk/info': 'Debian GNU/Linux 12.8.0 "Bookworm" - Official amd64 NETINST with firmware 20241109-11:04',
        'isolinux/isolinux.bin': 'x',
        'boot/grub/efi.img': 'f',
      },
      bios: 'isolinux/isolinux.bin',
      uefi: 'boot/grub/efi.img',
    });
    const big = 4 * 2 ** 30;
    fs.truncateSync(iso, big);
    const pvd = Buffer.alloc(8);
    pvd.writeUInt32LE(big / 2048, 0);
    pvd.writeUInt32BE(big / 2048, 4);
    const h = fs.openSync(iso, 'r+');
    fs.writeSync(h, pvd, 0, 8, 0x8000 + 80);
    fs.closeSync(h);
    const sizeBytes = (o.quick ? 256 : 512) * MiB;
    const source = path.join(dir, 'image.iso');
    const fd = fs.openSync(source, 'w');
    const block = crypto.randomBytes(16 * MiB);
    for (let at = 0; at < sizeBytes; at += block.length) fs.writeSync(fd, block);
    fs.closeSync(fd);
    const entry = osCatalogue().find((e) => e.id === 'alpine-3.22-x86_64-virt')!;
    const server = await serverProcess(source, { path: entry.path, sums: entry.checksum.path, name: entry.checksum.name });
    const home = path.join(dir, 'home');
    const downloads = new OsDownloads({ home, env: { GUESTHOUSE_MIRROR_ALPINE: server.url }, emit: () => undefined });
    const target = path.join(mediaDir(home), mediaFileName(entry));
    const curlOut = path.join(dir, 'curl.iso');
    const pairs: [number, number][] = [];
    const withSum: number[] = [];
    try {
      for (let i = 0; i < o.warmup + o.pairs; i++) {
        fs.rmSync(mediaDir(home), { recursive: true, force: true });
        fs.rmSync(curlOut, { force: true });
        const ours = await timed(() => downloads.download(entry.id));
        const curl = await timed(() => spawnSync('curl', ['-s', '-o', curlOut, server.url + entry.path]));
        const sum = await timed(() => spawnSync('sha256sum', [curlOut]));
        if (fs.statSync(target).size !== sizeBytes || fs.statSync(curlOut).size !== sizeBytes) throw new Error('a download came out short');
        if (i >= o.warmup) {
          pairs.push([sizeBytes / MiB / (ours / 1000), sizeBytes / MiB / (curl / 1000)]);
          withSum.push(sizeBytes / MiB / ((curl + sum) / 1000));
        }
        o.log(`media: download ${i + 1}: ours ${ours.toFixed(0)} ms, curl ${curl.toFixed(0)} ms (+ sha256sum ${sum.toFixed(0)} ms)`);
      }
    } finally {
      server.stop();
    }
    spawnSync('sh', ['-c', 'sync; echo 1 > /proc/sys/vm/drop_caches'], { stdio: 'ignore' }); // a cold first read where allowed (root)
    const first = await timed(() => detectMedia(iso));
    const runs: number[] = [];
    for (let i = 0; i < 20; i++) runs.push(await timed(() => detectMedia(iso)));
    const info = await detectMedia(iso);
    return {
      pairs: [pairResult(`OS download, ${sizeBytes / MiB} MiB, loopback`, 'MiB/s', 'Guesthouse (write + SHA-256)', 'curl -o', pairs, 'higher: ≥ 0.95')],
      extra: { media: { curlPlusSha256sumMiBps: summarize(withSum), detect4GiB: { firstMs: first, ...summarize(runs) }, detected: info.description.message } },
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function mediaMarkdown(extra: Record<string, unknown>): string[] {
  const m = extra as { curlPlusSha256sumMiBps: { median: number }; detect4GiB: { firstMs: number; median: number; max: number }; detected: string };
  return [
    `curl then sha256sum (the same work as Guesthouse's download): median ${m.curlPlusSha256sumMiBps.median.toFixed(0)} MiB/s.`,
    `Detection of a 4 GiB sparse ISO (${m.detected}): first ${m.detect4GiB.firstMs.toFixed(1)} ms (page cache dropped), then median ${m.detect4GiB.median.toFixed(2)} ms, max ${m.detect4GiB.max.toFixed(2)} ms (target < 50 ms).`,
    '',
  ];
}
