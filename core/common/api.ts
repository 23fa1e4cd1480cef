/**
 * The IVmService contract every front end speaks. Types only, plus the method list:
 * no zod here, so clients (CLI, preload, guest host) load nothing they do not use.
 * The argument schemas live in apiSchemas.ts.
 */
import type { ErrorData } from './errors';
import type { SentenceData } from './messages';
import type { AcceleratorKind, DiskFormat, EngineKind, EngineSetting, OsType, PortForward, VmConfig } from './config';
import type { VmState } from './state';
import type { MediaInfo } from './media';
import type { OsEntry } from './osCatalogue';
import type { CreateVmRequest, DeleteOptions, ForwardRequest, HostSettings, ModifyVmRequest, ShutdownOptions } from './apiSchemas';

import type { AddHostRequest, HostSummary } from './hosts';

export type { AddHostRequest, HostSummary };
import type { ExecResult, GuestInfo } from './guestAgent';

export type { CreateVmRequest, DeleteOptions, ExecResult, ForwardRequest, GuestInfo, HostSettings, ModifyVmRequest, ShutdownOptions, MediaInfo, OsEntry };

/** An OS of the download catalogue (core/common/osCatalogue.ts) as it is here: where it comes from, and whether it is in the media folder. */
export interface OsCatalogueItem extends OsEntry {
  /** The image's address, through the mirror where one is set. */
  url: string;
  checksumUrl: string;
  /** The mirror that replaces the vendor's base (setting or GUESTHOUSE_MIRROR_<FAMILY>), or null. */
  mirror: string | null;
  /** The verified image in the library's media folder, or null. */
  downloaded: string | null;
  /** A download of it is under way (a new request joins it). */
  downloading: boolean;
}

/** A finished download: the image in the media folder, its SHA-256 checked against the vendor's. */
export interface OsDownloaded {
  id: string;
  path: string;
  sha256: string;
  sizeBytes: number;
}

/** How far a download is, for a progress bar with speed and time left. */
export interface TransferProgress {
  doneBytes: number;
  /** null while the server has not said. */
  totalBytes: number | null;
  bytesPerSecond: number;
  /** null while unknown. */
  secondsLeft: number | null;
}

export interface VmSummary {
  id: string;
  name: string;
  osType: OsType;
  engine: EngineSetting;
  memoryMib: number;
  cpus: number;
  state: VmState;
  /** Why the VM is in its state, for crashed (and for stopped after a failure). */
  stateReason?: SentenceData;
  /**
   * Set when the VM's config (vm.json) cannot be read: why (also its stateReason). Such a VM
   * is listed, but refuses everything except `repairVm` and `deleteVm`; its other fields are
   * placeholders.
   */
  inaccessible?: SentenceData;
  /** The libvirt host the VM lives on (core/common/hosts.ts); absent for the local library. Its `id` is then `HOST:UUID`. */
  host?: string;
  /** While it runs on an engine with a guest agent channel: what the agent says (or that it does not answer), refreshed. */
  guest?: GuestInfo;
}

export interface VmRuntime {
  guestHostPid: number;
  enginePid?: number;
  engine: EngineKind;
  /** The accelerator the guest runs with; null where the engine has none (v86: see its capabilities' `ownExecution`). */
  accelerator: AcceleratorKind | null;
  startedAt: string;
  /** Epoch ms at which the guest's first console byte reached its guest host. */
  firstOutputAt?: number;
  /** Set when, under hardware acceleration, the guest showed no output and no screen change this many s after start. */
  silentForS?: number;
}

