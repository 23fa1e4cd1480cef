// The guest's screen through the service, on real guests under both engines: the ready
// marker on the screen (the kernel told console=tty0), keys typed and their answer read back
// from the screen, the RFB stream of openDisplay, PNG screenshots at the guest's
// resolution, boot from an ISO with no -kernel, the USB tablet, and saved state.
import { describe, expect, it, vi } from 'vitest';
import type { IVmService, LibraryService } from '../../core/common/api';
import type { TestGuest } from '../support/guest';
import { i386PackagesAvailable } from '../support/components';
import { openDisplayStream } from '../../core/node/transport/displayStream';
import { RfbClient } from '../bench/rfbClient';
import { missingComponent, realGuestsMissing, skipBecause } from '../support/require';
import { guestService } from '../support/service';

const missing = realGuestsMissing();
const SCREEN = 'console=ttyS0 console=tty0 quiet';

/** Width and height from a PNG's IHDR. */
function pngSize(png: Uint8Array): string {
  const b = Buffer.from(png);
  expect(b.subarray(1, 4).toString()).toBe('PNG');
  return `${b.readUInt32BE(16)}x${b.readUInt32BE(20)}`;
}

/** Connects an RFB viewer to the guest's screen (openDisplay) and has its first (whole-screen) update. */
async function viewerOf(service: LibraryService, name: string): Promise<RfbClient> {
  return RfbClient.connect(await openDisplayStream(service, name));
}

/** The screen's rows, once `pred` holds for them (the screen is looked at until then). */
function screenWhen(service: LibraryService, name: string, pred: (rows: string[]) => boolean, what: string, timeoutMs = 60_000): Promise<string[]> {
  return vi.waitFor(
    async () => {
      const rows = await service.screenText(name).catch(() => [] as string[]);
      if (!pred(rows)) throw new Error(`${what} did not show within ${timeoutMs} ms; the screen:\n${rows.join('\n')}`);
      return rows;
    },
    { timeout: timeoutMs, interval: 200 },
  );
}

function screenTests(arch: 'amd64' | 'i386', make: (g: TestGuest, name: string, append: string) => Parameters<IVmService['createVm']>[0]) {
  const t = guestService(arch);
  const name = `screen-${arch}`;

  it('the ready marker shows on the screen; typed keys answer there', async () => {
    await t.service.createVm(make(t.guest, name, SCREEN));
    await t.service.startVm(name);
    expect(await t.service.waitForScreen(name, t.guest.readyMarker, 120_000)).toBe(true);
    await screenWhen(t.service, name, (rows) => rows.some((r) => r.startsWith('tiny#')), 'the shell prompt');
    await t.service.sendKeys(name, { text: 'echo screen-$((6*7))\n' });
    expect(await t.service.waitForScreen(name, 'screen-42', 30_000)).toBe(true);
    const rows = await t.service.screenText(name);
    expect(rows).toContain('screen-42');
  });

  it("a PNG screenshot has the guest's resolution, and the RFB endpoint serves the same screen", async () => {
    const png = await t.service.screenshot(name);
    expect(pngSize(png)).toBe('720x400');
    const viewer = await viewerOf(t.service, name);
    try {
      expect(`${viewer.width}x${viewer.height}`).toBe('720x400');
      // Keys from the viewer reach the guest too.
      viewer.type('echo rfb-$((7*6))');
      viewer.key(0xff0d, true);
      viewer.key(0xff0d, false);
      expect(await t.service.waitForScreen(name, 'rfb-42', 30_000)).toBe(true);
      // The picture the viewer holds is not blank.
      let lit = 0;
      for (let i = 0; i < viewer.fb.length; i += 4) if (viewer.fb[i]! | viewer.fb[i + 1]! | viewer.fb[i + 2]!) lit++;
      expect(lit).toBeGreaterThan(1000);
    } finally {
      viewer.close();
    }
  });

  it('a key chord is refused with a sentence when unknown; text outside a US keyboard too', async () => {
    await expect(t.service.sendKeys(name, { chord: 'ctrl-banana' })).rejects.toThrow('"ctrl-banana" is not a key chord Guesthouse knows');
    await expect(t.service.sendKeys(name, { text: 'é' })).rejects.toThrow('The character "é" cannot be typed on a US keyboard');
  });

  return t;
}

