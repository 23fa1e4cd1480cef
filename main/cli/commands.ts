/**
 * Every `guesthouse` command, once: its usage, its options, how many arguments it takes and
 * what it does. The help text, the parsing and the dispatch in main.ts all come from this table.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { HostSettings } from '../../core/common/api';
import { acceleratorSettings } from '../../core/common/config';
import { m, type Sentence } from '../../core/common/messages';
import type { ServiceClient } from '../../core/node/transport/serviceClient';
import { choices, unescapeC, UsageError, vmOptions, vmRequestFromFlags, type VmOptionValues } from './args';
import { out, printHost, printList, printVm } from './print';
import { consoleSession, displaySession, readStdin, sendInParts } from './sessions';
import { networkCommands } from './networkCommands';
import { osCommands } from './osCommands';
import { withHostSubcommands } from './hostCommands';
import { agentCommands } from './agentCommands';
import { storageCommands } from './storageCommands';
import { serviceCommands } from './serviceCommands';
import type { Command, Input, ServiceCommand } from './command';

const json = { json: { type: 'boolean' } } as const;

/** Seconds as typed, in ms; `fallback` when not given. */
function seconds(s: unknown, fallback: number): number {
  if (s === undefined) return fallback;
  const n = Number(s);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(m('cli.notSeconds', { text: String(s) }));
  return Math.round(n * 1000);
}

/** A command that takes one VM name, does one thing with it, and maybe says so. */
function simple(
  name: string,
  description: string,
  act: (client: ServiceClient, vm: string) => Promise<unknown>,
  said?: (vm: string) => Sentence,
): ServiceCommand {
  return {
    name,
    usage: [[`${name} NAME`, description]],
    options: {},
    positionals: 1,
    service: true,
    prepare:
      ({ args: [vm] }) =>
      async (client) => {
        await act(client, vm!);
        if (said) out(said(vm!));
        return 0;
      },
  };
}

function vmEdit(name: 'create' | 'modify', input: Input) {
  const request = vmRequestFromFlags(input.values as VmOptionValues);
  if (name === 'create' && input.values['detach-disk'] !== undefined) throw new UsageError(m('cli.detachOnCreate'));
  return request;
}

const validPort = (s: unknown) => /^\d{1,5}$/.test(String(s)) && Number(s) <= 65535;

