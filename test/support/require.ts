import { it } from 'vitest';
import { guestToolsPresent, qemuPresent } from './components';

export { guestToolsPresent, qemuPresent };

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

/** The reason real-guest tests cannot run here, or null. */
export function realGuestsMissing(): string | null {
  return (
    missingComponent('QEMU', qemuPresent, 'apt-get install qemu-system-x86 qemu-utils') ??
    missingComponent("Debian's apt and xz (to build the test guests)", guestToolsPresent, 'the test guests are built from Debian packages')
  );
}

/** Registers a placeholder that shows up as skipped, with the reason, when `reason` is set. */
export function skipBecause(reason: string | null): boolean {
  if (reason) it.skip(`skipped: ${reason}`, () => undefined);
  return reason !== null;
}
