import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import crypto from 'node:crypto';
import fs from 'node:fs';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { GuesthouseError } from '../../../common/errors';
import type { AcceleratorKind } from '../../../common/engines';
import type { BootSpec, SavedSnapshot, SnapshotTarget } from '../../../common/protocol';
import type { Engine, EngineExit, EngineListener } from '../engine';
import { buildQemuArgv, CD_DRIVE_ID } from './argv';
import { deleteLiveSnapshot, loadLiveSnapshot, saveLiveSnapshot } from './snapshotJobs';
import { QmpClient, type QmpEvent } from './qmp';
import { listenOnce } from './listenOnce';
import { restoreMachineState, saveMachineState } from './savedState';
import { bridgeDisplay, screendump, screenFingerprint, screenRows } from './screen';
import { m } from '../../../common/messages';
import { PausableLog } from '../../shared/logFile';
import { isDiskFull } from '../../shared/atomicFile';
import { lastStderrLine } from '../../shared/stderrLine';
import { shareSecurityModel } from '../../shared/xattrs';
import { dieWithParent } from '../../shared/dieWithParent';
import { logFile, vmRuntimeFile, stateAgentMarker } from '../../shared/vmFolder';

/** Why QEMU's last SHUTDOWN happened, mapped to what the user sees. */
function describeShutdown(reason: string | undefined): EngineExit {
  switch (reason) {
    case 'guest-shutdown':
      return { outcome: 'stopped', reason: m('exit.guestPoweredOff') };
    case 'host-qmp-quit':
      return { outcome: 'stopped', reason: m('exit.poweredOff') };
    case 'guest-panic':
      return { outcome: 'crashed', reason: m('exit.panicked') };
    case 'host-signal':
      return { outcome: 'crashed', reason: m('exit.outsideSignal') };
    default:
      return { outcome: 'stopped', reason: reason ? m('exit.guestStoppedWhy', { reason }) : m('exit.guestStopped') };
  }
}

/** QEMU as an engine: a child process driven over QMP, console on a chardev socket. */
export class QemuEngine implements Engine {
  readonly kind = 'qemu';
  private child: ChildProcess | undefined;
  private qmp: QmpClient | undefined;
  private serial: net.Socket | undefined;
  private lastShutdownReason: string | undefined;
  private panicked = false;
  private stateSaved = false;
  private stderrTail: string[] = [];
  /** Stops Guesthouse asked for whose STOP event has not come yet; any other STOP is explained. */
  private stopsRequested = 0;
  /** Snapshot jobs under way: QEMU stops the guest for them (status save-vm / restore-vm) and resumes it, unasked. */
  private snapshotJobs = 0;
  private exited: Promise<void> | undefined;
  /** logs/qemu.log: QEMU's command line and stderr; a write that fails pauses it, never the guest. */
  private readonly log: PausableLog;

  constructor(
    private readonly spec: BootSpec,
    private readonly listener: EngineListener,
  ) {
    if (!spec.qemu) throw new GuesthouseError('engine-missing', m('qemu.noBinary'));
    this.log = new PausableLog(logFile(spec.vmDir, 'qemu'), 'w', (pause) => listener.onLogPaused?.(pause));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get accelerator(): AcceleratorKind {
    return this.spec.qemu!.accelerator;
  }

  async start(): Promise<void> {
    const { config, vmDir, runtimeDir } = this.spec;
    const qemu = this.spec.qemu!;
    fs.mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });
    const qmpSocket = this.socketPath('qmp');
    const serialSocket = this.socketPath('ser');
    const qmpListen = listenOnce(qmpSocket);
    const serialListen = config.serial.enabled ? listenOnce(serialSocket) : undefined;
    const args = buildQemuArgv(config, vmDir, {
      accelerator: qemu.accelerator,
      qmpSocket,
      serialSocket,
      vncSocket: this.socketPath('vnc'),
      ...(qemu.noGuestAgent ? {} : { agentSocket: this.socketPath('ga') }),
      ...(qemu.uefi ? { uefi: qemu.uefi } : {}),
      ...(qemu.privateLinks ? { privateLinks: qemu.privateLinks } : {}),
      ...(this.spec.restoreState ? { incoming: true } : {}),
      shareModels: config.shares.map((s) => shareSecurityModel(s.path)),
    });

