// How the GUI looks and is reached, in Debian's Chromium against `guesthouse serve`: nothing cut
// off or overlapping at 1280, 900 and 700 px, axe-core clean on every screen (light and dark,
// English and Korean, 1280×800 and 900×700), and the keyboard alone going from New to Stop.
// Screenshots of every screen land in test-results/e2e/screens/.
import { AxeBuilder } from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { connectToService, type ServiceClient } from '../../core/node/transport/serviceClient';
import { tinyGuest, type TestGuest } from '../support/guest';
import { row } from './flow';
import { guiTestsMissing } from './requirements';
import { serve, type Served } from './serve';

const SHOTS = 'test-results/e2e/screens';

/** The serious and critical axe-core violations on the page, as "rule: target" lines (empty when clean). */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} — ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`));
}

/**
 * Every visible control of `scope` lies inside the viewport and no two of them overlap, once
 * the layout has settled (the toolbar measures itself again a frame after a resize).
 */
async function expectLaidOut(page: Page, scope: Locator): Promise<void> {
  await expect(async () => {
    const size = page.viewportSize()!;
    const boxes = await scope.locator('button:visible, select:visible, input:visible').evaluateAll((els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect();
        return { name: el.getAttribute('aria-label') ?? el.textContent?.trim() ?? el.tagName, x: r.x, y: r.y, w: r.width, h: r.height };
      }),
    );
    expect(boxes.length).toBeGreaterThan(0);
    for (const b of boxes) {
      expect(b.x, `${b.name} starts inside the window`).toBeGreaterThanOrEqual(0);
      expect(b.y).toBeGreaterThanOrEqual(0);
      expect(b.x + b.w, `${b.name} ends inside the window (${size.width} px)`).toBeLessThanOrEqual(size.width);
      expect(b.y + b.h).toBeLessThanOrEqual(size.height);
    }
    for (const [i, a] of boxes.entries())
      for (const b of boxes.slice(i + 1)) {
        const apart = a.x + a.w <= b.x + 0.5 || b.x + b.w <= a.x + 0.5 || a.y + a.h <= b.y + 0.5 || b.y + b.h <= a.y + 0.5;
        expect(apart, `${a.name} and ${b.name} do not overlap`).toBe(true);
      }
  }).toPass({ timeout: 5_000 });
}

/** Presses Tab until `target` has the focus: it is reachable by the keyboard (at most `max` presses). */
async function tabTo(page: Page, target: Locator, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${target.toString()} was not reached with Tab in ${max} presses`);
}

