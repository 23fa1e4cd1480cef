// The GUI in Debian's Chromium against `guesthouse serve`, with the tiny test guest.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { tinyGuest, type TestGuest, tinyVmArgs } from '../support/guest';
import { fullFlow, row } from './flow';
import { serve, type Served } from './serve';
import { guiTestsMissing } from './requirements';
import { connectToService } from '../../core/node/transport/serviceClient';
import { coreText } from '../../core/common/messages';
import type { HostInfo } from '../../core/common/api';

const missing = guiTestsMissing;

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
    await fullFlow(page, guest, info);
  });

  test('the wizard refuses too much memory with its sentence', async ({ page }) => {
    await page.goto(served.url);
    await page.getByRole('button', { name: 'New', exact: true }).click();
    const wizard = page.getByRole('dialog', { name: 'New virtual machine' });
    await wizard.getByLabel('Name', { exact: true }).fill('greedy');
    await wizard.locator('#vm-memory').fill('4000000');
    await expect(wizard.getByRole('alert')).toHaveText(/^Memory of 4000000 MiB is more than this host has \(\d+ MiB\)\.$/);
    await expect(wizard.getByRole('button', { name: 'Finish' })).toBeDisabled();
    await wizard.locator('#vm-memory').fill('0');
    await expect(wizard.getByRole('alert')).toHaveText('Memory must be at least 16 MiB.');
    await wizard.locator('#vm-firmware').selectOption('uefi');
    await wizard.locator('#vm-memory').fill('128');
    await expect(wizard.getByRole('alert')).toHaveText('UEFI firmware needs at least 256 MiB of memory.');
    await wizard.locator('#vm-memory').fill('256');
    await expect(wizard.getByRole('alert')).toHaveCount(0);
    await wizard.getByLabel('Name', { exact: true }).fill('a/b');
    await expect(wizard.getByText('The name must not contain / or \\.')).toBeVisible();
    await wizard.getByRole('button', { name: 'Cancel' }).click();
    expect(JSON.parse((await served.cli(['list', '--json'])).stdout)).toEqual([]);
  });

  test('two tabs see the same live state', async ({ context }) => {
    const [a, b] = [await context.newPage(), await context.newPage()];
    await a.goto(served.url);
    await b.goto(served.origin + '/');
    const made = await served.cli(['create', 'shared', ...tinyVmArgs(guest)]);
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

  test('settings: editable while stopped, read-only while running', async ({ page }) => {
    const made = await served.cli(['create', 'tune', ...tinyVmArgs(guest)]);
    expect(made.code).toBe(0);
    await page.goto(served.url);
    await row(page, 'tune').click();
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.locator('#set-memory').fill('0');
    await expect(page.getByRole('alert')).toHaveText('Memory must be at least 16 MiB.');
    await expect(page.getByRole('button', { name: 'Save', exact: true })).toBeDisabled();
    await page.locator('#set-memory').fill('192');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByRole('status')).toHaveText('Saved.');
    expect(JSON.parse((await served.cli(['show', 'tune', '--json'])).stdout).config.memoryMib).toBe(192);
    await expect(row(page, 'tune')).toContainText('192 MiB');
    await page.getByRole('button', { name: 'Start' }).click();
    await expect(row(page, 'tune')).toContainText('Running');
    await page.getByRole('tab', { name: 'Settings' }).click();
    await expect(page.getByText('The VM is running: these settings can change only after it stops.')).toBeVisible();
    await expect(page.locator('#set-memory')).toBeDisabled();
    await page.getByRole('button', { name: 'Power off' }).click();
    await expect(row(page, 'tune')).toContainText('Stopped');
    await expect(page.locator('#set-memory')).toBeEnabled();
    // Network cards: the first on NAT, saved with the form; port forwards as rules, each added at
    // once (a bad port gets its sentence first).
    await page.locator('#set-network-0').selectOption('nat');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByRole('status')).toHaveText('Saved.');
    const forwards = page.getByRole('region', { name: 'Port forwards' });
    await forwards.locator('#fwd-host-port').fill('70000');
    await expect(forwards.getByRole('alert')).toHaveText('A port must be between 1 and 65535.');
    await expect(forwards.getByRole('button', { name: 'Add forward' })).toBeDisabled();
    await forwards.locator('#fwd-host-port').fill('2222');
    await forwards.locator('#fwd-guest-port').fill('22');
    await forwards.getByRole('button', { name: 'Add forward' }).click();
    await expect(forwards.getByRole('cell', { name: 'tcp-2222', exact: true })).toBeVisible();
    await forwards.locator('#fwd-name').fill('web');
    await forwards.locator('#fwd-host-port').fill('8080');
    await forwards.locator('#fwd-guest-port').fill('80');
    await forwards.locator('#fwd-address').fill('0.0.0.0');
    await expect(forwards.getByRole('note')).toHaveText(
      'Host port 8080 listens on 0.0.0.0: other machines that reach this address can reach the guest through it.',
    );
    await forwards.locator('#fwd-address').fill('127.0.0.1');
    await forwards.getByRole('button', { name: 'Add forward' }).click();
    await expect(forwards.getByRole('cell', { name: 'web', exact: true })).toBeVisible();
    expect(JSON.parse((await served.cli(['show', 'tune', '--json'])).stdout).config.nics).toEqual([
      {
        id: 'net0',
        mac: expect.stringMatching(/^52:54:00(:[0-9a-f]{2}){3}$/),
        attachment: 'nat',
        model: 'e1000',
        forwards: [
          { name: 'tcp-2222', protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 },
          { name: 'web', protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 8080, guestPort: 80 },
        ],
      },
    ]);
    await forwards.screenshot({ path: 'test-results/e2e/forwards.png' });
    await forwards.getByRole('button', { name: 'Remove forward tcp-2222' }).click();
    await expect(forwards.getByRole('cell', { name: 'tcp-2222', exact: true })).toHaveCount(0);
    // Private networks: made in the host panel, joined by a card in Settings, listed with their members.
    await page.getByRole('button', { name: 'Host' }).click();
    const networks = page.getByRole('region', { name: 'Private networks' });
    await networks.getByLabel('New network name').fill('bad name');
    await networks.getByRole('button', { name: 'Create' }).click();
    await expect(networks.getByRole('alert')).toBeVisible();
    await networks.getByLabel('New network name').fill('lab');
    await networks.getByRole('button', { name: 'Create' }).click();
    await expect(networks.getByRole('cell', { name: 'lab', exact: true })).toBeVisible();
    await page.getByRole('button', { name: 'Close' }).click();
    await page.locator('#set-network-0').selectOption('private:lab');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByRole('status')).toHaveText('Saved.');
    expect(JSON.parse((await served.cli(['show', 'tune', '--json'])).stdout).config.nics[0].attachment).toBe('private:lab');
    await page.getByRole('button', { name: 'Host' }).click();
    await expect(networks.getByRole('row', { name: /lab/ })).toContainText('tune');
    await networks.getByRole('button', { name: 'Delete network lab' }).click();
    await expect(networks.getByRole('alert')).toContainText('tune');
    await networks.screenshot({ path: 'test-results/e2e/networks.png' });
    await page.getByRole('button', { name: 'Close' }).click();
    await page.locator('#set-network-0').selectOption('nat');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByRole('status')).toHaveText('Saved.');
    // What the guest sees: the adapter, the disk bus and the network card are settings too.
    await page.locator('#set-display').selectOption('virtio');
    await page.locator('#set-disk-bus').selectOption('ide');
    await page.locator('#set-nic-0').selectOption('virtio');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByRole('status')).toHaveText('Saved.');
    expect(JSON.parse((await served.cli(['show', 'tune', '--json'])).stdout).config).toMatchObject({
      display: { adapter: 'virtio' },
      diskBus: 'ide',
      nics: [{ model: 'virtio' }],
    });
    // Three cards; taking out the middle one leaves the third its MAC (the cards are named by MAC, not place).
    const macs = async () =>
      (JSON.parse((await served.cli(['show', 'tune', '--json'])).stdout) as { config: { nics: { mac: string }[] } }).config.nics.map((n) => n.mac);
    await page.getByRole('button', { name: 'Add a network card' }).click();
    await page.getByRole('button', { name: 'Add a network card' }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByRole('status')).toHaveText('Saved.');
    const three = await macs();
    expect(new Set(three).size).toBe(3);
    await page.getByRole('button', { name: 'Remove card 2' }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByRole('status')).toHaveText('Saved.');
    expect(await macs()).toEqual([three[0], three[2]]);
    await page.getByRole('button', { name: 'Remove card 2' }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByRole('status')).toHaveText('Saved.');
    expect(await macs()).toEqual([three[0]]);
    // Storage: a new disk is made on save; detaching takes it off the VM and leaves the file.
    const show = async () => JSON.parse((await served.cli(['show', 'tune', '--json'])).stdout) as { folder: string; config: { disks: { path: string }[] } };
    await page.locator('#set-new-disk').fill('lots');
    await expect(page.getByRole('alert')).toHaveText('A new disk needs a size in GiB, at least 1 MiB.');
    await expect(page.getByRole('button', { name: 'Save', exact: true })).toBeDisabled();
    await page.locator('#set-new-disk').fill('0.0625');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByRole('status')).toHaveText('Saved.');
    const { folder, config } = await show();
    expect(config.disks.map((d) => d.path)).toEqual(['tune.qcow2']);
    await expect(page.getByRole('list', { name: 'Storage' })).toContainText('tune.qcow2 (qcow2)');
    await page.getByRole('button', { name: 'Detach tune.qcow2' }).click();
    await expect(page.getByRole('list', { name: 'Storage' })).toContainText('detached when you save; the file stays');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByRole('status')).toHaveText('Saved.');
    expect((await show()).config.disks).toEqual([]);
    await expect(page.getByText('No hard disks.')).toBeVisible();
    expect(fs.existsSync(path.join(folder, 'tune.qcow2'))).toBe(true);
    // The picker offers disk images first, and says what is wrong with a folder it cannot list.
    await page.getByRole('button', { name: 'Browse for Attach an existing disk file' }).click();
    const picker = page.getByRole('dialog', { name: 'Choose: Attach an existing disk file' });
    await picker.getByLabel('Folder').fill(folder);
    await picker.getByLabel('Folder').press('Enter');
    await expect(picker.getByRole('button', { name: 'tune.qcow2' })).toBeVisible();
    await expect(picker.getByRole('button', { name: /vm\.json$/ })).toHaveCount(0);
    await picker.getByLabel('Show all files').check();
    await expect(picker.getByRole('button', { name: /vm\.json$/ })).toBeVisible();
    await picker.getByLabel('Folder').fill('/nonexistent');
    await picker.getByRole('button', { name: 'Go' }).click();
    await expect(picker.getByRole('alert')).toHaveText('There is no folder /nonexistent.');
    await picker.getByRole('button', { name: 'Cancel' }).click();
    await expect(picker).toBeHidden();
    await page.getByRole('tab', { name: 'Log' }).click();
    const log = page.getByLabel('Log', { exact: true });
    await expect(log).toContainText('==> qemu.log <==');
    await expect(log).toContainText('exit: Powered off.');
    // Plain text: the busybox prompt's cursor query (ESC[6n) and every other escape are gone.
    expect(await log.textContent()).not.toMatch(/\x1b|\[6n/);
    await page.getByLabel('Search the log').fill('powered OFF');
    await expect(page.getByRole('status')).toHaveText(/^[1-9]\d* match(es)?$/);
    await expect(log.locator('mark.current')).toHaveText('Powered off');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Save as…' }).click();
    expect((await download).suggestedFilename()).toBe('tune.log');
    expect(fs.readFileSync(await (await download).path(), 'utf8')).toBe(await log.textContent());
    expect((await served.cli(['delete', 'tune'])).code).toBe(0);
  });

  test('200 VMs: all listed (the rows on screen exist, the rest as the list scrolls), and search narrows them', async ({ page }) => {
    const client = (await connectToService(served.home, false))!;
    try {
      for (let i = 0; i < 200; i++) await client.createVm({ name: `vm-${String(i).padStart(3, '0')}`, osType: 'other-x64', memoryMib: 64, network: 'none' });
      await page.goto(served.url);
      // Other tests' VMs may be in the library too: these are the ones named vm-….
      await page.getByLabel('Search VMs').fill('vm-');
      await expect(page.getByText('This computer (200 VMs)')).toBeVisible();
      const rows = page.locator('li[data-vm^="vm-"]');
      await expect(rows.first()).toHaveAttribute('aria-setsize', '200');
      // Virtualised: only about a screenful of rows is in the page, and the last one comes by scrolling.
      expect(await rows.count()).toBeLessThan(40);
      await expect(page.locator('li[data-vm="vm-199"]')).toHaveCount(0);
      await page.locator('.list').evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await expect(page.locator('li[data-vm="vm-199"]')).toBeVisible();
      await page.getByLabel('Search VMs').fill('vm-13');
      await expect(page.locator('li[data-vm]')).toHaveCount(10);
      await page.getByLabel('Search VMs').fill('nothing-like-this');
      await expect(page.getByText('No VM matches "nothing-like-this".')).toBeVisible();
      await page.getByLabel('Search VMs').fill('vm-');
      await expect(page.getByText('This computer (200 VMs)')).toBeVisible();
      await page.screenshot({ path: test.info().outputPath('list-200.png') });
    } finally {
      for (const vm of await client.listVms()) if (vm.name.startsWith('vm-')) await client.deleteVm(vm.id);
      client.close();
    }
  });

  test('Korean strings', async ({ page }) => {
    await page.goto(served.url);
    await page.getByLabel('Language').selectOption('ko');
    await expect(page.getByRole('button', { name: '새로 만들기' })).toBeVisible();
    // The core's sentences come in Korean too: the wizard's live checks (core schemas) ...
    await page.getByRole('button', { name: '새로 만들기' }).click();
    const wizard = page.getByRole('dialog', { name: '새 가상 머신' });
    await wizard.locator('#vm-memory').fill('0');
    await expect(wizard.getByRole('alert')).toHaveText('메모리는 16 MiB 이상이어야 합니다.');
    await wizard.locator('#vm-name').fill('a/b');
    await expect(wizard.getByText('이름에 / 또는 \\ 를 쓸 수 없습니다.')).toBeVisible();
    await wizard.getByRole('button', { name: '취소' }).click();
    // ... and what the service says about the host.
    await page.getByRole('button', { name: '호스트' }).click();
    // KVM's line is the Korean of what the probe found on this host (present and working,
    // missing, not allowed, or present but unable to run 64-bit code), as the CLI reports it.
    const host = JSON.parse((await served.cli(['host', '--json'])).stdout) as HostInfo;
    const kvm = host.accelerators.find((a) => a.kind === 'kvm')!;
    expect(kvm.detail.key).toMatch(/^accel\./);
    await expect(page.getByText(`KVM: ${coreText(kvm.detail, 'ko')}`, { exact: true })).toBeVisible();
    await expect(page.getByText(/에서 QEMU \d+\.\d+(\.\d+)?을\(를\) 찾았습니다\.$/)).toBeVisible();
    await page.getByRole('button', { name: '닫기' }).click();
    await page.getByLabel('언어').selectOption('en');
    await expect(page.getByRole('button', { name: 'New', exact: true })).toBeVisible();
  });
});
