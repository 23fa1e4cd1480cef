// The guest's screen in the GUI (Display tab, noVNC over /display/<id>) and the details
// pane's preview, in Debian's Chromium against `guesthouse serve`, with the tiny guest.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
// Not named WebSocket: page.evaluate's callbacks use the browser's.
import { WebSocket as NodeWebSocket } from 'ws';
import type { IVmService, VmDetails } from '../../core/common/api';
import { runtimeDir } from '../../core/node/shared/paths';
import { connectToService } from '../../core/node/transport/serviceClient';
import { tinyGuest, tinyVm, type TestGuest } from '../support/guest';
import { row } from './flow';
import { serve, type Served } from './serve';
import { guiTestsMissing } from './requirements';

/** The kernel's messages on the screen and the serial port; the guest gives the screen (tty1) a shell. */
const SCREEN_APPEND = 'console=tty0 console=ttyS0 quiet';

const missing = guiTestsMissing;

/** Pixels of the noVNC canvas that are not (nearly) black. */
async function litPixels(page: Page): Promise<number> {
  return page
    .getByTestId('display')
    .locator('canvas')
    .evaluate((el) => {
      const canvas = el as HTMLCanvasElement;
      if (!canvas.width || !canvas.height) return 0;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let lit = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i]! + data[i + 1]! + data[i + 2]! > 60) lit++;
      return lit;
    });
}

/** US-layout characters typed with Shift held, and the key under each. */
const SHIFTED: Record<string, string> = {
  '!': 'Digit1',
  '@': 'Digit2',
  '#': 'Digit3',
  $: 'Digit4',
  '%': 'Digit5',
  '^': 'Digit6',
  '&': 'Digit7',
  '*': 'Digit8',
  '(': 'Digit9',
  ')': 'Digit0',
  _: 'Minus',
  '+': 'Equal',
  '{': 'BracketLeft',
  '}': 'BracketRight',
  '|': 'Backslash',
  ':': 'Semicolon',
  '"': 'Quote',
  '<': 'Comma',
  '>': 'Period',
  '?': 'Slash',
  '~': 'Backquote',
};

/**
 * Types as a person does, Shift and all: the screen gets key positions (QEMU's extended key
 * events), so "$" is Shift+4, which keyboard.type alone would send as a bare 4.
 */
async function typeOnScreen(page: Page, text: string): Promise<void> {
  for (const ch of text) {
    const key = SHIFTED[ch] ?? (/^[A-Z]$/.test(ch) ? `Key${ch}` : null);
    if (key) await page.keyboard.press(`Shift+${key}`);
    else await page.keyboard.type(ch);
  }
}

/** Sockets the process holds, and how many of them are unix sockets (its ends toward the service and the guests). */
function socketsOf(pid: number): { all: number; unix: number } {
  const unixInodes = new Set(
    fs
      .readFileSync('/proc/net/unix', 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/)[6])
      .filter(Boolean),
  );
  let all = 0;
  let unix = 0;
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    let link: string;
    try {
      link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed while we looked
    }
    const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
    if (!inode) continue;
    all++;
    if (unixInodes.has(inode)) unix++;
  }
  return { all, unix };
}

/** The process's sockets once two looks half a second apart agree (closing is asynchronous). */
async function settledSockets(pid: number): Promise<{ all: number; unix: number }> {
  let last = '';
  await expect
    .poll(
      () => {
        const now = JSON.stringify(socketsOf(pid));
        const same = now === last;
        last = now;
        return same;
      },
      { intervals: [500], message: 'sockets settle' },
    )
    .toBe(true);
  return JSON.parse(last) as { all: number; unix: number };
}

/** How the server answers a display WebSocket: 101 when it opens, else the HTTP status. */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new NodeWebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.on('error', () => resolve(-1));
  });
}

