// The service behind every front end (IVmService): it only answers the contract, each call
// passed to the module that decides it: vmEdits (create, change, delete, repair, discard),
// bootSpec (how a VM runs here), guestLaunch (starting and taking over guests), stateMirror
// (each VM's state), engineChoice (which engine, its limits and notes), guestConsole and
// guestScreen (a running guest's console, logs and screen), serviceEvents (who is told),
// snapshots, clones and diskTools (the snapshot tree, new VMs from old, disk images and the CD),
// hostFacts (what the host has, probed when asked).
import os from 'node:os';
import path from 'node:path';
import type {
  AttachOptions,
  CloneRequest,
  ConsoleAttachment,
  CreateVmRequest,
  DeleteOptions,
  DiskInfo,
  DisplayOptions,
  DisplayStream,
  Disposable,
  FileListing,
  HostInfo,
  LibraryService,
  KeyInput,
  ExecResult,
  GuestInfo,
  ModifyVmRequest,
  NetworkInfo,
  ProgressEvent,
  RevertOptions,
  ShutdownOptions,
  SnapshotInfo,
  SnapshotList,
  SnapshotRequest,
  StateChangeEvent,
  VmDetails,
  VmSummary,
  ForwardRequest,
  MediaInfo,
  OsCatalogueItem,
  OsDownloaded,
} from '../../common/api';
import { hostSettingsSchema, shutdownOptionsSchema, type HostSettings } from '../../common/apiSchemas';
import { parseOrThrow, type DiskFormat, type PortForward } from '../../common/config';
import type { BootSpec } from '../../common/protocol';
import type { VmAction } from '../../common/state';
import { writeHostSettings } from '../library/hostSettings';
import { Library, type LibraryEntry } from '../library/library';
import { cloneVm } from './clones';
import { DiskTools } from './diskTools';
import { Forwards } from './forwards';
import { engineFor, engineNotes } from './engineChoice';
import { HostFacts } from './hostFacts';
import { PrivateNetworks } from './privateNetworks';
import { openDisplay } from './guestDisplay';
import { detectMedia } from '../media/detect';
import { OsDownloads } from './osDownloads';
import { listFolder } from './fileBrowser';
import { consoleGuest, readLog, waitForConsole, writeConsole } from './guestConsole';
import { reattachGuests, startInTurn, type LaunchContext } from './guestLaunch';
import { GuestScreens } from './guestScreen';
import { GuestAgentCalls } from './guestAgent';
import type { RunningGuest } from './runningGuest';
import { ServiceEvents } from './serviceEvents';
import { Snapshots } from './snapshots';
import { StateMirror } from './stateMirror';
import { forkSpawner, GuestHostPool, survivableForkSpawner, type GuestHostLauncher, type GuestHostSpawner } from './supervisor';
import { createVm, deleteVm, discardSavedState, modifyVm, repairVm, type EditContext } from './vmEdits';
import { VmQueue } from './vmQueue';

export interface VmServiceOptions {
  home: string;
  /** How guest host processes start: child_process.fork by default, utilityProcess in Electron. */
  spawner?: GuestHostSpawner;
  /** The library to serve (one per home; a test or an embedder may hand in its own). */
  library?: Library;
  /** Keep a guest host started ahead, so starting a VM skips Node's start-up (the services do). */
  spareGuestHosts?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Console ring buffer per guest. */
  ringBytes?: number;
  /**
   * Guest hosts outlive this process (the headless service): forked in their own process
   * group, they keep their guests running when it dies, and `reattach` finds them again.
   */
  survivable?: boolean;
  /** The service's log, for lines a developer reads (service.log for the headless service). */
  log?: (line: string) => void;
}

/** The hypervisor core behind every front end: library, host probe, guest hosts. */
export class VmService implements LibraryService {
  readonly library: Library;
  private readonly launcher: GuestHostLauncher;
  private readonly pool: GuestHostPool;
  private readonly env: NodeJS.ProcessEnv;
  private readonly events = new ServiceEvents();
  private readonly mirror = new StateMirror(this.events);
  private readonly edits: EditContext;
  private readonly launch: LaunchContext;
  /** One snapshot, clone, disk or forward change, or start at a time per VM. */
  private readonly queue = new VmQueue();
  private readonly snapshots: Snapshots;
  private readonly disks: DiskTools;
  private readonly forwards: Forwards;
  private readonly screens: GuestScreens;
  private readonly agent = new GuestAgentCalls(() => this.library, this.mirror, this.events);
  private readonly hostFacts: HostFacts;
  private readonly networks = new PrivateNetworks(() => this.library, this.events.emitVms.bind(this.events));
  private readonly downloads: OsDownloads;

