import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listFolder } from './fileBrowser';
import type {
  AttachOptions,
  ConsoleAttachment,
  CreateVmRequest,
  DeleteOptions,
  Disposable,
  HostInfo,
  IVmService,
  ModifyVmRequest,
  ShutdownOptions,
  StateChangeEvent,
  VmDetails,
  VmSummary,
  FileListing,
  KeyInput,
} from '../../common/api';
import { CONSOLE_WRITE_MAX_BYTES, createVmRequestSchema, deleteOptionsSchema, hostSettingsSchema, modifyVmRequestSchema, shutdownOptionsSchema, type HostSettings } from '../../common/apiSchemas';
import { writeHostSettings } from '../library/hostSettings';
import { firmwareProblems, hostProblems, parseOrThrow, v86Problems, vmConfigSchema, type DiskConfig, type VmConfig } from '../../common/config';
import { GuesthouseError, throwProblems } from '../../common/errors';
import type { BootSpec, GuestRequestAction } from '../../common/protocol';
import { assertAction, type VmAction, type VmState } from '../../common/state';
import { findInFile } from './fileSearch';
import { applyChanges, configFromRequest, NEEDS_KERNEL } from './vmRequests';
import { pickAccelerator, probeHost } from '../host/hostProbe';
import { Library, type InaccessibleEntry, type LibraryEntry } from '../library/library';
import { runtimeDir } from '../shared/paths';
import { createDiskImage } from '../library/qemuImg';
import { bootFileProblems, diskImageProblems, diskInUseProblems, forwardProblems, type RunningVm } from './preflight';
import { qemuArch } from '../guestHost/qemu/argv';
import { RunningGuest, type GuestCallbacks } from './runningGuest';
import { connectGuestHost, forkSpawner, GuestHostPool, survivableForkSpawner, type GuestHostLauncher, type GuestHostSpawner } from './supervisor';
import { m } from '../../common/messages';
import { ensureUefiVars } from '../library/uefiVars';
import { chordsForText, parseChord } from '../../common/keys';

export interface VmServiceOptions {
  home: string;
  /** How guest host processes start: child_process.fork by default, utilityProcess in Electron. */
  spawner?: GuestHostSpawner;
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
}

/** Where a VM's saved machine state lives: one file per engine, as each restores only its own. */
export function stateFile(vmDir: string, engine: 'qemu' | 'v86'): string {
  return path.join(vmDir, 'state', `machine.${engine}state`);
}

/** Which engine saved this VM's machine state, if one is saved. */
export function savedStateEngine(vmDir: string): 'qemu' | 'v86' | null {
  return (['qemu', 'v86'] as const).find((e) => fs.existsSync(stateFile(vmDir, e))) ?? null;
}

/** The guest's run is over (its guest host has said its last state, or is gone). */
const ended = (guest: RunningGuest) => guest.state === 'stopped' || guest.state === 'saved' || guest.state === 'crashed';

/** Why a VM that is not running stopped last time, kept while the service lives. */
interface LastExit {
  state: 'stopped' | 'saved' | 'crashed';
  reason?: string;
}

/** The hypervisor core behind every front end: library, host probe, guest hosts. */
export class VmService implements IVmService {
  readonly library: Library;
  private readonly launcher: GuestHostLauncher;
  private readonly pool: GuestHostPool;
  private readonly env: NodeJS.ProcessEnv;
  private readonly running = new Map<string, RunningGuest>();
  private readonly lastExit = new Map<string, LastExit>();
  private readonly stateListeners = new Set<(e: StateChangeEvent) => void>();
  private readonly vmsListeners = new Set<() => void>();
  private hostInfo: Promise<HostInfo> | undefined;

  constructor(private readonly options: VmServiceOptions) {
    this.library = new Library(options.home);
    this.pool = new GuestHostPool(options.spawner ?? (options.survivable ? survivableForkSpawner : forkSpawner));
    this.launcher = this.pool.launch;
    if (options.spareGuestHosts) {
      void this.host().then((h) => h.autoEngine.engine && this.pool.keepSpare(h.autoEngine.engine), () => undefined);
    }
    this.env = options.env ?? process.env;
  }

