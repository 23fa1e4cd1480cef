import fs from 'node:fs';
import { it } from 'vitest';

/**
 * Tests that need a system component say so here. Absent, they are skipped with the
 * reason; with GUESTHOUSE_REQUIRE=all, an absent component fails the run instead.
 */
export function missingComponent(component: string, present: boolean, hint: string): string | null {
  if (present) return null;
  const reason = `${component} is not installed (${hint})`;
  if (process.env.GUESTHOUSE_REQUIRE === 'all') throw new Error(`GUESTHOUSE_REQUIRE=all but ${reason}.`);
  process.stdout.write(`skipping: ${reason}\n`);
  return reason;
}

export const qemuPresent = fs.existsSync('/usr/bin/qemu-system-x86_64') || fs.existsSync('/usr/local/bin/qemu-system-x86_64');

/** Registers a placeholder that shows up as skipped, with the reason, when `reason` is set. */
export function skipBecause(reason: string | null): boolean {
  if (reason) it.skip(`skipped: ${reason}`, () => undefined);
  return reason !== null;
}