  constructor(private readonly options: VmServiceOptions) {
    this.library = options.library ?? new Library(options.home);
    this.pool = new GuestHostPool(options.spawner ?? (options.survivable ? survivableForkSpawner : forkSpawner));
    this.launcher = this.pool.launch;
    this.env = options.env ?? process.env;
    this.hostFacts = new HostFacts({ libraryPath: this.library.root, home: options.home, env: this.env });
    if (options.spareGuestHosts) {
      void this.hostFacts.basics().then(
        (h) => h.autoEngine.engine && this.pool.keepSpare(h.autoEngine.engine),
        () => undefined,
      );
    }
    // Creating, editing, cloning a VM, its disks and snapshots need the host's basics, never the probe.
    this.edits = { library: this.library, host: () => this.hostFacts.basics(), mirror: this.mirror, events: this.events };
    this.launch = { home: options.home, library: this.library, mirror: this.mirror, launcher: this.launcher, survivable: options.survivable ?? false };
    const tools = { library: this.library, host: () => this.hostFacts.basics(), mirror: this.mirror, events: this.events, queue: this.queue };
    this.snapshots = new Snapshots({ ...tools, start: (ref, extra) => this.start(ref, extra) });
    this.disks = new DiskTools({ ...tools, edits: this.edits });
    this.forwards = new Forwards(tools);
    this.screens = new GuestScreens(tools);
    this.downloads = new OsDownloads({ home: options.home, env: this.env, emit: (e) => this.events.emitProgress(e) });
    // A VM that runs (started, resumed) is no longer what its current snapshot holds.
    this.events.onDidChangeState((e) => void (e.state === 'running' && this.snapshots.markChanged(e.id)));
  }

  /** Number of guests this service runs now. */
  get runningCount(): number {
    return this.mirror.count;
  }

  async getHostInfo(): Promise<HostInfo> {
    return this.hostFacts.host(true);
  }

  async setHostSettings(settings: HostSettings): Promise<HostInfo> {
    const next = parseOrThrow(hostSettingsSchema, settings, 'host settings');
    writeHostSettings(this.options.home, next);
    const host = await this.hostFacts.host(true);
    this.events.emitVms(); // what auto VMs run on may have changed
    return host;
  }

  async listVms(): Promise<VmSummary[]> {
    const { entries, inaccessible } = this.library.scan();
    return [...entries.map((e) => this.mirror.summary(e)), ...inaccessible.map((e) => this.mirror.inaccessibleSummary(e))].sort((a, b) =>
      a.name.localeCompare(b.name),
    );
  }

  async getVm(ref: string): Promise<VmDetails> {
    return await this.details(this.library.find(ref));
  }

  private async details(entry: LibraryEntry): Promise<VmDetails> {
    const guest = this.mirror.guest(entry.config.identity.uuid);
    const runtime = guest?.runtime;
    const choice = engineFor(entry.config, await this.hostFacts.basics());
    return {
      ...this.mirror.summary(entry),
      config: entry.config,
      folder: entry.dir,
      ...(runtime ? { runtime } : {}),
      engineChoice: choice,
      engineNotes: engineNotes(entry.config, choice.engine, guest, runtime),
    };
  }

  async createVm(request: CreateVmRequest): Promise<VmDetails> {
    const entry = await createVm(this.edits, request);
    this.events.emitVms();
    return await this.details(entry);
  }

  async modifyVm(ref: string, changes: ModifyVmRequest): Promise<VmDetails> {
    const entry = await modifyVm(this.edits, ref, changes);
    return await this.details(entry);
  }

  async deleteVm(ref: string, options?: DeleteOptions): Promise<void> {
    this.snapshots.assertNoClones(ref);
    deleteVm(this.edits, ref, options);
    this.events.emitVms();
  }

  async repairVm(ref: string): Promise<VmDetails> {
    const repaired = repairVm(this.edits, ref);
    this.events.emitVms();
    return await this.details(repaired);
  }