  /** Number of guests this service runs now. */
  get runningCount(): number {
    return this.running.size;
  }

  private host(refresh = false): Promise<HostInfo> {
    if (refresh || !this.hostInfo) {
      this.hostInfo = probeHost({ libraryPath: this.library.root, home: this.options.home, env: this.env });
      this.hostInfo.catch(() => (this.hostInfo = undefined));
    }
    return this.hostInfo;
  }

  async getHostInfo(): Promise<HostInfo> {
    return this.host(true);
  }

  async setHostSettings(settings: HostSettings): Promise<HostInfo> {
    const next = parseOrThrow(hostSettingsSchema, settings, 'host settings');
    writeHostSettings(this.options.home, next);
    const host = await this.host(true);
    this.emitVms(); // what auto VMs run on may have changed
    return host;
  }

  async listVms(): Promise<VmSummary[]> {
    const { entries, inaccessible } = this.library.scan();
    return [...entries.map((e) => this.summary(e)), ...inaccessible.map((e) => this.inaccessibleSummary(e))].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** A VM whose config cannot be read: its folder's name and why, the rest placeholders. */
  private inaccessibleSummary(entry: InaccessibleEntry): VmSummary {
    const { state } = this.stateOf(entry.id);
    return { id: entry.id, name: entry.name, osType: 'other-x64', engine: 'auto', memoryMib: 0, cpus: 0, state, stateReason: entry.reason, inaccessible: entry.reason };
  }

  async getVm(ref: string): Promise<VmDetails> {
    return await this.details(this.library.find(ref));
  }

  private stateOf(uuid: string): { state: VmState; reason?: string } {
    const guest = this.running.get(uuid);
    if (guest) return { state: guest.state, ...(guest.reason ? { reason: guest.reason } : {}) };
    const last = this.lastExit.get(uuid);
    return last ? { state: last.state, ...(last.reason ? { reason: last.reason } : {}) } : { state: 'stopped' };
  }

  private summary({ config, dir }: LibraryEntry): VmSummary {
    let { state, reason } = this.stateOf(config.identity.uuid);
    // A saved machine state on disk outlives the service that wrote it.
    const saved = savedStateEngine(dir) !== null;
    if (state === 'stopped' && saved) state = 'saved';
    if (state === 'saved' && !saved) state = 'stopped';
    return {
      id: config.identity.uuid,
      name: config.identity.name,
      osType: config.identity.osType,
      engine: config.engine,
      memoryMib: config.memoryMib,
      cpus: config.cpus,
      state,
      ...(reason ? { stateReason: reason } : {}),
    };
  }

  private async details(entry: LibraryEntry): Promise<VmDetails> {
    const guest = this.running.get(entry.config.identity.uuid);
    const runtime = guest?.runtime;
    const choice = this.engineFor(entry.config, await this.host());
    const notes: string[] = [];
    if (choice.engine === 'v86') {
      notes.push(m(entry.config.disks.length ? 'notes.v86Disk' : 'notes.v86NoDisk'));
      if (entry.config.network.mode === 'nat') notes.push(m('notes.v86NoNetwork'));
      notes.push(m('notes.v86Save'));
      notes.push(m(entry.config.display.adapter === 'none' ? 'notes.v86DevicesHeadless' : 'notes.v86Devices'));
    } else if (choice.engine === 'qemu') {
      notes.push(m('notes.qemu'));
    }
    for (const [log, pause] of guest?.pausedLogs ?? []) {
      const name = entry.config.identity.name;
      notes.unshift(pause === 'failed' ? m('notes.logFailed', { name }) : m(log === 'console' ? 'notes.consoleLogFull' : 'notes.engineLogFull', { name }));
    }
    if (runtime?.silentForS) notes.unshift(m('notes.noSignOfLife', { seconds: runtime.silentForS, accel: runtime.accelerator.toUpperCase() }));
    return {
      ...this.summary(entry),
      config: entry.config,
      folder: entry.dir,
      ...(runtime ? { runtime } : {}),
      engineChoice: choice,
      engineNotes: notes,
    };
  }

  /** The engine's limits, where the VM will run on v86 (raw disks only, 32-bit, one CPU…). */
  private engineProblems(config: VmConfig, host: HostInfo, dir: string | undefined): string[] {
    if (this.engineFor(config, host).engine !== 'v86') return [];
    const initrd = config.directBoot?.initrdPath ? path.resolve(dir ?? '.', config.directBoot.initrdPath) : null;
    const size = initrd && fs.existsSync(initrd) ? fs.statSync(initrd).size : 0;
    return v86Problems(config, size);
  }

  /** Which engine a VM runs on here: its own choice, or for auto QEMU where found, else v86. */
  private engineFor(config: VmConfig, host: HostInfo): { engine: 'qemu' | 'v86' | null; reason: string } {
    if (config.engine === 'qemu') return host.qemu.binaries.length ? { engine: 'qemu', reason: m('engine.setQemu') } : { engine: null, reason: host.qemu.installHint ?? m('qemu.notInstalled') };
    if (config.engine === 'v86') return host.v86.available ? { engine: 'v86', reason: m('engine.setV86') } : { engine: null, reason: host.v86.detail };
    return host.autoEngine;
  }

  /** Problems with files a config names (relative paths are inside the VM's folder). */
  private pathProblems(config: VmConfig, dir: string | undefined): string[] {
    const problems: string[] = [];
    const check = (what: string, p: string | null | undefined) => {
      if (!p) return;
      const full = dir ? path.resolve(dir, p) : path.resolve(p);
      if (!fs.existsSync(full)) problems.push(m('path.missing', { what, path: full }));
      else if (!fs.statSync(full).isFile()) problems.push(m('path.notFile', { what, path: full }));
    };
    check('kernel', config.directBoot?.kernelPath);
    check('initrd', config.directBoot?.initrdPath);
    check('ISO', config.optical?.isoPath);
    for (const d of config.disks) if (!d.owned || dir) check('disk', d.path);
    return problems;
  }

  async createVm(request: CreateVmRequest): Promise<VmDetails> {
    const req = parseOrThrow(createVmRequestSchema, request, 'new VM');
    const config = configFromRequest(req);
    const problems: string[] = [];
    if (!req.kernelPath && (req.initrdPath || req.append)) problems.push(NEEDS_KERNEL);
    const host = await this.host();
    if (req.diskPath && req.diskSizeBytes) problems.push(m('request.diskBoth'));
    const added = req.diskSizeBytes ? this.newDisk(config, req.diskFormat, host, undefined, problems) : undefined;
    // (The new disk is not made yet; pathProblems passes over disks Guesthouse makes.)
    problems.push(...hostProblems(config, host), ...firmwareProblems(config), ...this.pathProblems(config, undefined), ...this.engineProblems(config, host, undefined));
    // Whether a port is free is asked at each start (it may be taken now and free then).
    problems.push(...bootFileProblems(config, undefined), ...(await forwardProblems(config, [], false)));
    if (!problems.length) problems.push(...(await diskImageProblems(host.qemu.img?.path, config.disks.filter((d) => d !== added), undefined)));
    throwProblems(problems, 'new VM');
    this.library.assertNameFree(config.identity.name);

    const validated = parseOrThrow(vmConfigSchema, config, 'new VM');
    const dir = this.library.create(validated);
    if (added) {
      try {
        await this.makeDisk(path.join(dir, added.path), added.format, req.diskSizeBytes!, host);
      } catch (err) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw err;
      }
    }
    this.emitVms();
    return await this.details({ config: validated, dir });
  }

