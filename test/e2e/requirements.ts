import fs from 'node:fs';
import { CHROMIUM } from '../../playwright.config';
import { guestToolsPresent, qemuPresent } from '../support/components';

/** Why the GUI tests with real guests cannot run here, or null; with GUESTHOUSE_REQUIRE=all an absence fails the run. */
export const guiTestsMissing: string | null = !fs.existsSync(CHROMIUM)
  ? `Chromium is not installed (apt-get install chromium; expected at ${CHROMIUM})`
  : !qemuPresent
    ? 'QEMU is not installed (apt-get install qemu-system-x86 qemu-utils)'
    : !guestToolsPresent
      ? "Debian's apt and xz are needed to build the test guest"
      : null;
if (guiTestsMissing && process.env.GUESTHOUSE_REQUIRE === 'all') throw new Error(`GUESTHOUSE_REQUIRE=all but ${guiTestsMissing}.`);
