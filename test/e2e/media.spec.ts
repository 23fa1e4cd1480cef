// The wizard's installer medium in Debian's Chromium against `guesthouse serve`: an ISO path
// is read and its OS type, memory and firmware filled in with what was found said; "Download
// an OS" fetches from a loopback server standing in for the vendor's mirror
// (GUESTHOUSE_MIRROR_ALPINE; the vendors cannot be reached here), shows its progress bar, and
// puts the downloaded image in the ISO field.
import crypto from 'node:crypto';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { osCatalogue } from '../../core/common/osCatalogue';
import { makeIso } from '../support/isos';
import { rangeServer, type RangeServer } from '../support/rangeServer';
import { guiTestsMissing } from './requirements';
import { serve, type Served } from './serve';

test.describe('the wizard and installer media', () => {
  test.skip(guiTestsMissing !== null, guiTestsMissing ?? '');
  const alpine = osCatalogue().find((e) => e.id === 'alpine-3.22-x86_64-virt')!;
  let served: Served;
  let mirror: RangeServer;

  test.beforeAll(async () => {
    mirror = await rangeServer({
      path: alpine.path,
      content: crypto.randomBytes(4 * 1024 * 1024),
      sumsPath: alpine.checksum.path,
      sumsName: alpine.checksum.name,
    });
    served = await serve({ GUESTHOUSE_MIRROR_ALPINE: mirror.url });
  });
  test.afterAll(async () => {
    await served?.stop();
    await mirror?.close();
  });

  test('a chosen ISO fills in the OS type, memory and firmware, and says what it found', async ({ page }) => {
    const iso = makeIso(served.home, 'windows', {
      volumeId: 'CCCOMA_X64FRE_EN-US_DV9',
      files: { 'sources/install.wim': 'w', 'efi/microsoft/boot/efisys.bin': 'f' },
      uefi: 'efi/microsoft/boot/efisys.bin',
    });
    await page.goto(served.url);
    await page.getByRole('button', { name: 'New', exact: true }).click();
    const wizard = page.getByRole('dialog', { name: 'New virtual machine' });
    await wizard.locator('#vm-iso').fill(iso);
    await expect(wizard.getByTestId('media-detected')).toHaveText(
      'Found: Windows x86_64, boots UEFI only. OS type, memory, disk and firmware were set from it.',
    );
    await expect(wizard.locator('#vm-os')).toHaveValue('windows-x64');
    await expect(wizard.locator('#vm-firmware')).toHaveValue('uefi');
    await expect(wizard.locator('#vm-disk-size')).toHaveValue('50');
    await wizard.screenshot({ path: 'test-results/e2e/media-detect.png' }); // README's picture
  });

  test('Download an OS shows its progress and puts the image in the ISO field', async ({ page }) => {
    mirror.throttle = 16 * 1024; // ~1.6 MiB/s until the bar has been seen, then full speed
    await page.goto(served.url);
    await page.getByRole('button', { name: 'New', exact: true }).click();
    const wizard = page.getByRole('dialog', { name: 'New virtual machine' });
    await wizard.getByRole('button', { name: 'Download an OS' }).click();
    await wizard.getByLabel('OS to download').selectOption(alpine.id);
    await wizard.getByRole('button', { name: 'Download', exact: true }).click();
    await expect(wizard.getByTestId('progress')).toContainText(/Downloading Alpine Linux 3\.22\.2: .* left/);
    await wizard.getByTestId('download-os').screenshot({ path: 'test-results/e2e/media-download.png' }); // README's picture
    mirror.throttle = null;
    const file = path.join(served.home, 'media', 'alpine-virt-3.22.2-x86_64.iso');
    await expect(wizard.locator('#vm-iso')).toHaveValue(file, { timeout: 30_000 });
    await expect(wizard.getByTestId('download-os')).toHaveCount(0);
  });
});
