/**
 * The IVmService contract every front end speaks. Types only, plus the method list:
 * no zod here, so clients (CLI, preload, guest host) load nothing they do not use.
 * The argument schemas live in apiSchemas.ts.
 */
import type { ErrorData } from './errors';
import type { AcceleratorKind, EngineKind, OsType, VmConfig } from './config';
import type { VmState } from './state';
import type { CreateVmRequest, DeleteOptions, HostSettings, ModifyVmRequest, ShutdownOptions } from './apiSchemas';

export type { CreateVmRequest, DeleteOptions, HostSettings, ModifyVmRequest, ShutdownOptions };

export interface VmSummary {
  id: string;
  name: string;
  osType: OsType;
  engine: EngineKind;
  memoryMib: number;
  cpus: number;
  state: VmState;
  /** Why the VM is in its state, for crashed (and for stopped after a failure). */
  stateReason?: string;
  /**
   * Set when the VM's config (vm.json) cannot be read: why (also its stateReason). Such a VM
   * is listed, but refuses everything except `repairVm` and `deleteVm`; its other fields are
   * placeholders.
   */
  inaccessible?: string;
}

export interface VmRuntime {
  guestHostPid: number;
  enginePid?: number;
  engine: 'qemu' | 'v86';
  accelerator: string;
  startedAt: string;
  /** Epoch ms at which the guest's first console byte reached its guest host. */
  firstOutputAt?: number;
  /**
   * The guest host's display socket (a unix socket on the service's machine, in the VM's
   * private runtime folder) speaking RFB to any number of viewers, for both engines.
   * Absent for a VM without a screen (display none).
   */
  displaySocket?: string;
  /** Set when, under hardware acceleration, the guest showed no output and no screen change this many s after start. */
  silentForS?: number;
}

export interface VmDetails extends VmSummary {
  config: VmConfig;
  folder: string;
  runtime?: VmRuntime;
  /** Which engine this VM will run on here, and why (engine auto decides per host). */
  engineChoice: { engine: 'qemu' | 'v86' | null; reason: string };
  /** What the engine does differently, said plainly (disk writes, network). */
  engineNotes: string[];
}

export interface QemuBinary {
  arch: string;
  path: string;
  version: string;
}

export interface HostInfo {
  platform: string;
  arch: string;
  cpuModel: string;
  logicalCpus: number;
  physicalCpus: number;
  memoryTotalMib: number;
  memoryFreeMib: number;
  /**
   * Each accelerator: `present` (the device or feature is there), `usable` (QEMU ran 64-bit
   * guest code with it in the probe), and why not in `detail`.
   */
  accelerators: { kind: Exclude<AcceleratorKind, 'auto'>; usable: boolean; present: boolean; detail: string }[];
  /** What VMs with accelerator auto run with here, and why (probe, GUESTHOUSE_ACCELERATOR, or the host setting). */
  acceleratorChoice: { accelerator: Exclude<AcceleratorKind, 'auto'>; source: 'probe' | 'environment' | 'setting'; reason: string };
  settings: HostSettings;
  qemu: { binaries: QemuBinary[]; img: { path: string; version: string } | null; installHint: string | null };
  /** Which engine `auto` picks on this host, and why. */
  autoEngine: { engine: 'qemu' | 'v86' | null; reason: string };
  /** The embedded engine's firmware, or how to get it. */
  v86: { available: boolean; bios: string | null; vgaBios: string | null; wasm: string | null; detail: string };
  /** UEFI firmware for QEMU (OVMF), or how to get it. */
  uefi: { available: boolean; code: string | null; vars: string | null; detail: string };
  libraryPath: string;
}

export interface FileListing {
  /** The folder listed, absolute. */
  folder: string;
  /** Its parent, or null at the root. */
  parent: string | null;
  /** Folders first, then files, each by name; hidden ones (.name) left out. */
  entries: { name: string; path: string; kind: 'folder' | 'file'; sizeBytes: number }[];
  /** More entries than a listing carries were there. */
  truncated: boolean;
}

export interface StateChangeEvent {
  id: string;
  name: string;
  state: VmState;
  reason?: string;
}

export interface Disposable {
  dispose(): void;
}

export interface ConsoleAttachment extends Disposable {
  /** The recent output (from the guest host's ring buffer) at the moment of attaching. */
  backlog: Uint8Array;
  /**
   * With flow control: the viewer has processed this many more bytes (xterm.write's
   * callback). The guest's output pauses while a viewer is FLOW_HIGH_BYTES behind.
   */
  ack(bytes: number): void;
}

