// IVmService over several hosts: the local library (VmService, refs as they always were) and
// the libvirt hosts of hosts.json (refs `HOST:NAME` or `HOST:UUID`, summaries with `host`,
// events naming it). Each call with a host's ref goes to that host's Domains; what does not map
// onto libvirt yet is refused with a sentence, never half-done.
import type { AddHostRequest, CreateVmRequest, Disposable, HostSummary, IVmService, LibraryService, StateChangeEvent, VmSummary } from '../../common/api';
import { GuesthouseError } from '../../common/errors';
import { addHostRequestSchema, hostNameSchema, splitRef, type HostRecord } from '../../common/hosts';
import { parseOrThrow } from '../../common/config';
import { m } from '../../common/messages';
import { methodParams, vmRefSchema } from '../../common/apiSchemas';
import { Domains } from './domains';
import { readHosts, writeHosts } from './hostRegistry';
import { LibvirtHost } from './libvirtHost';

/** The contract's methods whose first argument is not a VM ref (a path, an id, a request): they never go to a host. */
export const notAboutAVm = new Set(
  Object.entries(methodParams)
    .filter(([, params]) => (params.def.items as unknown[])[0] !== vmRefSchema)
    .map(([method]) => method),
);

interface Hosted {
  host: LibvirtHost;
  domains: Domains;
}

export interface HostedServiceOptions {
  home: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export class HostedService {
  private readonly hosts = new Map<string, Hosted>();
  private readonly stateListeners = new Set<(e: StateChangeEvent) => void>();
  private readonly vmListeners = new Set<() => void>();
  /** The service every front end gets: the library's methods, routed by ref, plus the hosts'. */
  readonly service: IVmService;

  constructor(
    private readonly library: LibraryService,
    private readonly options: HostedServiceOptions,
  ) {
    const { hosts, problem } = readHosts(options.home);
    if (problem) options.log?.(`hosts.json cannot be used (${problem}); no libvirt hosts are served`);
    for (const record of hosts) this.open(record);
    this.service = this.build();
  }

  private open(record: HostRecord): Hosted {
    const host = new LibvirtHost(
      record,
      {
        state: (e) => this.stateListeners.forEach((l) => l(e)),
        vms: () => this.vmListeners.forEach((l) => l()),
        host: () => this.vmListeners.forEach((l) => l()),
      },
      this.options.env,
    );
    const domains = new Domains(
      record.name,
      () => host.connection(),
      (name, uuid) => host.uuids.set(name, uuid),
    );
    const hosted = { host, domains };
    this.hosts.set(record.name, hosted);
    host.connection().catch(() => undefined); // connect now; the status says how it went
    return hosted;
  }

  private hosted(name: string): Hosted {
    const h = this.hosts.get(name);
    if (!h) throw new GuesthouseError('not-found', m('hosts.unknown', { name }));
    return h;
  }

  async listHosts(): Promise<HostSummary[]> {
    return [...this.hosts.values()].map((h) => h.host.summary());
  }

  async addHost(request: AddHostRequest): Promise<HostSummary> {
    const req = parseOrThrow(addHostRequestSchema, request, 'request');
    if (this.hosts.has(req.name)) throw new GuesthouseError('already-exists', m('hosts.exists', { name: req.name }));
    const record: HostRecord = {
      name: req.name,
      uri: req.uri,
      ...(req.keyFile ? { keyFile: req.keyFile } : {}),
      ...(req.acceptHostKey ? { hostKey: req.acceptHostKey } : {}),
    };
    // Kept only once it answers: a wrong URI, key or fingerprint changes nothing.
    const trial = new LibvirtHost(record, { state: () => undefined, vms: () => undefined, host: () => undefined }, this.options.env);
    try {
      await trial.connection();
    } finally {
      trial.close();
    }
    writeHosts(this.options.home, [...[...this.hosts.values()].map((h) => h.host.record), record]);
    const hosted = this.open(record);
    await hosted.host.connection().catch(() => undefined);
    this.vmListeners.forEach((l) => l());
    return hosted.host.summary();
  }

  async removeHost(name: string): Promise<void> {
    const hosted = this.hosted(parseOrThrow(hostNameSchema, name, 'request'));
    hosted.host.close();
    this.hosts.delete(name);
    writeHosts(
      this.options.home,
      [...this.hosts.values()].map((h) => h.host.record),
    );
    this.vmListeners.forEach((l) => l());
  }

  /** Every host's VMs; an unreachable host's are left out (its status says why). */
  private async listVms(): Promise<VmSummary[]> {
    const lists = await Promise.all(
      [...this.hosts.values()].map((h) => (h.host.summary().status === 'connected' ? h.domains.list().catch(() => []) : Promise.resolve([]))),
    );
    return [...(await this.library.listVms()), ...lists.flat()];
  }

  private build(): IVmService {
    const lib = this.library as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const routed: Record<string, (...args: unknown[]) => unknown> = {};
    for (const key of Object.getOwnPropertyNames(Object.getPrototypeOf(this.library)).concat(Object.keys(this.library))) {
      const fn = lib[key];
      if (typeof fn !== 'function' || key === 'constructor') continue;
      routed[key] = (...args: unknown[]) => {
        const ref = args[0];
        if (!notAboutAVm.has(key) && typeof ref === 'string' && splitRef(ref).host !== null) {
          const { host, vm } = splitRef(ref);
          return this.onHost(key, this.hosted(host!), vm, args.slice(1));
        }
        return fn.apply(this.library, args);
      };
    }
    const both =
      <T>(local: (l: T) => Disposable, set: Set<T>) =>
      (l: T): Disposable => {
        const d = local(l);
        set.add(l);
        return { dispose: () => (d.dispose(), set.delete(l)) };
      };
    Object.assign(routed, {
      listVms: () => this.listVms(),
      createVm: (request: CreateVmRequest) => (request.host ? this.hosted(request.host).domains.create(request) : this.library.createVm(request)),
      onDidChangeState: both((l: (e: StateChangeEvent) => void) => this.library.onDidChangeState(l), this.stateListeners),
      onDidChangeVms: both((l: () => void) => this.library.onDidChangeVms(l), this.vmListeners),
      listHosts: () => this.listHosts(),
      addHost: (r: AddHostRequest) => this.addHost(r),
      removeHost: (n: string) => this.removeHost(n),
    });
    return routed as unknown as IVmService;
  }

  /** A call about a VM on a libvirt host. */
  private async onHost(method: string, { domains }: Hosted, vm: string, rest: unknown[]): Promise<unknown> {
    switch (method) {
      case 'getVm':
        return await domains.details(vm);
      case 'startVm':
        return await domains.start(vm);
      case 'pauseVm':
        return await domains.pause(vm);
      case 'resumeVm':
        return await domains.resume(vm);
      case 'powerOffVm':
        return await domains.powerOff(vm);
      case 'shutdownVm': {
        const opts = (rest[0] ?? {}) as { force?: boolean; timeoutMs?: number };
        return await domains.shutdown(vm, opts.timeoutMs ?? 30_000, opts.force ?? false);
      }
      case 'deleteVm':
        return await domains.delete(vm, (rest[0] as { keepDisks?: boolean } | undefined)?.keepDisks ?? false);
      case 'waitForConsole':
        return await domains.waitForConsole(vm, rest[0] as string, rest[1] as number);
      case 'readLog':
        return (await domains.consoleLog(vm)).toString();
      default:
        throw new GuesthouseError('invalid-state', m('hosts.unsupported', { what: method }));
    }
  }

  close(): void {
    for (const h of this.hosts.values()) h.host.close();
    this.hosts.clear();
  }
}