export interface VmDetails extends VmSummary {
  config: VmConfig;
  folder: string;
  runtime?: VmRuntime;
  /** Which engine this VM will run on here, and why (engine auto decides per host). */
  engineChoice: { engine: EngineKind | null; reason: SentenceData };
  /** What the engine does differently, said plainly (disk writes, network). */
  engineNotes: SentenceData[];
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
  accelerators: { kind: AcceleratorKind; usable: boolean; present: boolean; detail: SentenceData }[];
  /** What VMs with accelerator auto run with here, and why (probe, GUESTHOUSE_ACCELERATOR, or the host setting). */
  acceleratorChoice: { accelerator: AcceleratorKind; source: 'probe' | 'environment' | 'setting'; reason: SentenceData };
  settings: HostSettings;
  qemu: { binaries: QemuBinary[]; img: { path: string; version: string } | null; installHint: SentenceData | null };
  /** Which engine `auto` picks on this host, and why. */
  autoEngine: { engine: EngineKind | null; reason: SentenceData };
  /** The embedded engine's firmware, or how to get it. */
  v86: { available: boolean; bios: string | null; vgaBios: string | null; wasm: string | null; detail: SentenceData };
  /** UEFI firmware for QEMU (OVMF), or how to get it. */
  uefi: { available: boolean; code: string | null; vars: string | null; detail: SentenceData };
  libraryPath: string;
}

/** A host as known without the accelerators' probe (what creating or editing a VM needs). */
export type HostBasics = Omit<HostInfo, 'accelerators' | 'acceleratorChoice'>;

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

/** One snapshot as front ends show it (the tree is given by parentId). */
export interface SnapshotInfo {
  id: string;
  name: string;
  description: string;
  /** ISO 8601. */
  createdAt: string;
  parentId: string | null;
  /** `live`: with the machine state (taken while running or paused); `offline`: disks only. */
  kind: 'live' | 'offline';
  /** Linked clones made from this snapshot (VM names): it cannot be deleted while they exist. */
  linkedClones: string[];
}

/** A VM's snapshot tree and where its current state hangs. */
export interface SnapshotList {
  snapshots: SnapshotInfo[];
  /** The snapshot the current state descends from; null before the first one. */
  currentId: string | null;
  /** The VM has run or changed since the current snapshot was taken or reverted to (VirtualBox's "Current State (changed)"). */
  currentChanged: boolean;
  /** Why this VM cannot hold snapshots (raw disks, v86, no disk at all), or null. */
  unsupported: SentenceData | null;
}

export interface SnapshotRequest {
  name: string;
  description?: string;
}

export interface RevertOptions {
  /** First take a snapshot of the current state under this name (what VirtualBox offers when the state has changed). */
  takeCurrentAs?: string;
}

export interface CloneRequest {
  name: string;
  /** `full`: every disk copied; `linked`: new qcow2 images backed by the source's state at `snapshot`. */
  mode: 'full' | 'linked';
  /** Linked clones: the snapshot (id or name) to clone from (required). Full clones: clone that snapshot's state instead of the current one. */
  snapshot?: string;
  /** Full clones only: keep the snapshot tree (default false: the clone starts with none). */
  keepSnapshots?: boolean;
}

/** One of a VM's disks (or its UEFI variable store) as qemu-img sees it. */
export interface DiskInfo {
  /** As the config names it (absolute, or relative to the VM's folder). */
  path: string;
  format: string;
  virtualBytes: number;
  actualBytes: number;
  /** The image this one is backed by (linked clones). */
  backingFile: string | null;
  snapshotCount: number;
}

/** A long operation's progress, for a progress bar (GUI) or line (CLI). */
export interface ProgressEvent {
  /** The VM the operation is about (os-download: the catalogue's id). */
  id: string;
  operation:
    | 'snapshot-take'
    | 'snapshot-revert'
    | 'snapshot-delete'
    | 'clone'
    | 'disk-resize'
    | 'disk-convert'
    | 'disk-import'
    | 'os-download'
    | 'copy-to-guest'
    | 'copy-from-guest';
  /** 0-100 where known, null while the step gives no measure. */
  percent: number | null;
  /** What is being done now. */
  step: SentenceData;
  /** True on the last event of the operation. */
  done: boolean;
  /** Downloads: bytes, speed and time left. */
  transfer?: TransferProgress;
}

