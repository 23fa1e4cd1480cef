import fs from 'node:fs';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { encodePng } from '../display/png';
import { RfbServer } from '../display/rfbServer';
import { V86Screen, type V86ScreenEmulator } from './screen';
import { GuesthouseError } from '../../../common/errors';
import type { BootSpec } from '../../../common/protocol';
import { isDiskFull, writeFileAtomic } from '../../shared/atomicFile';
import type { Engine, EngineListener } from '../engine';
import { FileDisk } from './fileDisk';
import { m, type Sentence } from '../../../common/messages';
import { qcodeKeysyms } from '../../../common/keys';

/** The parts of v86's emulator object this engine uses (npm v86 0.5.462). */
interface V86Emulator {
  add_listener(event: string, listener: (arg: never) => void): void;
  run(): Promise<void>;
  stop(): Promise<void>;
  restart(): void;
  save_state(): Promise<ArrayBuffer>;
  serial_send_bytes(serial: number, data: Uint8Array): void;
  is_running(): boolean;
  v86: {
    cpu: {
      devices: { acpi?: { pm1_enable: number; pm1_status: number } };
      io: { ports: Record<number, { write16(this: unknown, value: number): void }> };
      device_raise_irq(irq: number): void;
    };
  };
}

const PM1A_CNT = 0xb004;
const SLP_EN = 1 << 13;
const PWRBTN = 1 << 8;
const SCI_IRQ = 9;

/**
 * v86 as an engine: an x86 PC in WebAssembly, inside the guest host itself, so this
 * process is the hypervisor for its guest. 32-bit guests, one CPU, serial console,
 * disks read from their files on demand with writes going straight to the file.
 */
export class V86Engine implements Engine {
  readonly kind = 'v86';
  readonly pid = undefined;
  readonly accelerator = null;
  private emulator: V86Emulator | undefined;
  private readonly disks: FileDisk[] = [];
  private pendingOutput: number[] = [];
  private outputScheduled = false;
  private outputPaused = false;
  private exited = false;
  private userPaused = false;

  constructor(
    private readonly spec: BootSpec,
    private readonly listener: EngineListener,
  ) {
    if (!spec.v86) throw new GuesthouseError('engine-missing', m('v86.noFirmware'));
  }