    // QEMU must not outlive its guest host; on Linux the kernel kills it for us.
    const [cmd, argv] = dieWithParent(qemu.binary, args);
    this.log.write(`${new Date().toISOString()} ${[qemu.binary, ...args].join(' ')}\n`);
    const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      this.log.write(text);
      this.stderrTail.push(...text.split('\n').filter(Boolean));
      this.stderrTail = this.stderrTail.slice(-5);
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.onChildExit(code, signal);
        resolve();
      });
      child.once('error', (err) => {
        this.stderrTail.push(err.message);
      });
    });

    const failedEarly = this.exited.then(() => {
      throw this.startFailure();
    });
    try {
      const [qmpSocketConn, serialConn] = await Promise.race([Promise.all([qmpListen.connection, serialListen?.connection]), failedEarly]);
      this.qmp = new QmpClient(qmpSocketConn);
      this.qmp.on('event', (e) => this.onQmpEvent(e));
      await Promise.race([this.qmp.handshake(), failedEarly]);
      if (serialConn) {
        this.serial = serialConn;
        serialConn.on('data', (chunk: Buffer) => this.listener.onOutput(chunk));
        serialConn.on('error', () => undefined);
      }
      if (this.spec.restoreState) {
        // If QEMU refuses the state it exits, and its own words (failedEarly) are the reason.
        const restored = restoreMachineState(this.requireQmp(), this.socketPath('mig'), this.spec.stateFile).catch(async (err: unknown) => {
          await Promise.race([this.exited, delay(2000)]);
          throw err;
        });
        await Promise.race([restored, failedEarly]);
      }
      if (this.spec.loadSnapshot) {
        // A revert of a stopped VM to a live snapshot: the machine comes back from it, then runs.
        const { tag, vmstateFile } = this.spec.loadSnapshot;
        await Promise.race([this.snapshot('load', { tag, vmstateFile }, () => undefined), failedEarly]);
      }
      await this.qmp.execute('cont');
    } catch (err) {
      qmpListen.server.close();
      serialListen?.server.close();
      // QEMU that refuses its options closes the control socket a moment before it exits:
      // its own last words on stderr are the reason, not the closed socket.
      if (!(err instanceof GuesthouseError)) await Promise.race([this.exited, delay(3000)]);
      this.kill();
      if (!(err instanceof GuesthouseError)) throw this.startFailure();
      throw err;
    } finally {
      fs.rmSync(qmpSocket, { force: true });
      fs.rmSync(serialSocket, { force: true });
    }
    failedEarly.catch(() => undefined);
  }

  /** Why QEMU did not start, in QEMU's own words (a locked disk gets a sentence naming it). */
  private startFailure(): GuesthouseError {
    const lines = this.stderrTail;
    const locked = lines.find((l) => /Failed to get "(write|read)" lock/.test(l));
    if (locked) {
      const image = lines.map((l) => /using the image \[(.+)\]/.exec(l)?.[1]).find(Boolean) ?? /file=([^,]+)/.exec(locked)?.[1] ?? '?';
      return new GuesthouseError('engine-failed', m('qemu.diskLocked', { path: image }));
    }
    // "qemu-system-x86_64: -netdev user,…: could not set up…": drop the program and the option.
    const detail = lastStderrLine(lines.join('\n'), (l) => /^(qemu-system-\w+: )?Is another process/.test(l))
      ?.replace(/^-[\w-]+ [^ ]*?: /, '')
      .trim();
    return new GuesthouseError('engine-failed', m('qemu.cannotStart', { detail: detail ? detail.replace(/[.]?$/, '.') : m('qemu.exitedAtOnce') }));
  }

  async pause(): Promise<void> {
    await this.command('stop');
  }

  /** QEMU stopped the guest on its own (an accelerator failure, a watchdog…): say why. */
  private async explainStop(): Promise<void> {
    let status: string;
    try {
      ({ status } = await this.requireQmp().execute<{ status: string }>('query-status'));
    } catch {
      return; // QEMU is going away; its exit says why
    }
    // Disk errors and panics have their own events and sentences.
    if (status === 'io-error' || status === 'guest-panicked' || status === 'running') return;
    if (status === 'internal-error') {
      const said = this.stderrTail
        .find((l) => /internal error/i.test(l))
        ?.replace(/^qemu-system-\w+: /, '')
        .replace(/[.]$/, '');
      return this.listener.onRunState(
        'paused',
        m('stop.internalError', { detail: said ?? m('stop.internalErrorOf', { accelerator: this.accelerator.toUpperCase() }) }),
      );
    }
    this.listener.onRunState('paused', m('stop.unrequested', { status }));
  }

  async resume(): Promise<void> {
    await this.command('cont');
  }

  async reset(): Promise<void> {
    await this.command('system_reset');
  }

  async requestShutdown(): Promise<void> {
    await this.command('system_powerdown');
  }

  async powerOff(): Promise<void> {
    try {
      await this.command('quit');
    } catch {
      this.kill();
    }
    await this.exited;
  }

  /**
   * Saves the machine state (VirtualBox's "Save the machine state"): the guest stops, QEMU
   * migrates it into a unix socket the guest host listens on, the stream goes to `file`
   * (a temp file, fsync, rename), and QEMU quits. Starting again restores it. Disks are
   * not copied: they stay as they are until the restore, and the config cannot change
   * meanwhile (`modify` is refused while a VM is saved).
   */
  async saveState(file: string): Promise<void> {
    const qmp = this.requireQmp();
    const { running } = await qmp.execute<{ running: boolean }>('query-status');
    await this.command('stop');
    try {
      await saveMachineState(qmp, this.socketPath('mig'), file);
      // Whether this machine had the agent's channel: the restore must build the same one.
      if (this.spec.qemu?.noGuestAgent) fs.rmSync(stateAgentMarker(file), { force: true });
      else fs.writeFileSync(stateAgentMarker(file), '');
    } catch (err) {
      if (running) await qmp.execute('cont').catch(() => undefined);
      if (isDiskFull(err)) throw new GuesthouseError('engine-failed', m('save.diskFull', { name: this.spec.config.identity.name }));
      throw new GuesthouseError('engine-failed', m('qemu.saveFailed', { detail: (err as Error).message }));
    }
    this.stateSaved = true;
    // Not awaited: the guest host reports the save, then ends with QEMU.
    void this.powerOff();
  }

  /**
   * A live snapshot job (snapshotJobs.ts) on every writable image. The STOP and RESUME QEMU
   * sends around it are its own, not a stop to explain. A load that fails once QEMU has begun
   * it may leave the disks at the snapshot and the guest stopped: the caller powers it off.
   */
  async snapshot(op: 'save' | 'load' | 'delete', target: SnapshotTarget, onStatus: (status: string) => void): Promise<SavedSnapshot | void> {
    const qmp = this.requireQmp();
    this.snapshotJobs++;
    try {
      if (op === 'save') return await saveLiveSnapshot(qmp, target.tag, { onStatus, ...(target.vmstateFile ? { vmstateFile: target.vmstateFile } : {}) });
      if (op === 'load') return await loadLiveSnapshot(qmp, target.tag, target.vmstateFile ?? '', { onStatus });
      await deleteLiveSnapshot(qmp, target.tag, { onStatus });
    } finally {
      this.snapshotJobs--;
    }
  }

  /** Puts an ISO in the CD drive, or takes it out (forced: a guest that locked the tray is overruled, as by a paperclip). */
  async changeMedia(iso: string | null): Promise<void> {
    const qmp = this.requireQmp();
    try {
      if (iso) await qmp.execute('blockdev-change-medium', { device: CD_DRIVE_ID, filename: iso, format: 'raw', 'read-only-mode': 'read-only' });
      else await qmp.execute('eject', { device: CD_DRIVE_ID, force: true });
    } catch (err) {
      throw new GuesthouseError('engine-failed', m('media.failed', { detail: (err as Error).message.replace(/[.]?$/, '.') }));
    }
  }

  /** hostfwd_add / hostfwd_remove on a named netdev (HMP: QEMU 7.2 has no QMP command for it); QEMU's text says how it went. */
  async hostfwd(op: 'add' | 'remove', netdev: string, rule: string): Promise<string> {
    const answer = await this.requireQmp().execute('human-monitor-command', { 'command-line': `hostfwd_${op} ${netdev} ${rule}` });
    return typeof answer === 'string' ? answer : '';
  }

  /** A viewer of the screen (screen.ts). */
  openDisplay(stream: Duplex): void {
    if (this.spec.config.display.adapter === 'none') return void stream.destroy();
    bridgeDisplay(stream, this.socketPath('vnc'));
  }

  private async screendump(format: 'png' | 'ppm'): Promise<Buffer> {
    const file = vmRuntimeFile(this.spec.runtimeDir, this.spec.config.identity.uuid, `${crypto.randomBytes(4).toString('hex')}.${format}`);
    return await screendump(this.requireQmp(), file, format);
  }

  async screenshot(): Promise<Uint8Array> {
    return this.screendump('png');
  }

  async screenText(): Promise<string[] | null> {
    return screenRows(await this.screendump('ppm'));
  }

  async screenFingerprint(): Promise<string | null> {
    if (this.spec.config.display.adapter === 'none') return null;
    return screenFingerprint(await this.screendump('ppm'));
  }

  /** Each chord through `send-key` (pressed together, released after 10 ms); QEMU queues them in order. */
  async sendKeys(chords: string[][]): Promise<void> {
    const qmp = this.requireQmp();
    for (const chord of chords) {
      await qmp.execute('send-key', { keys: chord.map((data) => ({ type: 'qcode', data })), 'hold-time': 10 });
    }
  }

  get agentSocket(): string {
    return this.socketPath('ga');
  }

  /** A private unix socket of this VM's (short: socket paths must stay under 108 bytes). */
  private socketPath(kind: 'qmp' | 'ser' | 'mig' | 'vnc' | 'ga'): string {
    return vmRuntimeFile(this.spec.runtimeDir, this.spec.config.identity.uuid, kind);
  }

  private requireQmp(): QmpClient {
    if (!this.qmp) throw new GuesthouseError('invalid-state', m('qemu.notRunning'));
    return this.qmp;
  }

  write(data: Uint8Array): void {
    this.serial?.write(data);
  }

  setOutputPaused(paused: boolean): void {
    if (paused) this.serial?.pause();
    else this.serial?.resume();
  }

  kill(): void {
    this.child?.kill('SIGKILL');
  }

  private async command(name: string): Promise<void> {
    const qmp = this.requireQmp();
    // STOP arrives before the command's reply, so it is counted as asked for beforehand.
    if (name === 'stop') this.stopsRequested++;
    try {
      await qmp.execute(name);
    } catch (err) {
      if (name === 'stop') this.stopsRequested = Math.max(0, this.stopsRequested - 1);
      throw new GuesthouseError('engine-failed', m('qemu.refused', { command: name, detail: (err as Error).message }));
    }
  }

  private onQmpEvent(e: QmpEvent): void {
    switch (e.event) {
      case 'STOP':
        if (this.snapshotJobs > 0) break; // the job's own stop; it resumes the guest itself
        if (this.stopsRequested > 0) {
          this.stopsRequested--;
          this.listener.onRunState('paused');
        } else {
          void this.explainStop();
        }
        break;
      case 'RESUME':
        // A stop of a guest that was already paused has no STOP event: nothing is owed now.
        this.stopsRequested = 0;
        this.listener.onRunState('running');
        break;
      case 'SHUTDOWN':
        this.lastShutdownReason = String(e.data?.reason ?? '');
        break;
      case 'GUEST_PANICKED':
        this.panicked = true;
        this.kill();
        break;
      case 'BLOCK_IO_ERROR':
        this.listener.onRunState('paused', m('exit.diskError', { reason: String(e.data?.reason ?? e.data?.operation ?? 'unknown') }));
        break;
      case 'BLOCK_IMAGE_CORRUPTED':
        this.listener.onRunState('paused', m('exit.diskCorrupt', { detail: String(e.data?.msg ?? '') }));
        break;
    }
  }

  private onChildExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.qmp?.close();
    this.serial?.destroy();
    let exit: EngineExit;
    if (this.panicked) exit = { outcome: 'crashed', reason: m('exit.panicked') };
    else if (signal) exit = { outcome: 'crashed', reason: m('exit.qemuKilled', { signal }) };
    else if (code !== 0)
      exit = { outcome: 'crashed', reason: m('exit.qemuCode', { code: String(code), detail: this.stderrTail.at(-1) ?? m('exit.noMessage') }) };
    else if (this.stateSaved) exit = { outcome: 'stopped', reason: m('exit.stateSaved') };
    else exit = describeShutdown(this.lastShutdownReason);
    this.log.close(`${new Date().toISOString()} exit: ${exit.reason.message}\n`);
    this.listener.onExit(exit);
  }
}
