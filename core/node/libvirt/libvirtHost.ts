// One libvirt host as IVmService sees it: its connection (Virsh, local or over SSH), its state
// (connected / connecting / unreachable with the reason, reconnecting with backoff), the event
// channel (`virsh event --all --loop --timestamp`) that tells about changes made by anyone, and
// the VM operations mapped onto virsh commands (domains.ts).
import type { StateChangeEvent } from '../../common/api';
import { GuesthouseError, sentenceOf } from '../../common/errors';
import type { HostRecord, HostStatus, HostSummary } from '../../common/hosts';
import { m, type SentenceData } from '../../common/messages';
import type { VmState } from '../../common/state';
import { connectSsh, type SshVirsh } from './ssh';
import { LocalVirsh, type LineStream, type Virsh } from './virsh';

export interface HostListener {
  state(event: StateChangeEvent): void;
  vms(): void;
  host(): void;
}

/** What a lifecycle event's first word means for the VM's state (null: no change we show). */
export function stateOfEvent(detail: string): VmState | null {
  const word = detail.split(' ')[0];
  switch (word) {
    case 'Started':
    case 'Resumed':
      return 'running';
    case 'Suspended':
    case 'PMSuspended':
      return 'paused';
    case 'Stopped':
      return 'stopped';
    case 'Crashed':
      return 'crashed';
    default:
      return null;
  }
}

/** One line of `virsh event --timestamp`: the event, the domain and what it says. */
export function parseEventLine(line: string): { event: string; domain: string; detail: string } | null {
  const match = /^\S+ \S+: event '([^']+)' for domain '(.*)': (.*)$/.exec(line);
  return match ? { event: match[1]!, domain: match[2]!, detail: match[3]! } : null;
}

const BACKOFF_MS = [500, 1000, 2000, 5000, 10_000, 30_000];

export class LibvirtHost {
  private virsh: Virsh | null = null;
  private events: LineStream | null = null;
  private status: HostStatus = 'connecting';
  private reason: SentenceData | undefined;
  private connecting: Promise<Virsh> | null = null;
  private retry: NodeJS.Timeout | undefined;
  private attempt = 0;
  private closed = false;
  /** Domain name → uuid, from the last list (events name domains). */
  readonly uuids = new Map<string, string>();

  constructor(
    readonly record: HostRecord,
    private readonly listener: HostListener,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  get name(): string {
    return this.record.name;
  }

  summary(): HostSummary {
    return {
      name: this.record.name,
      uri: this.record.uri,
      status: this.status,
      ...(this.reason ? { reason: this.reason } : {}),
      ...(this.record.hostKey ? { hostKey: this.record.hostKey } : {}),
    };
  }

  /** The open connection, connecting first if need be; a sentence when the host cannot be reached. */
  connection(): Promise<Virsh> {
    if (this.virsh) return Promise.resolve(this.virsh);
    return (this.connecting ??= this.open().finally(() => (this.connecting = null)));
  }

  private async open(): Promise<Virsh> {
    this.setStatus('connecting');
    try {
      const virsh = this.record.uri.startsWith('qemu+ssh:')
        ? await connectSsh({
            host: this.record.name,
            uri: this.record.uri,
            ...(this.record.keyFile ? { keyFile: this.record.keyFile } : {}),
            ...(this.record.hostKey ? { hostKey: this.record.hostKey } : {}),
            env: this.env,
          })
        : new LocalVirsh(this.record.name, this.record.uri);
      // libvirt itself must answer (a missing virsh or libvirtd on the far side is a sentence).
      await virsh.ok(['version']).catch((err: unknown) => {
        virsh.close();
        throw err;
      });
      if (this.closed) {
        virsh.close();
        throw new GuesthouseError('service-unavailable', m('hosts.unreachable', { host: this.name, reason: m('hosts.closed') }));
      }
      this.virsh = virsh;
      (virsh as Partial<SshVirsh>).onClose?.((why) => this.lost(why));
      this.attempt = 0;
      this.watchEvents(virsh);
      this.setStatus('connected');
      this.listener.vms();
      return virsh;
    } catch (err) {
      this.setStatus('unreachable', sentenceOf(err));
      this.scheduleRetry();
      throw err;
    }
  }

  private setStatus(status: HostStatus, reason?: SentenceData): void {
    const changed = status !== this.status || reason?.message !== this.reason?.message;
    this.status = status;
    this.reason = reason;
    if (changed) this.listener.host();
  }

  private lost(why: string): void {
    this.events?.dispose();
    this.events = null;
    this.virsh?.close();
    this.virsh = null;
    if (this.closed) return;
    this.setStatus('unreachable', sentenceOf(new GuesthouseError('service-unavailable', m('hosts.unreachable', { host: this.name, reason: why }))));
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed || this.retry) return;
    // A host key or key problem needs the user, not another try.
    if (this.reason?.key === 'hosts.hostKeyUnknown' || this.reason?.key === 'hosts.hostKeyChanged' || this.reason?.key === 'hosts.authFailed') return;
    const delay = BACKOFF_MS[Math.min(this.attempt++, BACKOFF_MS.length - 1)]!;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connection().catch(() => undefined);
    }, delay);
    this.retry.unref();
  }

  /** State changes made by anyone (another virsh, virt-manager) arrive here within moments. */
  private watchEvents(virsh: Virsh): void {
    this.events = virsh.stream(
      ['event', '--all', '--loop', '--timestamp'],
      (line) => void this.onEventLine(line),
      (why) => this.virsh === virsh && this.lost(why),
    );
  }

  private async onEventLine(line: string): Promise<void> {
    const parsed = parseEventLine(line);
    if (!parsed) return;
    if (parsed.event !== 'lifecycle') return;
    const word = parsed.detail.split(' ')[0];
    if (word === 'Defined' || word === 'Undefined') {
      if (word === 'Undefined') this.uuids.delete(parsed.domain);
      this.listener.vms();
      return;
    }
    const state = stateOfEvent(parsed.detail);
    if (!state) return;
    let uuid = this.uuids.get(parsed.domain);
    if (!uuid) {
      uuid = (await this.virsh?.run(['domuuid', parsed.domain]))?.stdout.trim();
      if (!uuid) return;
      this.uuids.set(parsed.domain, uuid);
    }
    this.listener.state({ id: `${this.name}:${uuid}`, name: parsed.domain, state, host: this.name });
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.events?.dispose();
    this.virsh?.close();
    this.virsh = null;
  }
}