  /**
   * Adds a new disk, made by Guesthouse in the VM's folder, to `config`: raw where the VM runs
   * on v86 (it reads raw images only), else qcow2 (grows on demand), under the first free name.
   */
  private newDisk(config: VmConfig, format: 'qcow2' | 'raw' | undefined, host: HostInfo, dir: string | undefined, problems: string[]): DiskConfig {
    const fmt = format ?? (this.engineFor(config, host).engine === 'v86' ? 'raw' : 'qcow2');
    if (fmt === 'qcow2' && !host.qemu.img) problems.push(m('request.needsImg', { hint: host.qemu.installHint ?? '' }));
    const taken = (name: string) => config.disks.some((d) => d.path === name) || (dir !== undefined && fs.existsSync(path.join(dir, name)));
    let name = `${config.identity.name}.${fmt}`;
    for (let n = 2; taken(name); n++) name = `${config.identity.name}-${n}.${fmt}`;
    const disk: DiskConfig = { path: name, format: fmt, owned: true };
    config.disks.push(disk);
    return disk;
  }

  private async makeDisk(file: string, format: 'qcow2' | 'raw', bytes: number, host: HostInfo): Promise<void> {
    if (format === 'qcow2') return await createDiskImage(host.qemu.img!.path, file, 'qcow2', bytes);
    fs.writeFileSync(file, '', { flag: 'wx' });
    try {
      fs.truncateSync(file, bytes);
    } catch (err) {
      fs.rmSync(file, { force: true });
      // A size the schema allows can still be beyond the filesystem's largest file (ext4: 16 TiB).
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EFBIG' || code === 'EINVAL') throw new GuesthouseError('invalid-input', m('disk.tooBigForFs', { size: `${Math.round(bytes / 2 ** 30)} GiB` }));
      throw err;
    }
  }