export interface StateChangeEvent {
  id: string;
  name: string;
  state: VmState;
  reason?: SentenceData;
  /** The libvirt host of the VM; absent for the local library. */
  host?: string;
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

/**
 * A viewer's connection to a guest's screen (`IVmService.openDisplay`): an RFB byte stream
 * from the guest's RFB server (security None), for both engines. The guest's bytes come to
 * the `onData` given to openDisplay; the stream ends (`onClose`) when either end closes it
 * or the guest stops.
 */
export interface DisplayStream extends Disposable {
  /** RFB bytes from the viewer to the guest (key and pointer events, update requests). */
  write(data: Uint8Array): void;
  /** With flow control: the viewer has processed this many more bytes; the screen is read no further while it is DISPLAY_HIGH_BYTES behind. */
  ack(bytes: number): void;
}

export interface DisplayOptions {
  /** The viewer acknowledges what it has taken; without acks, the screen's bytes stop after DISPLAY_HIGH_BYTES. */
  flowControl?: boolean;
  /** Called once when the stream ends: the guest stopped, its screen went, or the connection was lost (not after dispose). */
  onClose?: () => void;
}

/** A display viewer this many bytes behind stops the guest's screen being read, until it is within DISPLAY_LOW_BYTES. */
export const DISPLAY_HIGH_BYTES = 4 * 1024 * 1024;
export const DISPLAY_LOW_BYTES = 1024 * 1024;
/** The most one write of a viewer's RFB bytes may carry (its events are a few bytes each). */
export const DISPLAY_WRITE_MAX_BYTES = 64 * 1024;

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
   * last change (the unreadable file is kept beside it), or says what to do where none is kept.
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
  /** The snapshot tree. */
  listSnapshots(ref: string): Promise<SnapshotList>;
  /** Takes a snapshot: live (memory and every writable disk) while running or paused, disks only while stopped. */
  takeSnapshot(ref: string, request: SnapshotRequest): Promise<SnapshotInfo>;
  /** Goes back to a snapshot (id or name); a live one restores the running machine. */
  revertSnapshot(ref: string, snapshot: string, options?: RevertOptions): Promise<void>;
  /** Deletes a snapshot's data; its children hang from its parent; the current state is kept. */
  deleteSnapshot(ref: string, snapshot: string): Promise<void>;
  /** A new VM from this one (new id, MAC and name). */
  cloneVm(ref: string, request: CloneRequest): Promise<VmDetails>;
  /** The VM's disks (and UEFI variable store) with their virtual and actual sizes. */
  listDisks(ref: string): Promise<DiskInfo[]>;
  /** Grows a disk of a stopped VM to `sizeBytes` (shrinking is refused). */
  resizeDisk(ref: string, disk: string, sizeBytes: number): Promise<DiskInfo>;
  /** Converts an attached disk of a stopped VM to qcow2 (or raw, for v86); the config then names the new file, the old one is kept beside it. */
  convertDisk(ref: string, disk: string, format: DiskFormat): Promise<DiskInfo>;
  /** Converts a disk file (raw, vmdk, vdi, vhdx, qcow2) into the VM's folder (qcow2, or raw for v86) and attaches it. */
  importDisk(ref: string, source: string): Promise<DiskInfo>;
  /** Puts an ISO in the running (or stopped) VM's CD drive. */
  insertMedia(ref: string, iso: string): Promise<void>;
  /** Takes the ISO out of the VM's CD drive. */
  ejectMedia(ref: string): Promise<void>;
  /**
   * Adds a port forward to a card on NAT or host-only (the first such card unless `nic` says),
   * at once in a running guest; the config changes only once QEMU has taken it. Answers the
   * forward as kept (with its name).
   */
  addForward(ref: string, forward: ForwardRequest): Promise<PortForward & { nic: string }>;
  /** Removes the forward with this name, or on this host port, at once in a running guest. */
  removeForward(ref: string, which: string): Promise<void>;
  /** The library's private networks, each with the VMs whose cards are on it. */
  listNetworks(): Promise<NetworkInfo[]>;
  /** Makes a private network (a name no other network has, letters, digits, - and _). */
  createNetwork(name: string): Promise<NetworkInfo>;
  /** Deletes a private network no VM is attached to (refused with a sentence naming them otherwise), and ends its switch. */
  deleteNetwork(name: string): Promise<void>;
  /** What an installer ISO is (OS, version, architecture, firmware) and the preset that fits; a file that is no ISO gets a sentence. */
  detectMedia(path: string): Promise<MediaInfo>;
  /** The OSes that can be downloaded, each with its address (through a mirror) and whether it is downloaded. */
  listOs(): Promise<OsCatalogueItem[]>;
  /**
   * Downloads an OS of the catalogue into the library's media folder (resuming what an earlier
   * attempt left), checks its SHA-256 against the vendor's, and answers where it is; progress
   * comes as `os-download` ProgressEvents. A second request for the same file joins the first.
   */
  downloadOs(id: string): Promise<OsDownloaded>;
  /** Stops a download under way and deletes what it had; the downloadOs calls fail with a sentence. */
  cancelDownload(id: string): Promise<void>;
  /** Through the guest agent (guestAgent.ts): its facts asked now; a command's exit code and output; a file copied in or out (progress events). */
  guestInfo(ref: string): Promise<GuestInfo>;
  execInGuest(ref: string, argv: string[], timeoutS?: number): Promise<ExecResult>;
  copyToGuest(ref: string, hostFile: string, guestPath: string): Promise<{ bytes: number }>;
  copyFromGuest(ref: string, guestPath: string, hostFile: string): Promise<{ bytes: number }>;
  onDidProgress(listener: (event: ProgressEvent) => void): Disposable;
  attachConsole(ref: string, onData: (data: Uint8Array) => void, options?: AttachOptions): Promise<ConsoleAttachment>;
  /**
   * The guest's screen as an RFB byte stream (security None), for both engines, wherever the
   * service runs: refused with a sentence when the VM is not running or has no screen.
   */
  openDisplay(ref: string, onData: (data: Uint8Array) => void, options?: DisplayOptions): Promise<DisplayStream>;
  onDidChangeState(listener: (event: StateChangeEvent) => void): Disposable;
  /** A VM was created, changed or deleted, or a private network (what VMs' cards choose from), by any front end. */
  onDidChangeVms(listener: () => void): Disposable;
  /** The libvirt hosts besides the local library, each connected, connecting or unreachable (with why). */
  listHosts(): Promise<HostSummary[]>;
  /** Adds a libvirt host (a first SSH connection needs the host key's fingerprint accepted); answers it once connected. */
  addHost(request: AddHostRequest): Promise<HostSummary>;
  /** Forgets a host; its VMs keep running there. */
  removeHost(name: string): Promise<void>;
}