  async startVm(ref: string): Promise<void> {
    await this.start(ref);
  }

  /** Starts a VM in its turn; `extra` goes into its boot spec (a live snapshot it starts from). */
  private start(ref: string, extra: Pick<BootSpec, 'loadSnapshot'> & { noGuestAgent?: boolean } = {}): Promise<void> {
    const boot = { home: this.options.home, ...(this.options.ringBytes !== undefined ? { ringBytes: this.options.ringBytes } : {}), env: this.env };
    return startInTurn({ ...this.launch, queue: this.queue, host: () => this.hostFacts.host(), boot }, ref, extra);
  }

  private guest(ref: string, action: VmAction): RunningGuest {
    return this.mirror.guestFor(this.library.find(ref), action);
  }

  private async request(ref: string, action: 'pause' | 'resume' | 'reset'): Promise<void> {
    await this.guest(ref, action).request(action);
  }

  pauseVm(ref: string): Promise<void> {
    return this.request(ref, 'pause');
  }

  resumeVm(ref: string): Promise<void> {
    return this.request(ref, 'resume');
  }

  resetVm(ref: string): Promise<void> {
    return this.request(ref, 'reset');
  }

  async shutdownVm(ref: string, options?: ShutdownOptions): Promise<void> {
    const opts = parseOrThrow(shutdownOptionsSchema, options ?? {}, 'shutdown options');
    if (opts.force) return this.powerOffVm(ref);
    const guest = this.guest(ref, 'shutdown');
    await guest.request('shutdown', { timeoutMs: opts.timeoutMs ?? this.library.find(ref).config.shutdownTimeoutMs });
    await guest.gone;
  }

  async saveVm(ref: string): Promise<void> {
    const guest = this.guest(ref, 'save');
    await guest.request('save');
    await guest.gone;
  }

  async browseFiles(folder?: string | null): Promise<FileListing> {
    return listFolder(folder ? path.resolve(folder) : os.homedir());
  }

  async discardSavedState(ref: string): Promise<void> {
    discardSavedState(this.edits, ref);
    this.events.emitVms();
  }

  async powerOffVm(ref: string): Promise<void> {
    const guest = this.guest(ref, 'poweroff');
    await guest.request('poweroff');
    await guest.gone;
  }

  async writeConsole(ref: string, data: Uint8Array): Promise<void> {
    writeConsole(this.mirror, this.library.find(ref), data);
  }

  async waitForConsole(ref: string, text: string, timeoutMs: number): Promise<boolean> {
    return await waitForConsole(this.mirror, this.library.find(ref), text, timeoutMs, this.options.log);
  }

  async readLog(ref: string): Promise<string> {
    return readLog(this.library.find(ref).dir);
  }

  // The screen (guestScreen.ts) and the guest agent (guestAgent.ts), delegated.
  screenshot = (ref: string): Promise<Uint8Array> => this.screens.screenshot(ref);
  screenText = (ref: string): Promise<string[]> => this.screens.screenText(ref);
  waitForScreen = (ref: string, text: string, timeoutMs: number): Promise<boolean> => this.screens.waitForScreen(ref, text, timeoutMs);
  sendKeys = (ref: string, keys: KeyInput): Promise<void> => this.screens.sendKeys(ref, keys);
  guestInfo = (ref: string): Promise<GuestInfo> => this.agent.info(ref);
  execInGuest = (ref: string, argv: string[], timeoutS?: number): Promise<ExecResult> => this.agent.exec(ref, argv, timeoutS);
  copyToGuest = (ref: string, hostFile: string, guestPath: string) => this.agent.copyToGuest(ref, hostFile, guestPath);
  copyFromGuest = (ref: string, guestPath: string, hostFile: string) => this.agent.copyFromGuest(ref, guestPath, hostFile);

  async openDisplay(ref: string, onData: (data: Uint8Array) => void, options?: DisplayOptions): Promise<DisplayStream> {
    return await openDisplay(this.mirror, this.library.find(ref), onData, options);
  }

  async attachConsole(ref: string, onData: (data: Uint8Array) => void, options?: AttachOptions): Promise<ConsoleAttachment> {
    return consoleGuest(this.mirror, this.library.find(ref)).attach(onData, options);
  }