  async modifyVm(ref: string, changes: ModifyVmRequest): Promise<VmDetails> {
    const req = parseOrThrow(modifyVmRequestSchema, changes, 'change');
    const entry = this.library.find(ref);
    const old = entry.config;
    assertAction('modify', this.summary(entry).state, old.identity.name);
    // Held until the files are written: no other process runs or changes the VM meanwhile.
    const release = this.library.guard(entry.dir, old.identity.name);
    let dir = entry.dir;
    try {
      const { next, problems } = applyChanges(old, req, entry.dir);
      const host = await this.host();
      const added = req.diskSizeBytes ? this.newDisk(next, req.diskFormat, host, entry.dir, problems) : undefined;
      // The new disk is made only once the whole change holds; until then its file does not exist.
      const existing = { ...next, disks: next.disks.filter((d) => d !== added) };
      problems.push(...hostProblems(next, host), ...firmwareProblems(next), ...this.pathProblems(existing, entry.dir), ...this.engineProblems(next, host, entry.dir));
      problems.push(...bootFileProblems(next, entry.dir), ...(await forwardProblems(next, [], false)));
      const attached = existing.disks.filter((d) => !old.disks.some((o) => o.path === d.path));
      if (!problems.length) problems.push(...(await diskImageProblems(host.qemu.img?.path, attached, entry.dir)));
      throwProblems(problems, 'change');
      if (next.identity.name !== old.identity.name) this.library.assertNameFree(next.identity.name, old.identity.uuid);
      const validated = parseOrThrow(vmConfigSchema, next, 'change');
      const addedFile = added ? path.join(entry.dir, added.path) : null;
      if (addedFile) await this.makeDisk(addedFile, added!.format, req.diskSizeBytes!, host);
      try {
        if (next.identity.name !== old.identity.name) dir = this.library.rename(entry.dir, validated);
        if (dir === entry.dir) this.library.save(dir, validated);
      } catch (err) {
        if (addedFile) fs.rmSync(addedFile, { force: true });
        throw err;
      }
      this.emitVms();
      return await this.details({ config: validated, dir });
    } finally {
      release(dir);
    }
  }

  async deleteVm(ref: string, options?: DeleteOptions): Promise<void> {
    const opts = parseOrThrow(deleteOptionsSchema, options ?? {}, 'delete options');
    const entry = this.library.lookup(ref);
    // An inaccessible VM can be deleted too: what is Guesthouse's in its folder goes.
    const { id, state, name } = 'reason' in entry ? { ...entry, ...this.stateOf(entry.id) } : { id: entry.config.identity.uuid, state: this.summary(entry).state, name: entry.config.identity.name };
    assertAction('delete', state, name);
    const release = this.library.guard(entry.dir, name);
    try {
      this.library.delete(entry, opts.keepDisks ?? false);
    } finally {
      release();
    }
    this.lastExit.delete(id);
    this.emitVms();
  }