/** A private network of the library (guesthouse network list). */
export interface NetworkInfo {
  name: string;
  createdAt: string;
  /** The VMs (by name) with a card attached to it. */
  members: string[];
  /** The UDP port on 127.0.0.1 of its switch while one runs, else null. */
  switchPort: number | null;
}

/** The host methods: answered by the layer over the library that routes `HOST:VM` refs (core/node/libvirt/hostedService.ts). */
export type HostMethod = 'listHosts' | 'addHost' | 'removeHost';
/** The local library's service (VmService): everything but the hosts. */
export type LibraryService = Omit<IVmService, HostMethod>;

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
  'listSnapshots',
  'takeSnapshot',
  'revertSnapshot',
  'deleteSnapshot',
  'cloneVm',
  'listDisks',
  'resizeDisk',
  'convertDisk',
  'importDisk',
  'insertMedia',
  'ejectMedia',
  'addForward',
  'removeForward',
  'listNetworks',
  'createNetwork',
  'deleteNetwork',
  'detectMedia',
  'listOs',
  'downloadOs',
  'cancelDownload',
  'listHosts',
  'addHost',
  'removeHost',
  'guestInfo',
  'execInGuest',
  'copyToGuest',
  'copyFromGuest',
] as const;
export type ServiceMethod = (typeof serviceMethods)[number];

export type { ErrorData, SentenceData };
