// The v86 engine's screen: the i386 tiny guest on its VGA text console, seen and typed
// into through a real RfbServer over a loopback socket, as noVNC would.
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sampleConfig } from '../support/sampleConfig';
import { findV86Firmware } from '../../core/node/host/v86Firmware';
import { V86Engine } from '../../core/node/guestHost/v86/engine';
import type { BootSpec } from '../../core/common/protocol';
import { tinyGuest } from '../support/guest';
import { i386PackagesAvailable } from '../support/components';
import { guestToolsPresent, missingComponent, skipBecause } from '../support/require';
import { RfbClient } from '../bench/rfbClient';

const firmware = findV86Firmware();
const missing =
  missingComponent('SeaBIOS with its VGA BIOS', firmware?.vgaBios != null, 'apt-get install seabios') ??
  missingComponent("Debian's apt and xz (to build the test guests)", guestToolsPresent, 'the test guests are built from Debian packages') ??
  missingComponent("Debian's i386 packages", guestToolsPresent && i386PackagesAvailable(), 'dpkg --add-architecture i386 && apt-get update');

const READY = 'GUESTHOUSE-READY';

/** Polls `check` until it returns a value other than undefined, or fails after `ms`. */
function until<T>(what: string, ms: number, check: () => T | undefined | Promise<T | undefined>, every = 50): Promise<T> {
  return vi.waitFor(
    async () => {
      const v = await check();
      if (v === undefined) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      return v;
    },
    { timeout: ms, interval: every },
  );
}

/** Decodes the PNGs screenshotPng writes (8-bit RGB, filter none) into width, height, RGB bytes. */
function decodePng(png: Buffer): { width: number; height: number; rgb: Buffer } {
  let off = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('latin1', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') [width, height] = [data.readUInt32BE(0), data.readUInt32BE(4)];
    if (type === 'IDAT') idat.push(data);
    expect(zlib.crc32(data, zlib.crc32(Buffer.from(type, 'latin1')))).toBe(png.readUInt32BE(off + 8 + len));
    off += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 3 + 1)]).toBe(0);
    raw.copy(rgb, y * width * 3, y * (width * 3 + 1) + 1, (y + 1) * (width * 3 + 1));
  }
  return { width, height, rgb };
}

