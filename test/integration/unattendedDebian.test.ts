// Debian's unattended install, for real: Debian 12's network installer (its text-mode kernel and
// initrd from the debian-installer-12-netboot-amd64 package) boots in a Guesthouse VM on NAT
// with the command line debianInstallerAppend makes; it fetches the generated preseed from the
// seed server on the host's loopback (10.0.2.2 to the guest), asks neither the language, the
// keyboard nor the host name, configures the network and goes on to the mirror the preseed
// names, which is the same server: its request for the archive's Release file is the proof that
// the preseed's answers were taken. A full install needs the internet and ~20 minutes of TCG:
// not run here (the mirror answers 404, and the test ends there).
import { describe, expect, it } from 'vitest';
import { unattendedAnswersSchema } from '../../core/common/unattended';
import { debianInstallerAppend, debianPreseed, hashPassword } from '../../core/node/unattended/preseed';
import { serveSeed } from '../../core/node/unattended/seedServer';
import { realGuestsMissing, skipBecause } from '../support/require';
import { guestService } from '../support/service';
import { debianInstaller } from '../support/guest';

const missing = realGuestsMissing();

describe('unattended Debian install', () => {
  if (skipBecause(missing)) return;
  const t = guestService();

  it("the installer takes the preseed: no language, keyboard or host name question; network, then the preseed's mirror", async () => {
    const installer = await debianInstaller();
    const seedFiles: Record<string, string> = {};
    const seed = await serveSeed(seedFiles);
    try {
      const answers = unattendedAnswersSchema.parse({
        user: 'ada',
        fullName: 'Ada Lovelace',
        hostname: 'analytical',
        locale: 'en_GB',
        timezone: 'Europe/London',
        mirror: { host: `10.0.2.2:${seed.port}`, directory: '/debian' },
      });
      seedFiles['preseed.cfg'] = debianPreseed(answers, await hashPassword('correct horse'));
      expect(seedFiles['preseed.cfg']).not.toContain('correct horse');
      await t.service.createVm({
        name: 'di',
        osType: 'linux-x64',
        memoryMib: 1024,
        kernelPath: installer.kernel,
        initrdPath: installer.initrd,
        append: debianInstallerAppend(answers, seed.urlFor('preseed.cfg')),
        nets: [{ attachment: 'nat', model: 'virtio' }],
      });
      await t.service.startVm('di');
      try {
        expect(await t.service.waitForConsole('di', 'Configuring the network with DHCP', 300_000)).toBe(true);
        await expect
          .poll(() => seed.asked.find((p) => p.startsWith('/debian/dists/')), { timeout: 300_000, interval: 500 })
          .toMatch(/^\/debian\/dists\/[a-z]+\/(In)?Release$/);
        expect(seed.asked[0]).toBe('/preseed.cfg');
        const log = await t.service.readLog('di');
        // The questions the preseed answers never came up (at priority critical they would, unanswered).
        for (const question of ['Choose language', 'Select a language', 'Select your location', 'Keymap to use', 'Hostname:', 'Domain name:'])
          expect(log, question).not.toContain(question);
      } finally {
        await t.service.powerOffVm('di');
      }
    } finally {
      await seed.close();
    }
  }, 660_000);
});