  async repairVm(ref: string): Promise<VmDetails> {
    const entry = this.library.lookup(ref);
    if (!('reason' in entry)) throw new GuesthouseError('invalid-state', m('vm.notInaccessible', { name: entry.config.identity.name }));
    const release = this.library.guard(entry.dir, entry.name);
    let repaired: LibraryEntry;
    try {
      repaired = this.library.restoreBackup(entry);
    } finally {
      release();
    }
    this.emitVms();
    return await this.details(repaired);
  }

  /** The VMs this service runs, but `except`: their forwards and disks are taken. */
  private runningVms(except: string): RunningVm[] {
    if (![...this.running.keys()].some((id) => id !== except)) return [];
    return this.library
      .scan()
      .entries.filter((e) => e.config.identity.uuid !== except && this.running.has(e.config.identity.uuid))
      .map((e) => ({ name: e.config.identity.name, config: e.config, dir: e.dir }));
  }

  /** Decides how to run a VM on this host, or says why it cannot run. */
  private async bootSpec(entry: LibraryEntry): Promise<BootSpec> {
    const { config, dir } = entry;
    const host = await this.host();
    throwProblems([...hostProblems(config, host), ...firmwareProblems(config), ...this.pathProblems(config, dir), ...bootFileProblems(config, dir)], 'VM');
    const running = this.runningVms(config.identity.uuid);
    throwProblems([...diskInUseProblems(config, dir, running), ...(await forwardProblems(config, running))], 'VM');
    const choice = this.engineFor(config, host);
    if (!choice.engine) throw new GuesthouseError('engine-missing', choice.reason);
    const saved = savedStateEngine(dir);
    if (saved && saved !== choice.engine) {
      throw new GuesthouseError('invalid-state', m('vm.stateOtherEngine', { name: config.identity.name, saved, engine: choice.engine }));
    }
    const common = {
      config,
      vmDir: dir,
      runtimeDir: runtimeDir(this.options.home),
      ringBytes: this.options.ringBytes ?? 256 * 1024,
      silenceMs: (Number(this.env.GUESTHOUSE_SILENCE_S) > 0 ? Number(this.env.GUESTHOUSE_SILENCE_S) : 60) * 1000,
      stateFile: stateFile(dir, choice.engine),
      restoreState: saved === choice.engine,
    };
    if (choice.engine === 'v86') {
      const initrd = config.directBoot?.initrdPath ? path.resolve(dir, config.directBoot.initrdPath) : null;
      throwProblems(v86Problems(config, initrd ? fs.statSync(initrd).size : 0), 'VM');
      // The host probe found the firmware; it is not looked for again at each start.
      const { bios, vgaBios, wasm } = host.v86;
      if (!bios || !wasm) throw new GuesthouseError('engine-missing', host.v86.detail);
      return { ...common, engine: 'v86', v86: { bios, vgaBios, wasm } };
    }
    const binary = host.qemu.binaries.find((b) => b.arch === qemuArch(config)) ?? host.qemu.binaries.find((b) => b.arch === 'x86_64');
    if (!binary) throw new GuesthouseError('engine-missing', host.qemu.installHint ?? m('qemu.notInstalled'));
    const accel = pickAccelerator(config.accelerator, host);
    if (accel.error) throw new GuesthouseError('engine-missing', accel.error);
    let uefi: { code: string; vars: string } | undefined;
    if (config.firmware === 'uefi') {
      if (!host.uefi.code || !host.uefi.vars) throw new GuesthouseError('engine-missing', host.uefi.detail);
      uefi = { code: host.uefi.code, vars: ensureUefiVars(dir, { code: host.uefi.code, vars: host.uefi.vars }) };
    }
    return { ...common, engine: 'qemu', qemu: { binary: binary.path, accelerator: accel.accelerator, ...(uefi ? { uefi } : {}) } };
  }

