// The VM operations of IVmService mapped onto virsh, for one host: list (`list --all` and
// `domstats`), create (`vol-create-as` in the `guesthouse` pool, then `define /dev/stdin`),
// start, stop (`shutdown`, then `destroy` after the timeout), pause/resume, delete, and the
// serial console's log.
import type { CreateVmRequest, VmDetails, VmSummary } from '../../common/api';
import { GuesthouseError } from '../../common/errors';
import { hostRef } from '../../common/hosts';
import { m } from '../../common/messages';
import type { VmState } from '../../common/state';
import { configFromRequest } from '../service/vmRequests';
import { configFromMetadata, domainXml, METADATA_URI, POOL, serialLogOf, volumeName } from './domainXml';
import { failed, type Virsh, type VirshResult } from './virsh';
import type { VmConfig } from '../../common/config';

/** libvirt's virDomainState numbers (domstats state.state) as our states. */
export function stateOfNumber(n: number): VmState {
  return (['stopped', 'running', 'running', 'paused', 'stopping', 'stopped', 'crashed', 'paused'] as const)[n] ?? 'stopped';
}

/** `domstats --raw` output: one record per domain, keyed by name. */
export function parseDomstats(text: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  let current: Record<string, string> | null = null;
  for (const line of text.split('\n')) {
    const head = /^Domain: '(.*)'$/.exec(line);
    if (head) out.set(head[1]!, (current = {}));
    else if (current && line.includes('=')) {
      const i = line.indexOf('=');
      current[line.slice(0, i).trim()] = line.slice(i + 1);
    }
  }
  return out;
}

const notFound = (r: VirshResult) => /failed to get domain|Domain not found|no domain with matching/i.test(r.stderr);

export class Domains {
  constructor(
    private readonly host: string,
    private readonly virsh: () => Promise<Virsh>,
    private readonly remember: (name: string, uuid: string) => void,
  ) {}

  /** Runs virsh about a VM; "no such domain" becomes the sentence naming the VM and host. */
  private async about(vm: string, args: string[], stdin?: string): Promise<string> {
    const virsh = await this.virsh();
    const r = await virsh.run(args, stdin !== undefined ? { stdin } : {});
    if (r.code === 0) return r.stdout;
    if (notFound(r)) throw new GuesthouseError('not-found', m('hosts.vmNotFound', { vm, host: this.host }));
    throw failed(this.host, r);
  }