describe('the screen of a QEMU guest', () => {
  if (skipBecause(missing)) return;
  const t = screenTests('amd64', (g, name, append) => ({
    name,
    osType: 'other-x64',
    memoryMib: 128,
    kernelPath: g.bzImage,
    initrdPath: g.initrd,
    append,
    network: 'none',
  }));

  it("the USB tablet is one of the guest's input devices", async () => {
    // With console=tty0 last, the guest's console (and its shell) is the screen.
    const marker = (t.guest as TestGuest & { inputReadyMarker?: string }).inputReadyMarker;
    if (marker) expect(await t.service.waitForScreen('screen-amd64', marker, 60_000)).toBe(true);
    await t.service.sendKeys('screen-amd64', { text: 'grep -i tablet /proc/bus/input/devices\n' });
    expect(await t.service.waitForScreen('screen-amd64', 'N: Name="QEMU QEMU USB Tablet"', 30_000)).toBe(true);
  });

  it('saved state with a screen: the same screen comes back after restore', async () => {
    const before = await t.service.screenText('screen-amd64');
    await t.service.saveVm('screen-amd64');
    await t.service.startVm('screen-amd64');
    const after = await screenWhen(t.service, 'screen-amd64', (rows) => rows.includes('screen-42'), 'the screen from before the save', 30_000);
    expect(after.filter(Boolean).slice(-4)).toEqual(before.filter(Boolean).slice(-4));
    await t.service.sendKeys('screen-amd64', { text: 'echo after-$((2*21))\n' });
    expect(await t.service.waitForScreen('screen-amd64', 'after-42', 30_000)).toBe(true);
  });

  it('boots an installer-style ISO from the optical drive, with no kernel given, to its screen', async () => {
    const iso = (t.guest as TestGuest & { iso?: string }).iso;
    expect(iso, 'test/guests/build.mjs makes guest.iso').toBeTruthy();
    await t.service.createVm({ name: 'from-iso', osType: 'other-x64', memoryMib: 256, isoPath: iso!, network: 'none' });
    expect((await t.service.getVm('from-iso')).config.directBoot).toBeNull();
    await t.service.startVm('from-iso');
    expect(await t.service.waitForScreen('from-iso', t.guest.readyMarker, 120_000)).toBe(true);
    await t.service.powerOffVm('from-iso');
  });

  it('a VM without a screen says so instead of showing nothing', async () => {
    await t.service.createVm({
      name: 'headless',
      osType: 'other-x64',
      memoryMib: 128,
      kernelPath: t.guest.kernel,
      initrdPath: t.guest.initrd,
      append: t.guest.append,
      network: 'none',
      display: 'none',
    });
    await t.service.startVm('headless');
    await expect(t.service.openDisplay('headless', () => undefined)).rejects.toThrow(
      '"headless" has no screen (its display is set to none); use its serial console.',
    );
    await expect(t.service.screenshot('headless')).rejects.toThrow('"headless" has no screen (its display is set to none); use its serial console.');
    expect(await t.service.waitForConsole('headless', t.guest.readyMarker, 60_000)).toBe(true);
    await t.service.powerOffVm('headless');
  });
});

describe('the screen of a v86 guest', () => {
  const reason = missing ?? missingComponent('i386 packages for the v86 test guest', i386PackagesAvailable(), 'dpkg --add-architecture i386; apt-get update');
  if (skipBecause(reason)) return;
  screenTests('i386', (g, name, append) => ({
    name,
    engine: 'v86',
    osType: 'other-x86',
    memoryMib: 128,
    kernelPath: g.bzImage,
    initrdPath: g.initrd,
    append,
    network: 'none',
  }));
});