  async startVm(ref: string): Promise<void> {
    const entry = this.library.find(ref);
    const { uuid, name } = entry.config.identity;
    assertAction('start', this.summary(entry).state, name);
    // A guest host that has just stopped (a failed start, a power-off) may still be exiting:
    // its goodbye (lock, last state) must come before the new one starts, not after.
    await this.running.get(uuid)?.gone;
    const spec = await this.bootSpec(entry);
    assertAction('start', this.summary(entry).state, name); // another start may have won meanwhile
    const unlock = this.library.lock(entry.dir, name);
    let handedOver: () => void = () => undefined;
    let guest: RunningGuest | undefined;
    const release = () => {
      unlock();
      handedOver();
    };
    try {
      guest = new RunningGuest(uuid, name, spec, this.launcher, this.guestCallbacks(uuid, name, release, () => guest));
    } catch (err) {
      unlock();
      throw err;
    }
    // A guest host that outlives this process holds its VM's lock itself (see reattach).
    if (this.options.survivable && guest.runtime?.guestHostPid && !ended(guest)) handedOver = this.library.handOver(entry.dir, guest.runtime.guestHostPid);
    this.running.set(uuid, guest);
    this.lastExit.delete(uuid);
    await guest.started;
    // Restored: the state file is spent (as in VirtualBox); the guest runs on from here.
    if (spec.restoreState) fs.rmSync(spec.stateFile, { force: true });
  }

  private guest(ref: string, action: VmAction): RunningGuest {
    const entry = this.library.find(ref);
    const { uuid, name } = entry.config.identity;
    const guest = this.running.get(uuid);
    if (!guest) assertAction(action, this.summary(entry).state, name);
    assertAction(action, guest!.state, name);
    return guest!;
  }

  private async request(ref: string, action: VmAction & GuestRequestAction, timeoutMs?: number): Promise<void> {
    await this.guest(ref, action).request(action, timeoutMs);
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
    await guest.request('shutdown', opts.timeoutMs ?? this.library.find(ref).config.shutdownTimeoutMs);
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
    const entry = this.library.find(ref);
    assertAction('discard', this.summary(entry).state, entry.config.identity.name);
    const release = this.library.guard(entry.dir, entry.config.identity.name);
    try {
      for (const engine of ['qemu', 'v86'] as const) fs.rmSync(stateFile(entry.dir, engine), { force: true });
    } finally {
      release();
    }
    this.lastExit.delete(entry.config.identity.uuid);
    this.emitVms();
  }

  async powerOffVm(ref: string): Promise<void> {
    const guest = this.guest(ref, 'poweroff');
    await guest.request('poweroff');
    await guest.gone;
  }

  async writeConsole(ref: string, data: Uint8Array): Promise<void> {
    const entry = this.library.find(ref);
    const guest = this.running.get(entry.config.identity.uuid);
    if (!guest) throw new GuesthouseError('invalid-state', m('vm.notRunning', { name: entry.config.identity.name }));
    // The transports check this too; callers in this process are held to the same bound.
    if (data.length > CONSOLE_WRITE_MAX_BYTES) throw new GuesthouseError('invalid-input', m('request.consoleTooLong', { max: CONSOLE_WRITE_MAX_BYTES / 1024 }));
    guest.write(data);
  }

  async waitForConsole(ref: string, text: string, timeoutMs: number): Promise<boolean> {
    const entry = this.library.find(ref);
    const needle = Buffer.from(text);
    const { uuid, name } = entry.config.identity;
    const guest = this.running.get(uuid);
    // The log of a VM that is not running is a previous run's: matching it would answer wrongly.
    if (!guest) throw this.notRunning(uuid, name);
    // Until the guest host has begun this run's log, the file is still the last run's.
    if (guest.state === 'starting') await guest.started.catch(() => undefined);
    if (ended(guest)) throw this.waitEnded(guest);
    const logFile = path.join(entry.dir, 'logs', 'console.log');
    // The guest host writes the log before it passes output on, so the file holds
    // at least what has reached us; what comes later is matched as it arrives.
    const { found, tail } = findInFile(logFile, needle);
    if (found) return true;
    if (await guest.waitFor(needle, tail, timeoutMs)) return true;
    // Output comes before the exit, so a guest that is gone did not print the text: say why it went.
    if (ended(guest)) throw this.waitEnded(guest);
    return false;
  }