  /** Gives a viewer a MessagePort straight to the guest host (Electron): console bytes or the screen's RFB, not through this process. False where it cannot. */
  transferPort(ref: string, port: unknown, kind: 'console' | 'display'): boolean {
    const guest = this.mirror.guest(this.library.find(ref).config.identity.uuid);
    // No screen (yet): the preload asks openDisplay instead, which says why.
    return !!guest && (kind === 'console' || !!guest.displaySocket) && guest.transferPort(port, kind);
  }

  readonly listSnapshots = (ref: string): Promise<SnapshotList> => this.snapshots.list(ref);
  readonly takeSnapshot = (ref: string, request: SnapshotRequest): Promise<SnapshotInfo> => this.snapshots.take(ref, request);
  readonly revertSnapshot = (ref: string, snapshot: string, options?: RevertOptions): Promise<void> => this.snapshots.revert(ref, snapshot, options);
  readonly deleteSnapshot = (ref: string, snapshot: string): Promise<void> => this.snapshots.delete(ref, snapshot);
  async cloneVm(ref: string, request: CloneRequest): Promise<VmDetails> {
    const entry = await cloneVm(
      { library: this.library, host: () => this.hostFacts.basics(), mirror: this.mirror, events: this.events, queue: this.queue },
      ref,
      request,
    );
    return await this.details(entry);
  }

  readonly listDisks = (ref: string): Promise<DiskInfo[]> => this.disks.list(ref);
  readonly resizeDisk = (ref: string, disk: string, sizeBytes: number): Promise<DiskInfo> => this.disks.resize(ref, disk, sizeBytes);
  readonly convertDisk = (ref: string, disk: string, format: DiskFormat): Promise<DiskInfo> => this.disks.convert(ref, disk, format);
  readonly importDisk = (ref: string, source: string): Promise<DiskInfo> => this.disks.import(ref, source);
  readonly insertMedia = (ref: string, iso: string): Promise<void> => this.disks.media(ref, iso);
  readonly ejectMedia = (ref: string): Promise<void> => this.disks.media(ref, null);
  // Installer media (core/node/media/detect.ts) and the OS catalogue's downloads (osDownloads.ts).
  readonly detectMedia = (iso: string): Promise<MediaInfo> => detectMedia(path.resolve(iso));
  readonly listOs = async (): Promise<OsCatalogueItem[]> => this.downloads.list();
  readonly downloadOs = (id: string): Promise<OsDownloaded> => this.downloads.download(id);
  readonly cancelDownload = (id: string): Promise<void> => this.downloads.cancel(id);

  readonly addForward = (ref: string, forward: ForwardRequest): Promise<PortForward & { nic: string }> => this.forwards.add(ref, forward);
  readonly removeForward = (ref: string, which: string): Promise<void> => this.forwards.remove(ref, which);
  readonly onDidProgress = (listener: (event: ProgressEvent) => void): Disposable => this.events.onDidProgress(listener);
  readonly onDidChangeState = (listener: (event: StateChangeEvent) => void): Disposable => this.events.onDidChangeState(listener);
  readonly onDidChangeVms = (listener: () => void): Disposable => this.events.onDidChangeVms(listener);

  // Private networks (privateNetworks.ts): the library's named networks and their switches.
  readonly listNetworks = (): Promise<NetworkInfo[]> => this.networks.listNetworks();
  readonly createNetwork = (name: string): Promise<NetworkInfo> => this.networks.createNetwork(name);
  readonly deleteNetwork = (name: string): Promise<void> => this.networks.deleteNetwork(name);

  /** Takes over the guests an earlier service left running; returns how many. */
  async reattach(): Promise<number> {
    const count = await reattachGuests(this.launch);
    if (count) this.events.emitVms();
    return count;
  }

  /** Powers off every guest and ends spare guest hosts, for a service that is going away. */
  async close(): Promise<void> {
    this.pool.dispose();
    await this.downloads.close();
    await this.powerOffAll();
  }

  /** Powers off every guest. */
  async powerOffAll(): Promise<void> {
    await Promise.all(
      this.mirror.guests().map(async (g) => {
        try {
          await g.request('poweroff');
        } catch {
          g.kill();
        }
        await g.gone;
      }),
    );
  }
}