  async list(): Promise<VmSummary[]> {
    const virsh = await this.virsh();
    const [names, stats] = await Promise.all([
      virsh.ok(['list', '--all', '--uuid', '--name']),
      virsh.ok(['domstats', '--raw', '--state', '--balloon', '--vcpu']),
    ]);
    const byName = parseDomstats(stats);
    const vms: VmSummary[] = [];
    for (const line of names.split('\n')) {
      const match = /^([0-9a-f-]{36}) (.*)$/.exec(line.trim());
      if (!match) continue;
      const [, uuid, name] = match as unknown as [string, string, string];
      this.remember(name, uuid);
      const s = byName.get(name) ?? {};
      vms.push({
        id: hostRef(this.host, uuid),
        name,
        osType: 'other-x64',
        engine: 'qemu',
        memoryMib: Math.round(Number(s['balloon.maximum'] ?? 0) / 1024),
        cpus: Number(s['vcpu.maximum'] ?? s['vcpu.current'] ?? 1),
        state: stateOfNumber(Number(s['state.state'] ?? 5)),
        host: this.host,
      });
    }
    return vms.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The VM by uuid or name (`domuuid` takes names only, so the list is asked). */
  private async summary(vm: string): Promise<VmSummary> {
    const all = await this.list();
    const found = all.find((s) => s.id === hostRef(this.host, vm.toLowerCase())) ?? all.find((s) => s.name === vm);
    if (!found) throw new GuesthouseError('not-found', m('hosts.vmNotFound', { vm, host: this.host }));
    return found;
  }

  /** The config kept in the domain's metadata; for a domain Guesthouse did not define, one said from its summary. */
  private async config(vm: string, summary: VmSummary): Promise<VmConfig> {
    const virsh = await this.virsh();
    const meta = await virsh.run(['metadata', vm, METADATA_URI]);
    const kept = meta.code === 0 ? configFromMetadata(meta.stdout) : null;
    if (kept) return { ...kept, identity: { ...kept.identity, name: summary.name } };
    const made = configFromRequest({
      name: 'x',
      memoryMib: Math.max(16, summary.memoryMib),
      cpus: Math.max(1, summary.cpus),
      osType: 'other-x64',
      network: 'none',
    });
    return { ...made, identity: { ...made.identity, uuid: summary.id.slice(this.host.length + 1), name: summary.name } };
  }

  async details(vm: string): Promise<VmDetails> {
    const summary = await this.summary(vm);
    const config = await this.config(vm, summary);
    return {
      ...summary,
      osType: config.identity.osType,
      config,
      folder: (await this.virsh()).host,
      engineChoice: { engine: 'qemu', reason: m('hosts.engine', { host: this.host }) },
      engineNotes: [],
    };
  }

  /** Makes the pool Guesthouse keeps disks in, once per host. */
  private async pool(virsh: Virsh): Promise<void> {
    const info = await virsh.run(['pool-info', POOL]);
    if (info.code === 0 && /State:\s+running/.test(info.stdout)) return;
    if (info.code !== 0) {
      await virsh.ok(['pool-define-as', POOL, 'dir', '--target', `/var/lib/libvirt/${POOL}`]);
      await virsh.ok(['pool-build', POOL]);
      await virsh.run(['pool-autostart', POOL]);
    }
    await virsh.ok(['pool-start', POOL]);
  }

  async create(request: CreateVmRequest): Promise<VmDetails> {
    const virsh = await this.virsh();
    const { host: _host, diskSizeBytes, ...rest } = request;
    const config = configFromRequest({ network: 'nat', ...rest } as Parameters<typeof configFromRequest>[0]);
    const volumes = new Map<string, string>();
    if (diskSizeBytes) {
      await this.pool(virsh);
      const volume = volumeName(config.identity.uuid, config.disks.length);
      await virsh.ok(['vol-create-as', POOL, volume, String(diskSizeBytes), '--format', 'qcow2']);
      const file = (await virsh.ok(['vol-path', '--pool', POOL, volume])).trim();
      config.disks.push({ path: file, format: 'qcow2', owned: true });
      volumes.set(file, volume);
    }
    const exists = await virsh.run(['domuuid', config.identity.name]);
    if (exists.code === 0) throw new GuesthouseError('already-exists', m('hosts.vmExists', { vm: config.identity.name, host: this.host }));
    try {
      await virsh.ok(['define', '/dev/stdin'], { stdin: domainXml(config, volumes) });
    } catch (err) {
      for (const volume of volumes.values()) await virsh.run(['vol-delete', '--pool', POOL, volume]);
      throw err;
    }
    this.remember(config.identity.name, config.identity.uuid);
    return await this.details(config.identity.uuid);
  }

  async start(vm: string): Promise<void> {
    await this.about(vm, ['start', vm]);
  }

  async pause(vm: string): Promise<void> {
    await this.about(vm, ['suspend', vm]);
  }

  async resume(vm: string): Promise<void> {
    await this.about(vm, ['resume', vm]);
  }

  async powerOff(vm: string): Promise<void> {
    await this.about(vm, ['destroy', vm]);
  }

  /** ACPI shutdown, then destroy once `timeoutMs` has passed with the domain still up. */
  async shutdown(vm: string, timeoutMs: number, force: boolean): Promise<void> {
    if (force) return this.powerOff(vm);
    await this.about(vm, ['shutdown', vm]);
    const virsh = await this.virsh();
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const state = await virsh.run(['domstate', vm]);
      if (state.code === 0 && /shut off/.test(state.stdout)) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    const r = await virsh.run(['destroy', vm]);
    if (r.code !== 0 && !/not running/.test(r.stderr)) throw failed(this.host, r);
  }

  /** Undefines the domain; its volumes in our pool go with it unless `keepDisks`. */
  async delete(vm: string, keepDisks: boolean): Promise<void> {
    const virsh = await this.virsh();
    const state = await this.about(vm, ['domstate', vm]);
    if (!/shut off|crashed/.test(state)) await virsh.run(['destroy', vm]);
    const xml = await this.about(vm, ['dumpxml', '--inactive', vm]);
    await this.about(vm, ['undefine', vm, '--managed-save', '--snapshots-metadata']);
    if (keepDisks) return;
    for (const match of xml.matchAll(/<source pool='guesthouse' volume='([^']+)'\/>/g)) await virsh.run(['vol-delete', '--pool', POOL, match[1]!]);
  }

  /** The serial log file libvirt writes the domain's console to. */
  private async logFile(vm: string): Promise<string> {
    const file = serialLogOf(await this.about(vm, ['dumpxml', vm]));
    if (!file) throw new GuesthouseError('invalid-state', m('hosts.noSerialLog', { vm, host: this.host }));
    return file;
  }

  /** The serial console's output since the domain last started (libvirt truncates the log at each start). */
  async consoleLog(vm: string): Promise<Buffer> {
    const file = await this.logFile(vm);
    try {
      return await (await this.virsh()).readFile(file);
    } catch (err) {
      throw new GuesthouseError('invalid-state', m('hosts.consoleLog', { vm, host: this.host, detail: (err as Error).message }));
    }
  }

  /**
   * Resolves true once `text` has appeared on the console since the domain started: the log is
   * followed (`tail -F`, one channel) as libvirt writes it; false after the timeout. A domain
   * that is not running is refused (its log is an earlier run's).
   */
  async waitForConsole(vm: string, text: string, timeoutMs: number): Promise<boolean> {
    const state = (await this.about(vm, ['domstate', vm])).trim();
    if (!/running|paused/.test(state)) throw new GuesthouseError('invalid-state', m('hosts.notRunning', { vm, host: this.host, state }));
    const file = await this.logFile(vm);
    const virsh = await this.virsh();
    const needle = Buffer.from(text);
    return await new Promise<boolean>((resolve) => {
      let seen = Buffer.alloc(0);
      const done = (found: boolean) => {
        clearTimeout(timer);
        follower.dispose();
        resolve(found);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const follower = virsh.follow(
        file,
        Math.ceil(timeoutMs / 1000) + 1,
        (data) => {
          // Keep only what a match could still need.
          seen = Buffer.concat([seen, data]);
          if (seen.includes(needle)) done(true);
          else seen = seen.subarray(Math.max(0, seen.length - needle.length));
        },
        () => done(false),
      );
    });
  }
}
