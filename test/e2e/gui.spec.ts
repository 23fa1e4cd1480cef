// The GUI in Debian's Chromium against `guesthouse serve`, with the tiny test guest.
import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { CHROMIUM } from '../../playwright.config';
import { tinyGuest, type TestGuest } from '../support/guest';
import { guestToolsPresent, qemuPresent } from '../support/components';
import { serve, type Served } from './serve';

const missing = !fs.existsSync(CHROMIUM)
  ? `Chromium is not installed (apt-get install chromium; expected at ${CHROMIUM})`
  : !qemuPresent
    ? 'QEMU is not installed (apt-get install qemu-system-x86 qemu-utils)'
    : !guestToolsPresent
      ? "Debian's apt and xz are needed to build the test guest"
      : null;
if (missing && process.env.GUESTHOUSE_REQUIRE === 'all') throw new Error(`GUESTHOUSE_REQUIRE=all but ${missing}.`);

/** The text in the xterm.js buffer of the open console. */
async function terminalText(page: Page): Promise<string> {
  return page.locator('[data-testid=terminal]').evaluate((el) => {
    const term = (el as HTMLElement & { terminal?: { buffer: { active: { length: number; getLine(i: number): { translateToString(trim: boolean): string } | undefined } } } }).terminal;
    if (!term) return '';
    const b = term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < b.length; i++) lines.push(b.getLine(i)?.translateToString(true) ?? '');
    return lines.join('\n');
  });
}

async function waitForTerminal(page: Page, text: string, timeout = 90_000): Promise<void> {
  await expect.poll(() => terminalText(page), { timeout, message: `"${text}" in the console` }).toContain(text);
}

const row = (page: Page, name: string) => page.locator(`li[data-vm="${name}"]`);

