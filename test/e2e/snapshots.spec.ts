// Snapshots, clones and disk tools in the GUI (Debian's Chromium against `guesthouse serve`), on the tiny guest with a small qcow2 disk.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { tinyGuest, type TestGuest, tinyVmArgs } from '../support/guest';
import { row, typeLine, waitForTerminal } from './flow';
import { serve, type Served } from './serve';
import { guiTestsMissing } from './requirements';

const missing = guiTestsMissing;

/** The tree's rows as [name, level], top to bottom. */
function treeRows(tree: Locator): Promise<[string, number][]> {
  return tree
    .getByRole('treeitem')
    .evaluateAll((items) => items.map((i) => [i.getAttribute('aria-label') ?? '', Number(i.getAttribute('aria-level'))] as [string, number]));
}

const tools = (page: Page) => page.getByRole('toolbar', { name: 'Snapshot tools' });

test.describe('snapshots, clones and disk tools through guesthouse serve', () => {
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

  const create = async (name: string, ...more: string[]) => {
    const made = await served.cli(['create', name, ...tinyVmArgs(guest), ...more]);
    expect(made.code, made.stderr).toBe(0);
  };
  const show = async (name: string) =>
    JSON.parse((await served.cli(['show', name, '--json'])).stdout) as {
      folder: string;
      config: { disks: { path: string; format: string }[]; optical: { isoPath: string } | null };
    };

  test('take two, see the tree, revert (taking the changed state first), delete, clone, grow', async ({ page }, info) => {
    await create('snap', '--disk', '64M', '--disk-format', 'qcow2');
    await page.goto(served.url);
    await row(page, 'snap').click();
    await page.getByRole('tab', { name: 'Snapshots' }).click();
    const tree = page.getByRole('tree', { name: 'Snapshots of snap' });
    await expect.poll(() => treeRows(tree)).toEqual([['Current state', 1]]);
    await expect(page.getByText('No snapshots yet.', { exact: false })).toBeVisible();
    await expect(tools(page).getByRole('button', { name: 'Revert' })).toBeDisabled();

    // Take: the dialog offers "Snapshot N"; a name in use is refused with the core's sentence.
    await tools(page).getByRole('button', { name: 'Take' }).click();
    let dialog = page.getByRole('dialog', { name: 'Take a snapshot of "snap"' });
    await expect(dialog.getByLabel('Snapshot name')).toHaveValue('Snapshot 1');
    await dialog.getByLabel('Description').fill('Before the risky step.');
    await dialog.getByRole('button', { name: 'Take snapshot' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('status')).toHaveText('Took the snapshot "Snapshot 1".');
    await tools(page).getByRole('button', { name: 'Take' }).click();
    dialog = page.getByRole('dialog', { name: 'Take a snapshot of "snap"' });
    await expect(dialog.getByLabel('Snapshot name')).toHaveValue('Snapshot 2');
    await dialog.getByLabel('Snapshot name').fill('Snapshot 1');
    await expect(dialog.getByRole('alert')).toHaveText('There is a snapshot named "Snapshot 1" already; choose another name.');
    await expect(dialog.getByRole('button', { name: 'Take snapshot' })).toBeDisabled();
    await dialog.getByLabel('Snapshot name').fill('Snapshot 2');
    await dialog.getByRole('button', { name: 'Take snapshot' }).click();
    await expect(page.getByRole('status')).toHaveText('Took the snapshot "Snapshot 2".');
    await expect
      .poll(() => treeRows(tree))
      .toEqual([
        ['Snapshot 1', 1],
        ['Snapshot 2', 2],
        ['Current state', 3],
      ]);
    // Taken while stopped: disks only. Selecting one shows its description.
    await expect(tree.getByRole('treeitem', { name: 'Snapshot 1' })).toContainText('offline');
    await tree.getByRole('treeitem', { name: 'Snapshot 1' }).click();
    await expect(page.getByRole('region', { name: 'Selected snapshot' })).toContainText('Before the risky step.');

    // The VM runs: its current state has changed since Snapshot 2.
    await page.getByRole('button', { name: 'Start' }).click();
    await expect(row(page, 'snap')).toContainText('Running');
    await page.getByRole('tab', { name: 'Console' }).click();
    await waitForTerminal(page, guest.readyMarker);
    await page.getByRole('button', { name: 'Power off' }).click();
    await expect(row(page, 'snap')).toContainText('Stopped');
    await page.getByRole('tab', { name: 'Snapshots' }).click();
    await expect(tree.getByRole('treeitem', { name: 'Current state (changed)' })).toBeVisible();
    await page.screenshot({ path: info.outputPath('tree.png') });

    // Revert to the first: asked whether to keep the changed state as a snapshot first.
    await tree.getByRole('treeitem', { name: 'Snapshot 1' }).click();
    await tools(page).getByRole('button', { name: 'Revert' }).click();
    const ask = page.getByRole('alertdialog', { name: 'Revert to "Snapshot 1"?' });
    await expect(ask).toContainText('Take a snapshot of the current state first?');
    await expect(ask.getByRole('button', { name: "Don't take" })).toBeVisible();
    await expect(ask.getByLabel('Name for the snapshot of the current state')).toHaveValue('Snapshot 3');
    await ask.getByRole('button', { name: 'Take snapshot' }).click();
    await expect(ask).toBeHidden();
    await expect(page.getByRole('status')).toHaveText('Reverted to "Snapshot 1".');
    await expect
      .poll(() => treeRows(tree))
      .toEqual([
        ['Snapshot 1', 1],
        ['Snapshot 2', 2],
        ['Snapshot 3', 3],
        ['Current state', 2],
      ]);

    // Delete the middle one: what was taken after it hangs from its parent.
    await tree.getByRole('treeitem', { name: 'Snapshot 2' }).click();
    await tools(page).getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete the snapshot "Snapshot 2"?' });
    await confirm.getByRole('button', { name: 'Delete snapshot' }).click();
    await expect(confirm).toBeHidden();
    await expect(page.getByRole('status')).toHaveText('Deleted the snapshot "Snapshot 2".');
    await expect
      .poll(() => treeRows(tree))
      .toEqual([
        ['Snapshot 1', 1],
        ['Snapshot 3', 2],
        ['Current state', 2],
      ]);
    const listed = JSON.parse((await served.cli(['snapshot', 'snap', 'list', '--json'])).stdout) as { snapshots: { name: string }[] };
    expect(listed.snapshots.map((s) => s.name).sort()).toEqual(['Snapshot 1', 'Snapshot 3']);

    // Clone (full) the current state: a new VM in the list, with its own copy of the disk.
    await tree.getByRole('treeitem', { name: 'Current state' }).click();
    await tools(page).getByRole('button', { name: 'Clone' }).click();
    const clone = page.getByRole('dialog', { name: 'Clone "snap"' });
    await expect(clone.getByLabel('Name of the new VM')).toHaveValue('snap Clone');
    await expect(clone.getByRole('radio', { name: /^Linked clone/ })).toBeDisabled();
    await clone.getByLabel('Name of the new VM').fill('snap-copy');
    await expect(clone.getByRole('radio', { name: /^Full clone/ })).toBeChecked();
    await clone.getByRole('button', { name: 'Clone', exact: true }).click();
    await expect(clone).toBeHidden();
    await expect(page.getByRole('status')).toHaveText('Cloned as "snap-copy".');
    await expect(row(page, 'snap-copy')).toContainText('Stopped');
    const [source, copy] = [await show('snap'), await show('snap-copy')];
    expect(copy.config.disks).toHaveLength(1);
    const copyDisk = path.resolve(copy.folder, copy.config.disks[0]!.path);
    expect(copyDisk).not.toBe(path.resolve(source.folder, source.config.disks[0]!.path));
    expect(fs.existsSync(copyDisk)).toBe(true);

    // Grow the disk in Settings: shrinking is refused with the service's sentence; growing shows the new size.
    await row(page, 'snap').click();
    await page.getByRole('tab', { name: 'Settings' }).click();
    const diskName = source.config.disks[0]!.path;
    const disk = page.getByRole('list', { name: 'Disk images' }).getByRole('listitem', { name: diskName });
    await expect(disk).toContainText('Virtual size: 64.0 MiB');
    await expect(disk).toContainText('qcow2');
    await disk.getByLabel(`New size of ${diskName}`).fill('lots');
    await expect(disk.getByRole('alert')).toHaveText('"lots" is not a size; write it like 512M or 8G.');
    await expect(disk.getByRole('button', { name: `Grow ${diskName}` })).toBeDisabled();
    await disk.getByLabel(`New size of ${diskName}`).fill('32M');
    await disk.getByRole('button', { name: `Grow ${diskName}` }).click();
    await expect(page.getByRole('region', { name: 'Disks and media' }).getByRole('alert')).toContainText('can only grow');
    await expect(disk).toContainText('Virtual size: 64.0 MiB');
    await disk.getByLabel(`New size of ${diskName}`).fill('96M');
    await disk.getByRole('button', { name: `Grow ${diskName}` }).click();
    await expect(disk).toContainText('Virtual size: 96.0 MiB');
    await expect(page.getByTestId('disk-status')).toHaveText(`${diskName} is now 96.0 MiB.`);
    await page.screenshot({ path: info.outputPath('disks.png') });
  });

  test('while running: a live snapshot brings back the shell session, and an ISO goes in and out of the CD drive', async ({ page }) => {
    await create('live', '--disk', '32M', '--disk-format', 'qcow2');
    await page.goto(served.url);
    await row(page, 'live').click();
    await page.getByRole('button', { name: 'Start' }).click();
    await expect(row(page, 'live')).toContainText('Running');
    await page.getByRole('tab', { name: 'Console' }).click();
    await waitForTerminal(page, guest.readyMarker);
    await typeLine(page, 'KEPT=before-$((2*3))');

    await page.getByRole('tab', { name: 'Snapshots' }).click();
    const tree = page.getByRole('tree', { name: 'Snapshots of live' });
    // A running VM is not cloned (its disks are changing); snapshots are taken live.
    await expect(tools(page).getByRole('button', { name: 'Clone' })).toBeDisabled();
    await tools(page).getByRole('button', { name: 'Take' }).click();
    await page.getByRole('dialog', { name: 'Take a snapshot of "live"' }).getByRole('button', { name: 'Take snapshot' }).click();
    await expect(page.getByRole('status')).toHaveText('Took the snapshot "Snapshot 1".');
    await expect(tree.getByRole('treeitem', { name: 'Snapshot 1' })).toContainText('live');
    await expect(tree.getByRole('treeitem', { name: 'Current state (changed)' })).toBeVisible();

    await page.getByRole('tab', { name: 'Console' }).click();
    await typeLine(page, 'KEPT=after');
    await page.getByRole('tab', { name: 'Snapshots' }).click();
    await tree.getByRole('treeitem', { name: 'Snapshot 1' }).click();
    await tools(page).getByRole('button', { name: 'Revert' }).click();
    await page.getByRole('alertdialog', { name: 'Revert to "Snapshot 1"?' }).getByRole('button', { name: "Don't take" }).click();
    await expect(page.getByRole('status')).toHaveText('Reverted to "Snapshot 1".');
    await expect
      .poll(() => treeRows(tree))
      .toEqual([
        ['Snapshot 1', 1],
        [expect.stringMatching(/^Current state/), 2],
      ]);
    await expect(row(page, 'live')).toContainText('Running');
    await page.getByRole('tab', { name: 'Console' }).click();
    await typeLine(page, 'echo "[$KEPT]"');
    await waitForTerminal(page, '[before-6]');

    // The CD: disks cannot grow while the VM runs, but an ISO can go in and come out.
    await page.getByRole('tab', { name: 'Settings' }).click();
    const media = page.getByRole('region', { name: 'Disks and media' });
    await expect(media.getByRole('button', { name: /^Grow / })).toBeDisabled();
    await expect(media.getByTestId('cd-medium')).toContainText('empty');
    await media.getByRole('textbox', { name: 'ISO image to insert' }).fill(guest.iso);
    await media.getByRole('button', { name: 'Insert', exact: true }).click();
    await expect(media.getByTestId('disk-status')).toHaveText(`Inserted ${guest.iso}.`);
    await expect(media.getByTestId('cd-medium')).toContainText(guest.iso);
    expect((await show('live')).config).toMatchObject({ optical: { isoPath: guest.iso } });
    await media.getByRole('button', { name: 'Eject' }).click();
    await expect(media.getByTestId('cd-medium')).toContainText('empty');
    expect((await show('live')).config).toMatchObject({ optical: null });
    await page.getByRole('button', { name: 'Power off' }).click();
    await expect(row(page, 'live')).toContainText('Stopped');
  });

  test('a VM that cannot hold snapshots says why, in the GUI language', async ({ page }) => {
    await create('bare');
    await page.goto(served.url);
    await row(page, 'bare').click();
    await page.getByRole('tab', { name: 'Snapshots' }).click();
    await expect(page.getByTestId('snapshots-unsupported')).toHaveText('This VM has no disk that could hold a snapshot.');
    await expect(tools(page).getByRole('button', { name: 'Take' })).toBeDisabled();
    await page.getByLabel('Language').selectOption('ko');
    await expect(page.getByTestId('snapshots-unsupported')).toHaveText('이 VM에는 스냅샷을 담을 수 있는 디스크가 없습니다.');
    await expect(page.getByRole('tree').getByRole('treeitem', { name: '현재 상태' })).toBeVisible();
    await page.getByLabel('언어').selectOption('en');
  });
});