  /** "x is not running", or why it crashed when that is the last thing it did. */
  private notRunning(uuid: string, name: string): GuesthouseError {
    const last = this.lastExit.get(uuid);
    if (last?.state === 'crashed') return new GuesthouseError('invalid-state', m('vm.crashedWhy', { name, reason: last.reason ?? m('exit.guestStopped') }));
    return new GuesthouseError('invalid-state', m('vm.notRunning', { name }));
  }

  /** A guest that went away while something waited for it: crashed or stopped, and why. */
  private waitEnded(guest: RunningGuest): GuesthouseError {
    const reason = guest.reason ?? m('exit.guestStopped');
    return new GuesthouseError('invalid-state', m(guest.state === 'crashed' ? 'vm.crashedWhy' : 'vm.stoppedWhy', { name: guest.name, reason }));
  }

  async readLog(ref: string): Promise<string> {
    const { dir } = this.library.find(ref);
    const parts: string[] = [];
    for (const name of ['qemu.log', 'console.log', 'guesthost.log']) {
      const file = path.join(dir, 'logs', name);
      if (!fs.existsSync(file)) continue;
      const text = fs.readFileSync(file, 'latin1');
      parts.push(`==> ${name} <==\n${text.length > 1_000_000 ? text.slice(-1_000_000) : text}`);
    }
    return parts.join('\n');
  }

  /** A running guest for a screen request; a VM without a screen gets its sentence at once. */
  private screenGuest(ref: string, needsScreen = true): RunningGuest {
    const entry = this.library.find(ref);
    const { uuid, name } = entry.config.identity;
    const guest = this.running.get(uuid);
    if (!guest) throw this.notRunning(uuid, name);
    if (needsScreen && entry.config.display.adapter === 'none') throw new GuesthouseError('invalid-input', m('display.none', { name }));
    return guest;
  }

  async screenshot(ref: string): Promise<Uint8Array> {
    const { data } = await this.screenGuest(ref).request('screenshot');
    return data ?? new Uint8Array();
  }

  async screenText(ref: string): Promise<string[]> {
    return (await this.screenGuest(ref).request('screenText')).lines ?? [];
  }

