import path from 'node:path';
import { expect, type Page, type TestInfo } from '@playwright/test';
import type { TestGuest } from '../support/guest';

/** The text in the xterm.js buffer of the open console. */
export async function terminalText(page: Page): Promise<string> {
  return page.locator('[data-testid=terminal]').evaluate((el) => {
    const term = (
      el as HTMLElement & {
        terminal?: { buffer: { active: { length: number; getLine(i: number): { translateToString(trim: boolean): string } | undefined } } };
      }
    ).terminal;
    if (!term) return '';
    const b = term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < b.length; i++) lines.push(b.getLine(i)?.translateToString(true) ?? '');
    return lines.join('\n');
  });
}

export async function waitForTerminal(page: Page, text: string, timeout = 90_000): Promise<void> {
  await expect.poll(() => terminalText(page), { timeout, message: `"${text}" in the console` }).toContain(text);
}

/** Types a line into the open console, as a person would (click, type, Enter). */
export async function typeLine(page: Page, text: string): Promise<void> {
  await page.locator('[data-testid=terminal]').click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

export const row = (page: Page, name: string) => page.locator(`li[data-vm="${name}"]`);

/**
 * What a person does in the GUI, the same in a browser and in the Electron window:
 * create the tiny guest through the wizard, start it, read the marker and a command's
 * answer from the xterm buffer, pause/resume, save the state and restore it, shut down,
 * delete. Screenshots are artifacts.
 */
export async function fullFlow(page: Page, guest: TestGuest, info: TestInfo): Promise<void> {
  await expect(page.getByText('No VMs yet. Click New to make one.')).toBeVisible();
  await page.getByRole('button', { name: 'New', exact: true }).click();
  const wizard = page.getByRole('dialog', { name: 'New virtual machine' });
  await wizard.getByLabel('Name', { exact: true }).fill('tiny');
  await wizard.getByLabel('OS type').selectOption('other-x64');
  await wizard.locator('#vm-memory').fill('128');
  await wizard.getByLabel('No disk').check();
  await wizard.getByLabel('Advanced: boot a kernel directly').check();
  await wizard.getByLabel('Kernel', { exact: true }).fill(guest.kernel);
  // The initrd through the file picker (it lists the service host's folders).
  await wizard.getByRole('button', { name: 'Browse for Initrd' }).click();
  const picker = page.getByRole('dialog', { name: 'Choose: Initrd' });
  // The picker opens on the home folder; typing before it has is overwritten by it.
  await expect(picker.getByLabel('Folder')).not.toHaveValue('');
  await picker.getByLabel('Folder').fill(path.dirname(guest.initrd));
  await picker.getByLabel('Folder').press('Enter');
  await picker.getByRole('button', { name: path.basename(guest.initrd) }).click();
  await expect(picker).toBeHidden();
  await expect(wizard.getByLabel('Initrd', { exact: true })).toHaveValue(guest.initrd);
  await wizard.getByLabel('Kernel command line').fill(guest.append);
  await expect(wizard.getByTestId('engine-choice')).toContainText('Will run on QEMU');
  await page.screenshot({ path: info.outputPath('wizard.png') });
  await wizard.getByRole('button', { name: 'Finish' }).click();
  await expect(wizard).toBeHidden();
  await expect(row(page, 'tiny')).toContainText('Stopped');
  await page.screenshot({ path: info.outputPath('list.png') });

  await page.getByRole('button', { name: 'Start' }).click();
  await expect(row(page, 'tiny')).toContainText('Running');
  // A running VM opens on its screen; the serial console is the next tab.
  await expect(page.getByRole('tab', { name: 'Display' })).toHaveAttribute('aria-selected', 'true');
  await page.getByRole('tab', { name: 'Console' }).click();
  await waitForTerminal(page, guest.readyMarker);
  await typeLine(page, 'echo gui-$((6*7))');
  await waitForTerminal(page, 'gui-42');
  await page.screenshot({ path: info.outputPath('console.png') });

  await expect(page.getByRole('button', { name: 'Resume' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(row(page, 'tiny')).toContainText('Paused');
  await expect(page.getByRole('button', { name: 'Start' })).toBeDisabled();
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(row(page, 'tiny')).toContainText('Running');
  await typeLine(page, 'echo resumed-$((2+2))');
  await waitForTerminal(page, 'resumed-4');

  // Save the machine state, then start again: the same shell session answers.
  await typeLine(page, 'KEPT=saved-$((3*3))');
  await page.getByRole('button', { name: 'Save state' }).click();
  await expect(row(page, 'tiny')).toContainText('Saved');
  // A saved VM has no console to attach to: its tab says so, instead of an empty terminal.
  await page.getByRole('tab', { name: 'Console' }).click();
  await expect(page.getByText('"tiny" is not running. Start it to use its console.')).toBeVisible();
  await expect(page.getByTestId('terminal')).toHaveCount(0);
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(row(page, 'tiny')).toContainText('Running');
  await page.getByRole('tab', { name: 'Console' }).click();
  await typeLine(page, 'echo "[$KEPT]"');
  await waitForTerminal(page, '[saved-9]');

  await expect(page.getByRole('button', { name: 'Delete' })).toBeDisabled();
  await page.getByRole('button', { name: 'Shut down' }).click();
  await expect(row(page, 'tiny')).toContainText('Stopped');
  await expect(page.getByText('"tiny" is not running. Start it to use its console.')).toBeVisible();

  await page.getByRole('button', { name: 'Delete' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Delete "tiny"?' });
  await expect(confirm).toContainText('It has no disks of its own');
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText('No VMs yet. Click New to make one.')).toBeVisible();
}