/** Key presses for a guest's keyboard: one chord ("ctrl-alt-delete", "ret") or text to type (US layout). */
export type KeyInput = { chord: string } | { text: string };

/** A guest's screen on a loopback TCP port for a native VNC viewer, with a one-time password. */
export interface DisplayEndpoint {
  host: string;
  port: number;
  password: string;
}

export interface AttachOptions {
  /** The viewer acknowledges what it has shown; without acks, output pauses. */
  flowControl?: boolean;
}

export { FLOW_HIGH_BYTES, FLOW_LOW_BYTES } from './presets';

/**
 * The one contract every front end speaks (Electron renderer, browser, CLI).
 * Methods take plain data and are validated at each transport's edge.
 */
export interface IVmService {
  getHostInfo(): Promise<HostInfo>;
  /** Changes the host-wide settings; answers with the host as it is then. */
  setHostSettings(settings: HostSettings): Promise<HostInfo>;
  listVms(): Promise<VmSummary[]>;
  getVm(ref: string): Promise<VmDetails>;
  createVm(request: CreateVmRequest): Promise<VmDetails>;
  modifyVm(ref: string, changes: ModifyVmRequest): Promise<VmDetails>;
  deleteVm(ref: string, options?: DeleteOptions): Promise<void>;
  startVm(ref: string): Promise<void>;
  pauseVm(ref: string): Promise<void>;
  resumeVm(ref: string): Promise<void>;
  resetVm(ref: string): Promise<void>;
  /** ACPI shutdown that falls back to power off after the timeout (or at once with force). */
  shutdownVm(ref: string, options?: ShutdownOptions): Promise<void>;
  powerOffVm(ref: string): Promise<void>;
  /** Saves the machine state to the VM's folder and powers off; start restores it. */
  saveVm(ref: string): Promise<void>;
  discardSavedState(ref: string): Promise<void>;
  /**
   * For a VM whose config cannot be read (inaccessible): puts back the config from before its
   * last save (the unreadable file is kept beside it), or says what to do where none is kept.
   */
  repairVm(ref: string): Promise<VmDetails>;
  writeConsole(ref: string, data: Uint8Array): Promise<void>;
  /** Resolves true once `text` has appeared in the console output since the guest started. */
  waitForConsole(ref: string, text: string, timeoutMs: number): Promise<boolean>;
  /** The guest's console log and the engine's log, as text. */
  readLog(ref: string): Promise<string>;
  /**
   * A folder on the host the service runs on (default: the user's home), for choosing
   * ISOs, disks and kernels: a file picker that works the same in the desktop app and in
   * a browser, where the files are on the service's machine.
   */
  browseFiles(folder?: string | null): Promise<FileListing>;
  /** The guest's screen as a PNG at the guest's resolution. */
  screenshot(ref: string): Promise<Uint8Array>;
  /** The screen's text, one string per row, while the guest shows a text mode; a sentence (error) when it is graphical. */
  screenText(ref: string): Promise<string[]>;
  /** Resolves true once `text` shows on the screen (text mode), false after the timeout or when the guest stops. */
  waitForScreen(ref: string, text: string, timeoutMs: number): Promise<boolean>;
  /** Presses keys on the guest's keyboard. */
  sendKeys(ref: string, keys: KeyInput): Promise<void>;
  attachConsole(ref: string, onData: (data: Uint8Array) => void, options?: AttachOptions): Promise<ConsoleAttachment>;
  onDidChangeState(listener: (event: StateChangeEvent) => void): Disposable;
  /** A VM was created, changed or deleted (by any front end). */
  onDidChangeVms(listener: () => void): Disposable;
}

/** The plain request/response methods (everything but the subscriptions). */
export const serviceMethods = [
  'getHostInfo',
  'setHostSettings',
  'listVms',
  'getVm',
  'createVm',
  'modifyVm',
  'deleteVm',
  'startVm',
  'pauseVm',
  'resumeVm',
  'resetVm',
  'shutdownVm',
  'powerOffVm',
  'saveVm',
  'discardSavedState',
  'repairVm',
  'writeConsole',
  'waitForConsole',
  'readLog',
  'browseFiles',
  'screenshot',
  'screenText',
  'waitForScreen',
  'sendKeys',
] as const;
export type ServiceMethod = (typeof serviceMethods)[number];

export type { ErrorData };