  async waitForScreen(ref: string, text: string, timeoutMs: number): Promise<boolean> {
    const guest = this.screenGuest(ref);
    const deadline = Date.now() + timeoutMs;
    // The screen has no stream of changes to match against: look at it a few times a second.
    for (;;) {
      try {
        if (((await guest.request('screenText')).lines ?? []).some((row) => row.includes(text))) return true;
      } catch (err) {
        if (ended(guest)) throw this.waitEnded(guest);
        // Graphics for now, or a screen not up yet: look again; anything else is the answer.
        if (!(err instanceof GuesthouseError && err.code === 'invalid-state')) throw err;
      }
      if (ended(guest)) throw this.waitEnded(guest);
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, Math.min(250, Math.max(0, deadline - Date.now()))));
    }
  }

  async sendKeys(ref: string, keys: KeyInput): Promise<void> {
    // The keyboard is there without a screen too (a serial-only guest still has its PS/2 keyboard).
    const guest = this.screenGuest(ref, false);
    let chords: string[][];
    if ('chord' in keys) {
      const chord = parseChord(keys.chord);
      if (!chord) throw new GuesthouseError('invalid-input', m('keys.unknown', { chord: keys.chord }));
      chords = [chord];
    } else {
      const typed = chordsForText(keys.text);
      if ('untypable' in typed) throw new GuesthouseError('invalid-input', m('keys.untypable', { char: typed.untypable }));
      chords = typed.chords;
    }
    await guest.request('keys', undefined, chords);
  }

  /** Gives a screen viewer a MessagePort straight to the guest host (Electron), speaking RFB. */
  transferDisplayPort(ref: string, port: unknown): boolean {
    const guest = this.running.get(this.library.find(ref).config.identity.uuid);
    return guest ? guest.transferPort(port, 'display') : false;
  }

  async attachConsole(ref: string, onData: (data: Uint8Array) => void, options?: AttachOptions): Promise<ConsoleAttachment> {
    const entry = this.library.find(ref);
    const guest = this.running.get(entry.config.identity.uuid);
    if (!guest) throw new GuesthouseError('invalid-state', m('vm.notRunning', { name: entry.config.identity.name }));
    return guest.attach(onData, options);
  }

  /**
   * Gives a console viewer a MessagePort straight to the guest host (Electron), so
   * console bytes do not pass through this process. False where that cannot be done.
   */
  transferConsolePort(ref: string, port: unknown): boolean {
    const guest = this.running.get(this.library.find(ref).config.identity.uuid);
    return guest ? guest.transferPort(port) : false;
  }

  onDidChangeState(listener: (event: StateChangeEvent) => void): Disposable {
    this.stateListeners.add(listener);
    return { dispose: () => this.stateListeners.delete(listener) };
  }

  onDidChangeVms(listener: () => void): Disposable {
    this.vmsListeners.add(listener);
    return { dispose: () => this.vmsListeners.delete(listener) };
  }

  private emitVms(): void {
    for (const l of this.vmsListeners) {
      try {
        l();
      } catch {
        // a listener's bug must not stop the others
      }
    }
  }

  private emitState(event: StateChangeEvent): void {
    for (const l of this.stateListeners) {
      try {
        l(event);
      } catch {
        // a listener's bug must not stop the others
      }
    }
  }

  /**
   * What the service does with a guest's events, started here or reattached: passes its states
   * on, and when it ends releases its lock and keeps why it ended (unless a newer guest of the
   * same VM has taken its place).
   */
  private guestCallbacks(uuid: string, name: string, release: () => void, self: () => RunningGuest | undefined): GuestCallbacks {
    return {
      onState: (state, reason) => this.emitState({ id: uuid, name, state, ...(reason ? { reason } : {}) }),
      onRuntime: () => this.emitVms(),
      onGone: (state, reason) => {
        release();
        if (this.running.get(uuid) !== self()) return;
        this.running.delete(uuid);
        this.lastExit.set(uuid, { state, ...(reason ? { reason } : {}) });
      },
    };
  }

  /**
   * Finds the guest hosts an earlier service left running (their control sockets in the
   * runtime folder) and takes them over: state, runtime details, console and requests.
   * Sockets nobody listens on any more are removed. Returns how many guests were taken over.
   */
  async reattach(): Promise<number> {
    const dir = runtimeDir(this.options.home);
    let names: string[];
    try {
      names = fs.readdirSync(dir).filter((n) => n.endsWith('.gh'));
    } catch {
      return 0;
    }
    const found = await Promise.all(
      names.map(async (n) => {
        const file = path.join(dir, n);
        const link = await connectGuestHost(file);
        if (link === 'stale') fs.rmSync(file, { force: true });
        return link === 'stale' ? null : link;
      }),
    );
    let count = 0;
    const { entries } = this.library.scan();
    for (const link of found) {
      if (!link) continue;
      const { hello } = link;
      const spec = hello.spec;
      const entry = spec ? entries.find((e) => e.config.identity.uuid === spec.config.identity.uuid) : undefined;
      // A guest host whose VM is gone from this library, or one already taken over, is left alone.
      if (!spec || !entry || this.running.has(spec.config.identity.uuid)) {
        link.bind({ onMessage: () => undefined, onExit: () => undefined });
        continue;
      }
      const { uuid, name } = entry.config.identity;
      const release = this.library.handOver(entry.dir, link.pid, this.library.lockOwner(entry.dir) !== link.pid);
      const guest: RunningGuest = new RunningGuest(uuid, name, spec, (_o, callbacks) => link.bind(callbacks), this.guestCallbacks(uuid, name, release, () => guest), hello);
      this.running.set(uuid, guest);
      count++;
    }
    if (count) this.emitVms();
    return count;
  }

  /** Powers off every guest and ends spare guest hosts, for a service that is going away. */
  async close(): Promise<void> {
    this.pool.dispose();
    await this.powerOffAll();
  }

  /** Powers off every guest. */
  async powerOffAll(): Promise<void> {
    await Promise.all(
      [...this.running.values()].map(async (g) => {
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
