/**
 * The commands for a VM's network: its port forwards as rules (entries of the one command
 * table; commands.ts spreads them in). A forward added or removed while the guest runs takes
 * effect at once; the words are checked before anything connects.
 */
import { formatForward, forwardExposure, parseForward } from '../../core/common/forward';
import { forwardName } from '../../core/common/nics';
import { m } from '../../core/common/messages';
import type { ServiceClient } from '../../core/node/transport/serviceClient';
import { UsageError, words } from './args';
import type { Command } from './command';
import { out, printForwards } from './print';

const options = { json: { type: 'boolean' }, name: { type: 'string' }, nic: { type: 'string' } } as const;

export const networkCommands: Command[] = [
  {
    name: 'forward',
    usage: [
      [
        'forward NAME add [--name N] [--nic netN] tcp:HOSTPORT:GUESTPORT | remove NAME-OR-HOSTPORT | list [--json]',
        "a VM's port forwards (tcp:ADDRESS:HOSTPORT:GUESTPORT listens beyond 127.0.0.1);\nwhile it runs, at once",
      ],
    ],
    options,
    positionals: (argv) => words(argv, options).length,
    service: true,
    prepare: ({ values: v, args: [vm, sub, what] }) => {
      const asJson = v.json === true;
      const name = v.name as string | undefined;
      const nic = v.nic as string | undefined;
      const fits = vm && ((sub === 'add' && what) || (sub === 'remove' && what) || (sub === 'list' && what === undefined));
      if (!fits || ((name !== undefined || nic !== undefined) && sub !== 'add')) throw new UsageError(m('cli.forwardWhat'));
      const rule = sub === 'add' ? parseForward(what!) : null;
      return async (client: ServiceClient) => {
        if (rule) {
          const f = await client.addForward(vm, { ...rule, ...(name !== undefined && { name }), ...(nic !== undefined && { nic }) });
          if (asJson) out(JSON.stringify(f, null, 2));
          else {
            out(
              m('cli.forwardAdded', {
                forward: forwardName(f),
                address: f.hostAddress,
                port: f.hostPort,
                guestPort: f.guestPort,
                protocol: f.protocol,
                nic: f.nic,
                name: vm,
              }),
            );
            const exposed = forwardExposure(f);
            if (exposed) process.stderr.write(`${exposed}\n`);
          }
        } else if (sub === 'remove') {
          await client.removeForward(vm, what!);
          if (asJson) out('{}');
          else out(m('cli.forwardRemoved', { which: what!, name: vm }));
        } else {
          const { config } = await client.getVm(vm);
          const rows = config.nics.flatMap((n) => n.forwards.map((f) => ({ ...f, name: forwardName(f), nic: n.id, rule: formatForward(f) })));
          if (asJson) out(JSON.stringify(rows, null, 2));
          else if (!rows.length) out(m('cli.forwardsNone', { name: vm }));
          else printForwards(config.nics);
        }
        return 0;
      };
    },
  },
  {
    name: 'network',
    usage: [['network create NAME | delete NAME | list [--json]', "the library's private networks (guests on one reach each other, nothing else)"]],
    options: { json: { type: 'boolean' } },
    positionals: (argv) => words(argv, { json: { type: 'boolean' } }).length,
    service: true,
    prepare: ({ values: v, args: [sub, name, ...rest] }) => {
      const asJson = v.json === true;
      const fits = !rest.length && (((sub === 'create' || sub === 'delete') && name !== undefined) || (sub === 'list' && name === undefined));
      if (!fits) throw new UsageError(m('cli.networkWhat'));
      return async (client: ServiceClient) => {
        if (sub === 'create') {
          const made = await client.createNetwork(name!);
          out(asJson ? JSON.stringify(made, null, 2) : m('cli.networkCreated', { network: made.name }));
        } else if (sub === 'delete') {
          await client.deleteNetwork(name!);
          out(asJson ? '{}' : m('cli.networkDeleted', { network: name! }));
        } else {
          const networks = await client.listNetworks();
          if (asJson) out(JSON.stringify(networks, null, 2));
          else if (!networks.length) out(m('cli.networksNone'));
          else for (const n of networks) out(`${n.name}\t${n.members.length ? n.members.join(', ') : m('cli.networkNoMembers')}`);
        }
        return 0;
      };
    },
  },
];