export const commands: Command[] = [
  withHostSubcommands({
    name: 'host',
    usage: [
      [
        `host [--json] [--accelerator ${choices(acceleratorSettings)}]`,
        'what this host offers (CPUs, memory, accelerators, QEMU);\n--accelerator sets what VMs with accelerator auto use',
      ],
    ],
    options: { ...json, accelerator: { type: 'string' } },
    positionals: 0,
    service: true,
    prepare:
      ({ values: v }) =>
      async (client) => {
        const h =
          typeof v.accelerator === 'string'
            ? await client.setHostSettings({ accelerator: v.accelerator as HostSettings['accelerator'] })
            : await client.getHostInfo();
        v.json ? out(JSON.stringify(h, null, 2)) : printHost(h);
        return 0;
      },
  }),
  {
    name: 'list',
    usage: [['list [--json]', 'all VMs with their state']],
    options: json,
    positionals: 0,
    service: true,
    prepare:
      ({ values: v }) =>
      async (client) => {
        const vms = await client.listVms();
        v.json ? out(JSON.stringify(vms, null, 2)) : printList(vms);
        return 0;
      },
  },
  {
    name: 'show',
    usage: [['show NAME [--json]', "one VM's settings and state"]],
    options: json,
    positionals: 1,
    service: true,
    prepare:
      ({ values: v, args: [name] }) =>
      async (client) => {
        const vm = await client.getVm(name!);
        v.json ? out(JSON.stringify(vm, null, 2)) : printVm(vm);
        return 0;
      },
  },
  {
    name: 'create',
    usage: [['create NAME [options]', 'make a new VM']],
    options: vmOptions,
    positionals: 1,
    service: true,
    prepare: (input) => {
      const request = vmEdit('create', input);
      return async (client) => {
        // An ISO and no --os: what the ISO holds picks the preset (and UEFI where that is all it boots).
        if (request.isoPath && request.osType === undefined) {
          const info = await client.detectMedia(request.isoPath).catch(() => null); // not an ISO: createVm says what is wrong
          if (info) {
            request.osType = info.osType;
            if (request.firmware === undefined && info.firmware === 'uefi') request.firmware = 'uefi';
            process.stderr.write(`${m('cli.cdromDetected', { description: info.description, osType: info.osType })}\n`);
          }
        }
        const vm = await client.createVm({ name: input.args[0]!, ...request });
        out(m('cli.created', { name: vm.name, folder: vm.folder }));
        return 0;
      };
    },
  },
  {
    name: 'modify',
    usage: [['modify NAME [options] [--name NEW]', 'change a stopped VM']],
    options: { ...vmOptions, name: { type: 'string' } },
    positionals: 1,
    service: true,
    prepare: (input) => {
      const request = vmEdit('modify', input);
      const rename = input.values.name;
      return async (client) => {
        const vm = await client.modifyVm(input.args[0]!, { ...request, ...(typeof rename === 'string' ? { name: rename } : {}) });
        out(m('cli.saved', { name: vm.name }));
        return 0;
      };
    },
  },
  {
    name: 'delete',
    usage: [['delete NAME [--keep-disks]', 'delete a stopped VM (and its disks unless --keep-disks)']],
    options: { 'keep-disks': { type: 'boolean' } },
    positionals: 1,
    service: true,
    prepare:
      ({ values: v, args: [name] }) =>
      async (client) => {
        await client.deleteVm(name!, { keepDisks: Boolean(v['keep-disks']) });
        out(m(v['keep-disks'] ? 'cli.deletedKeptDisks' : 'cli.deleted', { name: name! }));
        return 0;
      },
  },
  simple(
    'start',
    'start a VM (in the background service)',
    (c, n) => c.startVm(n),
    (n) => m('cli.started', { name: n }),
  ),
  {
    name: 'stop',
    usage: [
      [
        'stop NAME [--force] [--timeout-s N]',
        'shut down through the guest agent when it answers, else ACPI; power off\nafter N s (or at once with --force); says which was used',
      ],
    ],
    options: { force: { type: 'boolean' }, 'timeout-s': { type: 'string' } },
    positionals: 1,
    service: true,
    prepare: ({ values: v, args: [name] }) => {
      const timeoutMs = seconds(v['timeout-s'], -1);
      return async (client) => {
        await client.shutdownVm(name!, { force: Boolean(v.force), ...(timeoutMs >= 0 ? { timeoutMs } : {}) });
        out(m('cli.isStopped', { name: name! }));
        const { stateReason } = await client.getVm(name!);
        if (stateReason && !v.force) out(stateReason.message);
        return 0;
      };
    },
  },
  simple('pause', 'pause a running VM', (c, n) => c.pauseVm(n)),
  simple('resume', 'resume a paused VM', (c, n) => c.resumeVm(n)),
  simple('reset', 'reset a running VM, as the reset button does', (c, n) => c.resetVm(n)),
  simple(
    'save',
    'save the machine state and power off; start restores it',
    (c, n) => c.saveVm(n),
    (n) => m('cli.stateSaved', { name: n }),
  ),
  simple(
    'discard',
    'discard a saved machine state',
    (c, n) => c.discardSavedState(n),
    (n) => m('cli.discarded', { name: n }),
  ),
  {
    name: 'repair',
    usage: [['repair NAME', 'put back the configuration an inaccessible VM had before its last change']],
    options: {},
    positionals: 1,
    service: true,
    prepare:
      ({ args: [name] }) =>
      async (client) => {
        const vm = await client.repairVm(name!);
        out(m('cli.repaired', { name: vm.name, folder: vm.folder }));
        return 0;
      },
  },
  {
    name: 'console',
    usage: [['console NAME', 'attach to the serial console (Ctrl-] detaches)']],
    options: {},
    positionals: 1,
    service: true,
    prepare:
      ({ args: [name] }) =>
      (client) =>
        consoleSession(client, name!),
  },
  {
    name: 'send',
    usage: [
      ['send NAME TEXT', 'type TEXT into the console (C escapes such as \\n work)'],
      ['send NAME --file FILE', "type a file's bytes into the console, in parts the guest keeps up with\n(FILE - reads stdin)"],
    ],
    options: { file: { type: 'string' } },
    positionals: (argv) => (argv.some((a) => a === '--file' || a.startsWith('--file=')) ? 1 : 2),
    service: true,
    prepare: ({ values: v, args: [name, text] }) => {
      const file = typeof v.file === 'string' ? v.file : undefined;
      if (file !== undefined && file !== '-' && !fs.statSync(path.resolve(file), { throwIfNoEntry: false })?.isFile())
        throw new UsageError(m('cli.noFile', { path: path.resolve(file) }));
      return async (client) => {
        if (file !== undefined) await sendInParts(client, name!, file === '-' ? await readStdin() : fs.readFileSync(path.resolve(file)));
        else await client.writeConsole(name!, unescapeC(text!));
        return 0;
      };
    },
  },
  {
    name: 'wait',
    usage: [
      ['wait NAME --for TEXT [--timeout-s N]', 'exit 0 once TEXT has appeared in the console since start, 1 on timeout'],
      ['wait NAME --screen TEXT [--timeout-s N]', 'exit 0 once TEXT shows on the screen (text mode), 1 on timeout'],
    ],
    options: { for: { type: 'string' }, screen: { type: 'string' }, 'timeout-s': { type: 'string' } },
    positionals: 1,
    service: true,
    prepare: ({ values: v, args: [name] }) => {
      if (typeof v.for !== 'string' && typeof v.screen !== 'string') throw new UsageError(m('cli.waitWhat'));
      if (typeof v.for === 'string' && typeof v.screen === 'string') throw new UsageError(m('cli.waitOne'));
      const timeoutMs = seconds(v['timeout-s'], 60_000);
      const onScreen = typeof v.screen === 'string';
      const text = (onScreen ? v.screen : v.for) as string;
      return async (client) => {
        const found = onScreen ? await client.waitForScreen(name!, text, timeoutMs) : await client.waitForConsole(name!, text, timeoutMs);
        if (!found) process.stderr.write(`${m(onScreen ? 'cli.notOnScreen' : 'cli.notOnConsole', { text, name: name!, seconds: timeoutMs / 1000 })}\n`);
        return found ? 0 : 1;
      };
    },
  },
  {
    name: 'screenshot',
    usage: [
      ['screenshot NAME FILE.png', "the screen as a PNG at the guest's resolution"],
      ['screenshot NAME --text', "the screen's text (while the guest shows a text mode)"],
    ],
    options: { text: { type: 'boolean' } },
    positionals: (argv) => (argv.includes('--text') ? 1 : 2),
    service: true,
    prepare: ({ values: v, args: [name, file] }) => {
      const pngFile = v.text ? null : path.resolve(file!);
      if (pngFile && !fs.existsSync(path.dirname(pngFile))) throw new UsageError(m('cli.noFolder', { path: path.dirname(pngFile) }));
      return async (client) => {
        if (!pngFile) {
          out((await client.screenText(name!)).join('\n').replace(/\n+$/, ''));
          return 0;
        }
        const png = await client.screenshot(name!);
        fs.writeFileSync(pngFile, png);
        const width = png.length >= 24 ? Buffer.from(png).readUInt32BE(16) : 0;
        const height = png.length >= 24 ? Buffer.from(png).readUInt32BE(20) : 0;
        out(m('cli.screenSaved', { name: name!, width, height, path: pngFile }));
        return 0;
      };
    },
  },
  {
    name: 'display',
    usage: [['display NAME [--port N]', 'the screen for a VNC viewer on 127.0.0.1:N (a free port without N),\nwith a one-time password, until Ctrl-C']],
    options: { port: { type: 'string' } },
    positionals: 1,
    service: true,
    prepare: ({ values: v, args: [name] }) => {
      if (v.port !== undefined && !validPort(v.port)) throw new UsageError(m('cli.notPort', { text: String(v.port) }));
      return (client) => displaySession(client, name!, Number(v.port ?? 0));
    },
  },
  {
    name: 'keys',
    usage: [['keys NAME CHORD | --type TEXT', 'press keys (ctrl-alt-delete, ret, f2…) or type TEXT (C escapes such as \\n work)']],
    options: { type: { type: 'string' } },
    positionals: (argv) => (argv.includes('--type') || argv.some((a) => a.startsWith('--type=')) ? 1 : 2),
    service: true,
    prepare:
      ({ values: v, args: [name, chord] }) =>
      async (client) => {
        await client.sendKeys(name!, typeof v.type === 'string' ? { text: unescapeC(v.type).toString('utf8') } : { chord: chord! });
        return 0;
      },
  },
  {
    name: 'log',
    usage: [['log NAME', "the VM's console and engine logs"]],
    options: {},
    positionals: 1,
    service: true,
    prepare:
      ({ args: [name] }) =>
      async (client) => {
        out(await client.readLog(name!));
        return 0;
      },
  },
  // snapshot, clone, disk, media
  ...storageCommands,
  ...networkCommands,
  ...osCommands,
  ...agentCommands,
  // serve, service
  ...serviceCommands,
];