  async start(): Promise<void> {
    const { config, vmDir } = this.spec;
    const fw = this.spec.v86!;
    const resolve = (p: string) => path.resolve(vmDir, p);
    // require() of the ESM v86 package works on Node >= 20.19 (and in Electron's Node).
    const { V86 } = require('v86') as { V86: new (options: Record<string, unknown>) => V86Emulator };
    const options: Record<string, unknown> = {
      wasm_path: fw.wasm,
      bios: { url: fw.bios },
      // Without a VGA BIOS SeaBIOS and the guest see no screen: display none is serial only.
      ...(fw.vgaBios && config.display.adapter !== 'none' ? { vga_bios: { url: fw.vgaBios } } : {}),
      memory_size: config.memoryMib * 2 ** 20,
      vga_memory_size: 8 * 2 ** 20,
      autostart: true,
      acpi: true,
      disable_keyboard: true,
      disable_mouse: true,
      disable_speaker: true,
    };
    config.disks.forEach((d, i) => {
      const disk = new FileDisk(resolve(d.path), false);
      this.disks.push(disk);
      options[i === 0 ? 'hda' : 'hdb'] = disk;
    });
    if (config.optical) {
      const cd = new FileDisk(resolve(config.optical.isoPath), true);
      this.disks.push(cd);
      options.cdrom = cd;
    }
    if (config.directBoot) {
      options.bzimage = { url: resolve(config.directBoot.kernelPath) };
      if (config.directBoot.initrdPath) options.initrd = { url: resolve(config.directBoot.initrdPath) };
      options.cmdline = config.directBoot.append;
    }
    if (this.spec.restoreState) options.initial_state = { url: this.spec.stateFile };

    const emulator = new V86(options);
    this.emulator = emulator;
    emulator.add_listener('serial0-output-byte', (byte: never) => this.onByte(byte as number));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new GuesthouseError('engine-failed', m('v86.startTimeout'))), 60_000);
      emulator.add_listener('emulator-started', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.watchPowerOff(emulator);
  }

  /** v86 has no power-off device: the guest's ACPI sleep request (SLP_EN) is its power-off. */
  private watchPowerOff(emulator: V86Emulator): void {
    const port = emulator.v86.cpu.io.ports[PM1A_CNT];
    if (!port) return;
    const engine = this;
    const original = port.write16;
    port.write16 = function (this: unknown, value: number) {
      original.call(this, value);
      if (value & SLP_EN) setImmediate(() => engine.guestPoweredOff());
    };
  }

  private guestPoweredOff(): void {
    if (this.exited) return;
    void this.emulator?.stop();
    this.exit('stopped', m('exit.guestPoweredOff'));
  }

  private exit(outcome: 'stopped' | 'crashed', reason: Sentence): void {
    if (this.exited) return;
    this.exited = true;
    this.flushOutput();
    for (const d of this.disks) d.close();
    this.listener.onExit({ outcome, reason });
  }

  private onByte(byte: number): void {
    this.pendingOutput.push(byte);
    if (this.outputScheduled) return;
    this.outputScheduled = true;
    setImmediate(() => this.flushOutput());
  }

  private flushOutput(): void {
    this.outputScheduled = false;
    if (this.pendingOutput.length === 0) return;
    const data = Uint8Array.from(this.pendingOutput);
    this.pendingOutput = [];
    this.listener.onOutput(data);
  }

  async pause(): Promise<void> {
    this.userPaused = true;
    await this.emulator?.stop();
    this.listener.onRunState('paused');
  }

  async resume(): Promise<void> {
    this.userPaused = false;
    if (!this.outputPaused) await this.emulator?.run();
    this.listener.onRunState('running');
  }

  async reset(): Promise<void> {
    if (this.spec.config.directBoot) {
      throw new GuesthouseError('invalid-input', m('v86.noResetDirect'));
    }
    this.emulator?.restart();
  }

  async requestShutdown(): Promise<void> {
    const cpu = this.emulator?.v86.cpu;
    const acpi = cpu?.devices.acpi;
    // Press the ACPI fixed power button: status bit, then the SCI, if the guest listens.
    if (cpu && acpi && acpi.pm1_enable & PWRBTN) {
      acpi.pm1_status |= PWRBTN;
      cpu.device_raise_irq(SCI_IRQ);
    }
  }

  async powerOff(): Promise<void> {
    await this.emulator?.stop();
    this.exit('stopped', m('exit.poweredOff'));
  }

  async saveState(file: string): Promise<void> {
    const emulator = this.emulator;
    if (!emulator) throw new GuesthouseError('invalid-state', m('v86.notRunning'));
    await emulator.stop();
    try {
      const state = await emulator.save_state();
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeFileAtomic(file, new Uint8Array(state));
    } catch (err) {
      if (!this.userPaused && !this.outputPaused) void emulator.run();
      if (isDiskFull(err)) throw new GuesthouseError('engine-failed', m('save.diskFull', { name: this.spec.config.identity.name }));
      throw err;
    }
    this.exit('stopped', m('exit.stateSaved'));
  }

  write(data: Uint8Array): void {
    this.emulator?.serial_send_bytes(0, data);
  }

  /** Flow control: a guest whose viewers fall behind is stopped until they catch up. */
  setOutputPaused(paused: boolean): void {
    this.outputPaused = paused;
    if (paused) void this.emulator?.stop();
    else if (!this.userPaused) void this.emulator?.run();
  }

  kill(): void {
    void this.emulator?.stop();
  }

  private screen: V86Screen | undefined;

  /** The guest's screen, created at first use (it costs nothing before). */
  private screenSource(): V86Screen {
    if (!this.emulator) throw new GuesthouseError('invalid-state', m('v86.notRunning'));
    this.screen ??= new V86Screen(this.emulator as unknown as V86ScreenEmulator);
    return this.screen;
  }

  /** Serves the guest's screen, keyboard and mouse as RFB (VNC) to one client on `stream`. */
  openDisplay(stream: Duplex): void {
    new RfbServer(stream, this.screenSource(), { name: this.spec.config.identity.name });
  }

  /** The rows of text on the guest's screen in text mode, null in graphics mode. */
  async screenText(): Promise<string[] | null> {
    return this.screenSource().textScreen();
  }

  /** The guest's screen as a PNG at the guest's resolution. */
  async screenshot(): Promise<Uint8Array> {
    return this.screenshotPng();
  }

  screenshotPng(): Buffer {
    const screen = this.screenSource();
    return encodePng(screen.width, screen.height, screen.pixels());
  }

  /** Presses each chord: its keys down in order, then up in reverse, as scan codes to the PS/2 keyboard. */
  async sendKeys(chords: string[][]): Promise<void> {
    const screen = this.screenSource();
    for (const chord of chords) {
      const syms = chord.map((k) => qcodeKeysyms[k]!);
      for (const sym of syms) screen.key(sym, true);
      for (const sym of syms.reverse()) screen.key(sym, false);
    }
  }
}