test.describe('GUI look, reach and accessibility', () => {
  test.skip(guiTestsMissing !== null, guiTestsMissing ?? '');
  let served: Served;
  let guest: TestGuest;
  let client: ServiceClient;

  test.beforeAll(async () => {
    guest = await tinyGuest('amd64');
    served = await serve();
    client = (await connectToService(served.home, false))!;
    // The VM most screens show (each test may run alone, with -g).
    await client.createVm({ name: 'wide', osType: 'linux-x64', memoryMib: 64, network: 'none' });
  });
  test.afterAll(async () => {
    client?.close();
    await served?.stop();
  });

  test('the welcome screen, then the toolbar at 1280, 900 and 700 px: nothing cut off or overlapping, the rest in More actions', async ({ page }) => {
    const wide = (await client.listVms()).find((v) => v.name === 'wide')!;
    await client.deleteVm(wide.id);
    await page.goto(served.url);
    const welcome = page.getByRole('region', { name: 'Welcome to Guesthouse' });
    await expect(welcome).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/welcome.png` });
    await welcome.getByRole('button', { name: /New VM/ }).click();
    await expect(page.getByRole('dialog', { name: 'New virtual machine' })).toBeVisible();
    await page.getByRole('button', { name: 'Cancel' }).click();
    // "Download an OS" opens the wizard with the catalogue already open.
    await welcome.getByRole('button', { name: /Download an OS/ }).click();
    const wizard = page.getByRole('dialog', { name: 'New virtual machine' });
    await expect(wizard.getByLabel('OS to download')).toBeVisible();
    await wizard.getByRole('button', { name: 'Cancel' }).click();

    await client.createVm({ name: 'wide', osType: 'linux-x64', memoryMib: 64, network: 'none' });
    await expect(row(page, 'wide')).toBeVisible();
    const header = page.locator('header');
    for (const width of [1280, 900, 700]) {
      await page.setViewportSize({ width, height: 700 });
      await expectLaidOut(page, header);
      await page.screenshot({ path: `${SHOTS}/toolbar-${width}.png` });
      const more = page.getByRole('button', { name: 'More actions' });
      if (width === 1280) {
        await expect(more).toHaveCount(0);
        continue;
      }
      // What is not in the bar is in the menu, with its shortcut, and the menu fits the window too.
      await more.click();
      const menu = page.getByRole('menu', { name: 'More actions' });
      await expect(menu.getByRole('menuitem', { name: /Host/ })).toBeVisible();
      await expectLaidOut(page, menu);
      await page.keyboard.press('Escape');
      await expect(menu).toBeHidden();
      await expect(more).toBeFocused();
    }
    await page.setViewportSize({ width: 700, height: 700 });
    await page.getByRole('button', { name: 'More actions' }).click();
    await page.getByRole('menuitem', { name: /Host/ }).click();
    await expect(page.getByRole('dialog')).toBeVisible();
    await page.getByRole('button', { name: 'Close' }).click();
  });

  test('the list: OS and state icons, sort, several selected, the context menu', async ({ page }) => {
    for (const name of ['b-win', 'c-other'])
      await client.createVm({ name, osType: name === 'b-win' ? 'windows-x64' : 'other-x86', memoryMib: 64, network: 'none' });
    await page.goto(served.url);
    await expect(row(page, 'wide').getByRole('img', { name: 'Linux, 64-bit' })).toBeVisible();
    await expect(row(page, 'b-win').getByRole('img', { name: 'Windows, 64-bit' })).toBeVisible();
    await expect(row(page, 'c-other').getByRole('img', { name: 'Other OS, 32-bit' })).toBeVisible();
    await expect(page.getByText('This computer')).toBeVisible();
    const names = () =>
      page
        .locator('li[data-vm]')
        .evaluateAll((els) => els.sort((a, b) => a.getBoundingClientRect().y - b.getBoundingClientRect().y).map((e) => e.getAttribute('data-vm')));
    expect(await names()).toEqual(['b-win', 'c-other', 'wide']);
    await row(page, 'b-win').click();
    await row(page, 'wide').click({ modifiers: ['Control'] });
    await expect(page.getByText('2 VMs selected')).toBeVisible();
    await row(page, 'wide').click({ button: 'right' });
    const menu = page.getByRole('menu', { name: 'Actions for the selected VMs' });
    await expect(menu.getByRole('menuitem', { name: /Start/ })).toBeEnabled();
    await expect(menu.getByRole('menuitem', { name: /Delete/ })).toBeDisabled();
    await expect(menu.getByRole('menuitem', { name: /Reset/ })).toBeDisabled();
    await page.keyboard.press('Escape');
    await page.screenshot({ path: `${SHOTS}/list-selected.png` });
    await page.locator('select[aria-label="Sort by"]').selectOption('state');
    expect(await names()).toEqual(['b-win', 'c-other', 'wide']);
    for (const vm of await client.listVms()) if (vm.name !== 'wide') await client.deleteVm(vm.id);
  });

  test('axe-core finds no serious violation on any screen, light and dark, English and Korean, 1280×800 and 900×700', async ({ page }) => {
    test.setTimeout(600_000);
    const problems: string[] = [];
    const screens: { name: string; open: () => Promise<void>; close?: () => Promise<void> }[] = [
      { name: 'details', open: () => page.getByRole('tab').nth(0).click() },
      { name: 'settings', open: () => page.getByRole('tab').nth(3).click() },
      { name: 'snapshots', open: () => page.getByRole('tab').nth(4).click() },
      { name: 'log', open: () => page.getByRole('tab').nth(5).click() },
      {
        name: 'wizard',
        open: () => page.keyboard.press('Alt+N'),
        close: () => page.keyboard.press('Escape'),
      },
      {
        name: 'host',
        open: () => page.keyboard.press('Alt+I'),
        close: () => page.keyboard.press('Escape'),
      },
    ];
    for (const colorScheme of ['light', 'dark'] as const)
      for (const lang of ['en', 'ko'] as const)
        for (const [width, height] of [
          [1280, 800],
          [900, 700],
        ] as const) {
          await page.emulateMedia({ colorScheme });
          await page.setViewportSize({ width, height });
          await page.addInitScript((l) => localStorage.setItem('guesthouse.language', l), lang);
          await page.goto(served.url);
          await row(page, 'wide').click({ timeout: 10_000 });
          for (const s of screens) {
            await s.open();
            await page.waitForTimeout(0);
            await expect(page.locator('.notice:has-text("…")')).toHaveCount(0);
            const tag = `${s.name}-${colorScheme}-${lang}-${width}x${height}`;
            for (const v of await seriousViolations(page)) problems.push(`${tag}: ${v}`);
            await page.screenshot({ path: `${SHOTS}/${tag}.png` });
            if (s.close) {
              await s.close();
              await expect(page.getByRole('dialog')).toHaveCount(0);
            }
          }
        }
    expect(problems).toEqual([]);
  });

  test('settings: the sliders of the wizard with the zones of the host, devices as cards, changes pending until saved', async ({ page }) => {
    await page.goto(served.url);
    await row(page, 'wide').click();
    await page.getByRole('tab', { name: 'Settings' }).click();
    for (const card of ['System', 'Network', 'Display', 'Storage devices']) await expect(page.getByRole('region', { name: card })).toBeVisible();
    const memory = page.getByRole('slider', { name: 'Memory (MiB)' });
    await expect(memory).toHaveValue('64');
    await expect(page.getByText('Comfortable: leaves the host plenty of memory.')).toBeVisible();
    await memory.focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.locator('#set-memory')).toHaveValue('80');
    await page.locator('#set-cpus').fill('2');
    const pending = page.getByRole('region', { name: 'Pending changes' });
    await expect(pending).toContainText('2 changes not saved yet');
    await expect(pending.getByRole('listitem').filter({ hasText: 'Memory (MiB)' })).toHaveText('Memory (MiB): 64 → 80 takes effect when the VM next starts');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: `${SHOTS}/settings-cards.png` });
    await pending.getByRole('button', { name: 'Discard changes' }).click();
    await expect(pending).toBeHidden();
    await expect(page.locator('#set-memory')).toHaveValue('64');
    await page.locator('#set-memory').fill('96');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByRole('status')).toHaveText('Saved.');
    await expect(pending).toBeHidden();
    await expect(row(page, 'wide')).toContainText('96 MiB');
  });

  test('the keyboard alone: New → wizard → Start → Display → Stop', async ({ page }) => {
    await page.goto(served.url);
    await tabTo(page, page.getByRole('button', { name: 'New', exact: true }));
    await page.keyboard.press('Enter');
    const wizard = page.getByRole('dialog', { name: 'New virtual machine' });
    await tabTo(page, wizard.getByLabel('Name', { exact: true }));
    await page.keyboard.type('keys');
    await tabTo(page, wizard.locator('#vm-memory'));
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('128');
    // The disk choice is one radio group: Tab reaches its chosen radio, arrows move the choice.
    await tabTo(page, wizard.getByLabel('Create a new disk'));
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect(wizard.getByLabel('No disk')).toBeChecked();
    await tabTo(page, wizard.getByLabel('Advanced: boot a kernel directly'));
    await page.keyboard.press('Space');
    await tabTo(page, wizard.getByLabel('Kernel', { exact: true }));
    await page.keyboard.type(guest.kernel);
    await tabTo(page, wizard.getByLabel('Initrd', { exact: true }));
    await page.keyboard.type(guest.initrd);
    await tabTo(page, wizard.getByLabel('Kernel command line'));
    await page.keyboard.type(guest.append);
    await tabTo(page, wizard.getByRole('button', { name: 'Finish' }));
    await page.keyboard.press('Enter');
    await expect(wizard).toBeHidden();
    await expect(row(page, 'keys')).toContainText('Stopped');
    await tabTo(page, page.getByRole('button', { name: 'Start' }));
    await page.keyboard.press('Enter');
    await expect(row(page, 'keys')).toContainText('Running');
    const display = page.getByRole('tab', { name: 'Display' });
    await tabTo(page, display);
    await page.keyboard.press('Enter');
    await expect(display).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByText('Connected')).toBeVisible();
    const violations = await seriousViolations(page);
    await page.screenshot({ path: `${SHOTS}/display.png` });
    await tabTo(page, page.getByRole('button', { name: 'Power off' }));
    await page.keyboard.press('Enter');
    await expect(row(page, 'keys')).toContainText('Stopped');
    expect(violations).toEqual([]);
  });
});