describe('the v86 screen over RFB', () => {
  if (skipBecause(missing)) return;
  let engine: V86Engine;
  let server: net.Server;
  let viewer: RfbClient;
  const exits: string[] = [];
  const displays = new Set<net.Socket>();
  /** True once the viewer's copy of pixel rows [top, bottom) is the screen's, else undefined. */
  const viewerShows = (top: number, bottom: number, png = decodePng(engine.screenshotPng())) => {
    for (let y = top; y < bottom; y++)
      for (let x = 0; x < 720; x++) {
        const v = viewer.fb.readUInt32LE((y * 720 + x) * 4) & 0xffffff;
        const p = (y * 720 + x) * 3;
        if (v !== ((png.rgb[p] << 16) | (png.rgb[p + 1] << 8) | png.rgb[p + 2])) return undefined;
      }
    return true;
  };

  beforeAll(async () => {
    const guest = await tinyGuest('i386');
    const dir = path.join(os.tmpdir(), `gh-v86screen-${process.pid}`);
    const spec: BootSpec = {
      config: {
        ...sampleConfig,
        identity: { ...sampleConfig.identity, name: 'screen', osType: 'other-x86' },
        cpus: 1,
        memoryMib: 128,
        disks: [],
        nics: [{ ...sampleConfig.nics[0]!, attachment: 'none' }],
        display: { adapter: 'vga' },
        input: { pointer: 'ps2' },
        diskBus: 'ide',
        engine: 'v86',
        directBoot: { kernelPath: guest.bzImage, initrdPath: guest.initrd, append: 'console=tty0 quiet' },
      },
      vmDir: dir,
      runtimeDir: dir,
      engine: 'v86',
      v86: firmware!,
      stateFile: path.join(dir, 'state'),
      restoreState: false,
      ringBytes: 1 << 16,
    };
    engine = new V86Engine(spec, { onRunState: () => undefined, onOutput: () => undefined, onExit: (e) => exits.push(e.reason.message) });
    const t0 = Date.now();
    await engine.start();
    await until('the ready marker on the screen', 150_000, async () => ((await engine.screenText())?.some((l) => l.includes(READY)) ? true : undefined), 100);
    console.log(`v86 screen: boot to "${READY}" on the VGA text screen in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    server = net.createServer((s) => {
      // The server's end of each viewer, until its RfbServer has let it go.
      displays.add(s);
      s.once('close', () => displays.delete(s));
      engine.openDisplay(s);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  }, 180_000);

  afterAll(async () => {
    viewer?.close();
    server?.close();
    await engine?.powerOff();
  });

  it('shows the text console to an RFB viewer, at 720x400', async () => {
    viewer = await RfbClient.connect(net.connect((server.address() as net.AddressInfo).port, '127.0.0.1'));
    expect(`${viewer.width}x${viewer.height}`).toBe('720x400');
    // connect() has had the first, whole-screen update: the viewer's copy is the screen, some pixels lit, in more than one colour.
    const lit = new Set<number>();
    for (let i = 0; i < viewer.fb.length; i += 4) lit.add(viewer.fb.readUInt32LE(i) & 0xffffff);
    expect(lit.size).toBeGreaterThan(1);
  });

  it('types through RFB key events and shows the answer', async () => {
    await until('the shell prompt', 60_000, async () => ((await engine.screenText())?.some((l) => l.startsWith('tiny#')) ? true : undefined));
    viewer.type('echo $((6*7))');
    viewer.key(0xff0d, true);
    viewer.key(0xff0d, false);
    const t0 = Date.now();
    const row = await until('"42" on the screen', 60_000, async () => {
      const i = (await engine.screenText())?.findIndex((l) => l === '42');
      return i === undefined || i < 0 ? undefined : i;
    });
    console.log(`v86 screen: "echo $((6*7))" typed via RFB answered on screen in ${Date.now() - t0} ms`);
    expect((await engine.screenText())![row - 1]).toContain('echo $((6*7))');
    // The viewer's copy of that row catches up with the screen.
    const png = decodePng(engine.screenshotPng());
    await until('the viewer to show the answer row', 5_000, () => viewerShows(row * 16, row * 16 + 16, png));
  });

  it('takes a PNG screenshot at the text-mode resolution that is not blank', () => {
    const png = decodePng(engine.screenshotPng());
    expect([png.width, png.height]).toEqual([720, 400]);
    const colours = new Set<number>();
    for (let i = 0; i < png.rgb.length; i += 3) colours.add((png.rgb[i] << 16) | (png.rgb[i + 1] << 8) | png.rgb[i + 2]);
    expect(colours.size).toBeGreaterThan(1);
  });

  it('costs little with an idle viewer: only the blinking cursor is sent', async () => {
    const idle = async (ms: number) => {
      const [cpu, bytes] = [process.cpuUsage(), viewer.bytes];
      // A measurement over a fixed period, not a wait for something: deliberate.
      await new Promise((r) => setTimeout(r, ms));
      const used = process.cpuUsage(cpu);
      return { cpu: (used.user + used.system) / 1000 / ms, bytesPerS: ((viewer.bytes - bytes) * 1000) / ms };
    };
    // The last answer's updates have arrived: the viewer's copy is the whole screen (the
    // blinking cursor included, whose updates go on).
    await until('the viewer to show the whole screen', 5_000, () => viewerShows(0, 400));
    const withViewer = await idle(3000);
    viewer.close();
    // The display server has let the viewer go (and with it the cursor's blinking).
    await expect.poll(() => displays.size, { timeout: 5_000, message: 'the viewer let go' }).toBe(0);
    const without = await idle(3000);
    console.log(
      `v86 screen: idle guest, process CPU ${(without.cpu * 100).toFixed(1)} % of a core without a viewer, ` +
        `${(withViewer.cpu * 100).toFixed(1)} % with one (${withViewer.bytesPerS.toFixed(0)} bytes/s of updates)`,
    );
    expect(withViewer.bytesPerS).toBeLessThan(10_000); // a 9x16 cursor cell about 4 times a second
  });

  it('follows the guest into a VBE graphics mode and back (DesktopSize)', async () => {
    viewer = await RfbClient.connect(net.connect((server.address() as net.AddressInfo).port, '127.0.0.1'));
    type Vga = { svga_memory: Uint8Array; complete_redraw(): void };
    const emulator = (engine as unknown as { emulator: { v86: { cpu: { io: { port_write16(p: number, v: number): void }; devices: { vga: Vga } } } } })
      .emulator;
    const { io, devices } = emulator.v86.cpu;
    const dispi = (index: number, value: number) => (io.port_write16(0x1ce, index), io.port_write16(0x1cf, value));
    // What a guest driver does: 640x480, 32 bpp, enable with the linear framebuffer.
    dispi(1, 640);
    dispi(2, 480);
    dispi(3, 32);
    dispi(4, 0x41);
    expect(await engine.screenText()).toBeNull();
    // A red square at (10, 20)..(41, 51) in the framebuffer (B, G, R, X).
    for (let y = 20; y < 52; y++) for (let x = 10; x < 42; x++) devices.vga.svga_memory.set([0, 0, 255, 0], (y * 640 + x) * 4);
    devices.vga.complete_redraw();
    await until('the red square in the viewer', 10_000, () =>
      viewer.width === 640 && viewer.fb.readUInt32LE((30 * 640 + 20) * 4) === 0xff0000 && viewer.fb.readUInt32LE((30 * 640 + 50) * 4) === 0 ? true : undefined,
    );
    const png = decodePng(engine.screenshotPng());
    expect([png.width, png.height]).toEqual([640, 480]);
    expect([...png.rgb.subarray((25 * 640 + 12) * 3, (25 * 640 + 12) * 3 + 3)]).toEqual([255, 0, 0]);
    dispi(4, 0);
    await until('the text screen again', 10_000, async () => (viewer.width === 720 && (await engine.screenText())?.some((l) => l === '42') ? true : undefined));
    expect(viewer.sizes).toEqual(['720x400', '640x480', '720x400']);
    expect(exits).toEqual([]);
  });
});