test.describe('the guest screen through guesthouse serve', () => {
  test.skip(missing !== null, missing ?? '');
  test.describe.configure({ mode: 'serial' });
  let served: Served;
  let guest: TestGuest;
  let client: IVmService & { close(): void };
  let vm: VmDetails;

  test.beforeAll(async () => {
    guest = await tinyGuest('amd64');
    served = await serve();
    client = (await connectToService(served.home, false))!;
    // The bzImage: booted through PVH (the vmlinux) the kernel finds no VGA text console.
    vm = await client.createVm({ ...tinyVm(guest, 'screen', SCREEN_APPEND), kernelPath: guest.bzImage });
  });
  test.afterAll(async () => {
    await client?.powerOffVm(vm.id).catch(() => undefined);
    client?.close();
    await served?.stop();
  });

  test('a running VM opens on its screen: the marker shows, and typed keys reach the guest', async ({ page }, info) => {
    await page.goto(served.url);
    await row(page, 'screen').click();
    await page.getByRole('button', { name: 'Start' }).click();
    await expect(row(page, 'screen')).toContainText('Running');
    await expect(page.getByRole('tab', { name: 'Display' })).toHaveAttribute('aria-selected', 'true');
    const status = page.getByTestId('display-status');
    await expect(status).toHaveText(/^Connected · \d+×\d+/);

    // The marker is on the screen (the core reads it), and the canvas shows it (not blank).
    expect(await client.waitForScreen(vm.id, guest.readyMarker, 90_000)).toBe(true);
    await expect.poll(() => litPixels(page), { message: 'lit pixels on the canvas' }).toBeGreaterThan(500);
    expect(await client.waitForScreen(vm.id, 'tiny#', 60_000)).toBe(true);

    // Clicking the screen gives it the keyboard, and says how to take it back.
    const hint = page.getByTestId('keyboard-hint');
    await expect(hint).toHaveText('Click the screen to give it the keyboard.');
    await page.getByTestId('display').locator('canvas').click();
    await expect(hint).toHaveText('Keyboard captured — press Right Ctrl (or the button) to release');
    await typeOnScreen(page, 'echo $((6*7))');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await client.screenText(vm.id)).map((l) => l.trim()), { message: '42 on the screen' }).toContain('42');
    await expect(page.getByRole('button', { name: 'Ctrl+Alt+Del' })).toBeEnabled();
    await page.screenshot({ path: path.join(info.project.outputDir, 'display.png') });

    // Right Ctrl releases the keyboard: what is typed then stays out of the guest.
    await page.keyboard.press('ControlRight');
    await expect(hint).toHaveText('Click the screen to give it the keyboard.');
    await page.keyboard.type('zzz');
    await page.getByRole('button', { name: 'Capture keyboard' }).click();
    await expect(hint).toHaveText('Keyboard captured — press Right Ctrl (or the button) to release');
    await typeOnScreen(page, 'echo cap-$((2*3))');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await client.screenText(vm.id)).map((l) => l.trim()), { message: 'cap-6 on the screen' }).toContain('cap-6');
    expect((await client.screenText(vm.id)).join('\n')).not.toContain('zzz');
    await page.getByRole('button', { name: 'Release keyboard' }).click();
    await expect(hint).toHaveText('Click the screen to give it the keyboard.');

    // Scale to fit and 1:1.
    const canvasFit = () =>
      page
        .getByTestId('display')
        .locator('canvas')
        .evaluate((el) => {
          const c = el as HTMLCanvasElement;
          return Math.abs(c.getBoundingClientRect().width - c.width) < 1;
        });
    await page.getByRole('button', { name: '1:1' }).click();
    await expect(page.getByRole('button', { name: '1:1' })).toHaveAttribute('aria-pressed', 'true');
    await expect.poll(canvasFit).toBe(true);
    await page.getByRole('button', { name: 'Scale to fit' }).click();
    await expect.poll(canvasFit).toBe(false);

    // Full screen is the screen and its tools, nothing else of the window.
    await page.getByRole('button', { name: 'Full screen' }).click();
    await expect(page.getByRole('button', { name: 'Leave full screen' })).toBeVisible();
    expect(await page.evaluate(() => document.fullscreenElement?.className)).toBe('display');
    await page.getByRole('button', { name: 'Leave full screen' }).click();
    await expect(page.getByRole('button', { name: 'Full screen' })).toBeVisible();
  });

  test('a display WebSocket needs the token, our origin and a guest with a screen; it carries binary frames only', async ({ browser }) => {
    const ws = served.origin.replace(/^http/, 'ws');
    const cookie = `guesthouse_token=${new URL(served.url).searchParams.get('token')}`;
    expect(await upgradeStatus(`${ws}/display/${vm.id}`, {})).toBe(401);
    expect(await upgradeStatus(`${ws}/display/${vm.id}`, { cookie: 'guesthouse_token=wrong' })).toBe(401);
    expect(await upgradeStatus(`${ws}/display/${vm.id}`, { cookie, origin: 'http://example.com' })).toBe(401);
    expect(await upgradeStatus(`${ws}/display/no-such-vm`, { cookie })).toBe(404);
    expect(await upgradeStatus(`${ws}/display/${vm.id}`, { cookie, origin: served.origin })).toBe(101);

    // A page without the cookie cannot open it either.
    const fresh = await browser.newContext();
    const page = await fresh.newPage();
    await page.goto(served.origin + '/');
    const opened = await page.evaluate(
      (url) =>
        new Promise<string>((resolve) => {
          const s = new WebSocket(url);
          s.onopen = () => resolve('open');
          s.onerror = () => resolve('refused');
        }),
      `${ws}/display/${vm.id}`,
    );
    expect(opened).toBe('refused');
    await fresh.close();

    // The guest greets in RFB; a text frame from the viewer ends the connection.
    const answer = await new Promise<{ greeting: string; code: number }>((resolve) => {
      const s = new NodeWebSocket(`${ws}/display/${vm.id}`, { headers: { cookie } });
      let greeting = '';
      s.on('message', (data: Buffer, isBinary) => {
        if (!isBinary) return;
        greeting ||= data.toString('latin1');
        s.send('not RFB');
      });
      s.on('close', (code) => resolve({ greeting, code }));
    });
    expect(answer.greeting).toMatch(/^RFB 003\.00\d\n/);
    expect(answer.code).toBe(1003);
  });

  test('opening and closing the Display tab 50 times leaves no sockets behind', async ({ page }) => {
    // serve reaches the screen over its one connection to the service (openDisplay), never a
    // socket of its own; the service opens one to the guest host per viewer and closes it after.
    test.skip(!fs.existsSync('/proc/net/unix'), 'counts sockets through /proc (Linux)');
    test.setTimeout(300_000);
    await page.goto(served.url);
    await row(page, 'screen').click();
    await page.getByRole('tab', { name: 'Console' }).click();
    await expect(page.getByTestId('terminal')).toBeVisible();
    const servicePid = Number(fs.readFileSync(path.join(runtimeDir(served.home), 'service.pid'), 'utf8'));
    const before = await settledSockets(served.pid);
    const serviceBefore = await settledSockets(servicePid);
    for (let i = 0; i < 50; i++) {
      await page.getByRole('tab', { name: 'Display' }).click();
      // Waited for in the page (not polled from here): each open takes a fraction of a second.
      await page
        .getByTestId('display-status')
        .filter({ hasText: /^Connected/ })
        .waitFor();
      if (i === 0) {
        expect(socketsOf(served.pid).unix).toBe(before.unix);
        expect(socketsOf(servicePid).unix).toBe(serviceBefore.unix + 1);
      }
      await page.getByRole('tab', { name: 'Console' }).click();
    }
    const after = await settledSockets(served.pid);
    expect(after.unix).toBe(before.unix);
    expect(after.all).toBeLessThanOrEqual(before.all);
    expect((await settledSockets(servicePid)).unix).toBe(serviceBefore.unix);
  });

  test('the details pane previews the running screen and says what the guest sees', async ({ page }) => {
    await page.goto(served.url);
    await row(page, 'screen').click();
    await page.getByRole('tab', { name: 'Details' }).click();
    const preview = page.getByTestId('preview');
    await expect(preview).toBeVisible();
    const first = await preview.getAttribute('src');
    expect(first).toMatch(/^blob:/);
    expect(await preview.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    // Refreshed every few seconds while it is in view.
    await expect.poll(() => preview.getAttribute('src'), { timeout: 10_000 }).not.toBe(first);
    const devices = page.getByRole('region', { name: 'What the guest sees' });
    await expect(devices).toContainText('Standard VGA');
    await expect(devices).toContainText('USB tablet');

    // A VM without a screen has no Display tab, and its preview says why.
    await client.createVm({ ...tinyVm(guest, 'headless'), display: 'none' });
    await row(page, 'headless').click();
    await expect(page.getByText('This VM has no screen (display: none).')).toBeVisible();
    await expect(page.getByRole('tab', { name: 'Display' })).toHaveCount(0);
    await expect(page.getByRole('tab', { name: 'Console' })).toBeVisible();
    await client.deleteVm('headless');
  });

  test('a v86 guest shows the same Display tab: its screen, and keys typed on the canvas', async ({ page }) => {
    // The embedded engine serves its own VGA as RFB from the guest host: one display component for both engines.
    test.setTimeout(240_000);
    const small = await tinyGuest('i386');
    const v86 = await client.createVm({
      name: 'small',
      engine: 'v86',
      osType: 'other-x86',
      memoryMib: 128,
      kernelPath: small.bzImage,
      initrdPath: small.initrd,
      append: SCREEN_APPEND,
      network: 'none',
    });
    try {
      await page.goto(served.url);
      await row(page, 'small').click();
      await page.getByRole('button', { name: 'Start' }).click();
      await expect(row(page, 'small')).toContainText('Running');
      await expect(page.getByRole('tab', { name: 'Display' })).toHaveAttribute('aria-selected', 'true');
      await expect(page.getByTestId('display-status')).toHaveText(/^Connected · \d+×\d+/);
      expect(await client.waitForScreen(v86.id, small.readyMarker, 180_000)).toBe(true);
      expect(await client.waitForScreen(v86.id, 'tiny#', 60_000)).toBe(true);
      await expect.poll(() => litPixels(page), { message: 'lit pixels on the canvas' }).toBeGreaterThan(500);
      await page.getByTestId('display').locator('canvas').click();
      await typeOnScreen(page, 'echo v86-$((6*7))');
      await page.keyboard.press('Enter');
      await expect
        .poll(async () => (await client.screenText(v86.id)).map((l) => l.trim()), { message: 'v86-42 on the screen', timeout: 60_000 })
        .toContain('v86-42');
    } finally {
      await client.powerOffVm(v86.id).catch(() => undefined);
      await client.deleteVm(v86.id).catch(() => undefined);
    }
  });
});
