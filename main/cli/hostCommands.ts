// Hosts in the CLI: `host add|list|remove` beside the plain `host` (this machine's facts), and
// `--host NAME` on VM commands: the command then speaks to a client whose refs are `NAME:VM`,
// whose creates go to that host and whose list is that host's. Without --host: the local library.
import path from 'node:path';
import type { VmSummary } from '../../core/common/api';
import { hostNameSchema, hostRef, type HostSummary } from '../../core/common/hosts';
import { m } from '../../core/common/messages';
import type { ServiceClient } from '../../core/node/transport/serviceClient';
import { UsageError } from './args';
import type { Command, ServiceCommand } from './command';
import { out, table } from './print';

/** The commands that take --host (their first argument, if any, is a VM). */
export const hostAware = new Set(['list', 'show', 'create', 'start', 'stop', 'pause', 'resume', 'delete', 'wait', 'log']);

function hostName(text: string): string {
  const parsed = hostNameSchema.safeParse(text);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]!.message);
  return parsed.data;
}

/** Takes `--host NAME` (or `--host=NAME`) out of a VM command's arguments. */
export function takeHostFlag(command: Command, argv: string[]): { argv: string[]; host: string | null } {
  if (!hostAware.has(command.name)) return { argv, host: null };
  const rest: string[] = [];
  let host: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--host') {
      if (argv[i + 1] === undefined) throw new UsageError(m('hosts.nameText'));
      host = hostName(argv[++i]!);
    } else if (a.startsWith('--host=')) host = hostName(a.slice(7));
    else rest.push(a);
  }
  return { argv: rest, host: host === 'local' ? null : host };
}

const refMethods = new Set(['getVm', 'deleteVm', 'startVm', 'pauseVm', 'resumeVm', 'shutdownVm', 'powerOffVm', 'waitForConsole', 'readLog']);

/** The client a command sees: refs on `host` (null: only the local library's VMs are listed). */
export function onHost(client: ServiceClient, host: string | null): ServiceClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (prop === 'listVms') return async () => (await target.listVms()).filter((vm: VmSummary) => (vm.host ?? null) === host);
      if (host && prop === 'createVm') return (req: object) => target.createVm({ ...req, host } as Parameters<ServiceClient['createVm']>[0]);
      if (host && typeof prop === 'string' && refMethods.has(prop)) {
        return (ref: string, ...rest: unknown[]) => (value as (...a: unknown[]) => unknown).call(target, hostRef(host, ref), ...rest);
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

function printHosts(hosts: HostSummary[]): void {
  if (hosts.length === 0) return out(m('hosts.none'));
  const rows = hosts.map((h) => [h.name, h.uri, m(`hosts.status.${h.status}`).message, h.reason?.message ?? '']);
  out(table([['NAME', 'URI', 'STATUS', ''], ...rows]));
}

/** `host` as before (no arguments), plus `host add NAME URI`, `host list`, `host remove NAME`. */
export function withHostSubcommands(info: ServiceCommand): ServiceCommand {
  return {
    ...info,
    usage: [
      ...info.usage,
      [
        'host add NAME URI [--key FILE] [--accept-host-key SHA256:…]',
        'add a libvirt host: qemu:///system or qemu+ssh://USER@HOST[:PORT]/system\n(keys from FILE or the SSH agent; the first SSH connection needs the fingerprint)',
      ],
      ['host list [--json]', 'the libvirt hosts, connected or unreachable with why'],
      ['host remove NAME', 'forget a host (its VMs keep running there)'],
      ['list|show|create|start|stop|pause|resume|delete|wait|log … --host NAME', 'the same on a libvirt host (default: the local library)'],
    ],
    options: { ...info.options, key: { type: 'string' }, 'accept-host-key': { type: 'string' } },
    positionals: (argv) => {
      const sub = argv.find((a) => !a.startsWith('-'));
      return sub === 'add' ? 3 : sub === 'remove' ? 2 : sub === 'list' ? 1 : 0;
    },
    prepare: (input) => {
      const [sub, name, uri] = input.args as ['add' | 'list' | 'remove' | undefined, string, string];
      const v = input.values;
      if (!sub) return info.prepare(input);
      if (sub === 'list') {
        return async (client) => {
          const hosts = await client.listHosts();
          v.json ? out(JSON.stringify(hosts, null, 2)) : printHosts(hosts);
          return 0;
        };
      }
      if (sub === 'remove') {
        const host = hostName(name);
        return async (client) => {
          await client.removeHost(host);
          out(m('hosts.removed', { name: host }));
          return 0;
        };
      }
      const request = {
        name: hostName(name),
        uri,
        ...(typeof v.key === 'string' ? { keyFile: path.resolve(v.key) } : {}),
        ...(typeof v['accept-host-key'] === 'string' ? { acceptHostKey: v['accept-host-key'] } : {}),
      };
      return async (client) => {
        const added = await client.addHost(request);
        out(m('hosts.added', { name: added.name, uri: added.uri }));
        return 0;
      };
    },
  };
}