test.describe('GUI through guesthouse serve', () => {
  test.skip(missing !== null, missing ?? '');
  let served: Served;
  let guest: TestGuest;

  test.beforeAll(async () => {
    guest = await tinyGuest('amd64');
    served = await serve();
  });
  test.afterAll(async () => {
    await served?.stop();
  });

  test('create through the wizard, start, use the console, pause, resume, shut down, delete', async ({ page }, info) => {
    await page.goto(served.url);
    await expect(page.getByText('No VMs yet. Click New to make one.')).toBeVisible();
    await page.getByRole('button', { name: 'New' }).click();
    const wizard = page.getByRole('dialog', { name: 'New virtual machine' });
    await wizard.getByLabel('Name', { exact: true }).fill('tiny');
    await wizard.getByLabel('OS type').selectOption('other-x64');
    await wizard.locator('#vm-memory').fill('128');
    await wizard.getByLabel('No disk').check();
    await wizard.getByLabel('Advanced: boot a kernel directly').check();
    await wizard.getByLabel('Kernel', { exact: true }).fill(guest.kernel);
    await wizard.getByLabel('Initrd').fill(guest.initrd);
    await wizard.getByLabel('Kernel command line').fill(guest.append);
    await expect(wizard.getByTestId('engine-choice')).toContainText('Will run on QEMU');
    await page.screenshot({ path: info.outputPath('wizard.png') });
    await wizard.getByRole('button', { name: 'Finish' }).click();
    await expect(wizard).toBeHidden();
    await expect(row(page, 'tiny')).toContainText('Stopped');
    await page.screenshot({ path: info.outputPath('list.png') });

    await page.getByRole('button', { name: 'Start' }).click();
    await expect(row(page, 'tiny')).toContainText('Running');
    await waitForTerminal(page, guest.readyMarker);
    await page.locator('[data-testid=terminal]').click();
    await page.keyboard.type('echo gui-$((6*7))');
    await page.keyboard.press('Enter');
    await waitForTerminal(page, 'gui-42');
    await page.screenshot({ path: info.outputPath('console.png') });

    await expect(page.getByRole('button', { name: 'Resume' })).toHaveCount(0);
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect(row(page, 'tiny')).toContainText('Paused');
    await expect(page.getByRole('button', { name: 'Start' })).toBeDisabled();
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect(row(page, 'tiny')).toContainText('Running');
    await page.locator('[data-testid=terminal]').click();
    await page.keyboard.type('echo resumed-$((2+2))');
    await page.keyboard.press('Enter');
    await waitForTerminal(page, 'resumed-4');

    await expect(page.getByRole('button', { name: 'Delete' })).toBeDisabled();
    await page.getByRole('button', { name: 'Shut down' }).click();
    await expect(row(page, 'tiny')).toContainText('Stopped');
    await expect(page.getByText('"tiny" is not running. Start it to use its console.')).toBeVisible();

    await page.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete "tiny"?' });
    await expect(confirm).toContainText('It has no disks of its own');
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await expect(page.getByText('No VMs yet. Click New to make one.')).toBeVisible();
  });

  test('the wizard refuses too much memory with its sentence', async ({ page }) => {
    await page.goto(served.url);
    await page.getByRole('button', { name: 'New' }).click();
    const wizard = page.getByRole('dialog', { name: 'New virtual machine' });
    await wizard.getByLabel('Name', { exact: true }).fill('greedy');
    await wizard.locator('#vm-memory').fill('4000000');
    await expect(wizard.getByRole('alert')).toHaveText(/^Memory of 4000000 MiB is more than this host has \(\d+ MiB\)\.$/);
    await expect(wizard.getByRole('button', { name: 'Finish' })).toBeDisabled();
    await wizard.locator('#vm-memory').fill('0');
    await expect(wizard.getByRole('alert')).toHaveText('Memory must be at least 16 MiB.');
    await wizard.getByLabel('Name', { exact: true }).fill('a/b');
    await expect(wizard.getByText('The name must not contain / or \\.')).toBeVisible();
    await wizard.getByRole('button', { name: 'Cancel' }).click();
    expect(JSON.parse((await served.cli(['list', '--json'])).stdout)).toEqual([]);
  });

  test('two tabs see the same live state', async ({ context }) => {
    const [a, b] = [await context.newPage(), await context.newPage()];
    await a.goto(served.url);
    await b.goto(served.origin + '/');
    const made = await served.cli(['create', 'shared', '--os', 'other-x64', '--memory', '128', '--kernel', guest.kernel, '--initrd', guest.initrd, '--append', guest.append, '--network', 'none']);
    expect(made.code).toBe(0);
    await expect(row(a, 'shared')).toContainText('Stopped');
    await expect(row(b, 'shared')).toContainText('Stopped');
    await row(a, 'shared').click();
    await a.getByRole('button', { name: 'Start' }).click();
    await expect(row(b, 'shared')).toContainText('Running');
    await row(b, 'shared').click();
    await b.getByRole('button', { name: 'Power off' }).click();
    await expect(row(a, 'shared')).toContainText('Stopped');
  });

  test('every request without the token is refused', async ({ request, browser }) => {
    const bare = await request.get(served.origin + '/', { headers: { cookie: '' } });
    expect(bare.status()).toBe(401);
    expect(await bare.text()).toContain('needs its access token');
    const wrong = await request.get(served.origin + '/?token=wrong');
    expect(wrong.status()).toBe(401);
    const fresh = await browser.newContext();
    const page = await fresh.newPage();
    await page.goto(served.origin + '/');
    await expect(page.getByText('needs its access token')).toBeVisible();
    const ws = await page.evaluate(
      (origin) =>
        new Promise<string>((resolve) => {
          const s = new WebSocket(origin.replace('http', 'ws') + '/rpc');
          s.onopen = () => resolve('open');
          s.onerror = () => resolve('refused');
        }),
      served.origin,
    );
    expect(ws).toBe('refused');
    await fresh.close();
  });

  test('Korean strings', async ({ page }) => {
    await page.goto(served.url);
    await page.getByLabel('Language').selectOption('ko');
    await expect(page.getByRole('button', { name: '새로 만들기' })).toBeVisible();
    await page.getByLabel('언어').selectOption('en');
    await expect(page.getByRole('button', { name: 'New' })).toBeVisible();
  });
});
