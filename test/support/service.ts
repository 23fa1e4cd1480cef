import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { LibraryService } from '../../core/common/api';
import { VmService } from '../../core/node/service/vmService';
import { tinyGuest, type TestGuest } from './guest';

/** A fresh library folder with a short path (socket paths must stay under 108 bytes). */
export function tempHome(tag = 'gh'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${tag}-`));
}

let marker = 1000;

/**
 * Types a command into the guest's console and returns what it printed, reading up
 * to an end marker the shell computes (so the echoed command line never matches).
 */
export async function runInGuest(service: LibraryService, vm: string, command: string, timeoutMs = 30_000): Promise<string> {
  const n = marker++;
  const end = `__END_${n + 1}__`;
  let out = '';
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  const attachment = await service.attachConsole(vm, (data) => {
    out += Buffer.from(data).toString('latin1');
    if (out.includes(end)) resolve();
  });
  try {
    await service.writeConsole(vm, Buffer.from(`${command}; echo __END_$((${n}+1))__\n`));
    const timer = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`"${command}" gave no answer within ${timeoutMs} ms; console so far:\n${out}`)), timeoutMs).unref(),
    );
    await Promise.race([done, timer]);
  } finally {
    attachment.dispose();
  }
  // Drop the echoed command line, keep what the command printed.
  const body = out.slice(0, out.indexOf(end));
  const lines = body.split(/\r?\n/);
  const cmdLine = lines.findIndex((l) => l.includes(`__END_$((${n}+1))__`));
  return lines
    .slice(cmdLine + 1)
    .join('\n')
    .trim();
}

/** What `guestService` gives a describe block: the tiny guest and a VmService on a fresh library. */
export interface GuestService {
  readonly guest: TestGuest;
  readonly service: VmService;
  readonly home: string;
}

/**
 * For one describe block of real-guest tests: builds (or takes from the cache) the tiny
 * guest and a VmService on a fresh library before the block's own hooks, and powers off
 * every guest after it. Read the fields inside hooks and tests, once they are set.
 */
export function guestService(arch: 'amd64' | 'i386' = 'amd64'): GuestService {
  const ctx = {} as { guest: TestGuest; service: VmService; home: string };
  beforeAll(async () => {
    ctx.guest = await tinyGuest(arch);
    ctx.home = tempHome();
    ctx.service = new VmService({ home: ctx.home });
  });
  afterAll(async () => {
    await ctx.service?.powerOffAll();
  });
  return ctx;
}
