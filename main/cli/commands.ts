/**
 * Every `guesthouse` command, once: its usage, its options, how many arguments it takes and
 * what it does. The help text, the parsing and the dispatch in main.ts all come from this table.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import type { HostSettings } from '../../core/common/api';
import { capabilitySummary } from '../../core/common/capabilities';
import {
  acceleratorSettings,
  diskBuses,
  diskFormats,
  displayAdapters,
  engineKinds,
  engineSettings,
  firmwareKinds,
  networkModes,
  nicModels,
  osTypes,
  pointerKinds,
} from '../../core/common/config';
import { GuesthouseError } from '../../core/common/errors';
import { m, type Sentence } from '../../core/common/messages';
import { libraryHome, runtimeDir } from '../../core/node/shared/paths';
import { processAlive } from '../../core/node/shared/processAlive';
import { connectToService, reconnectingClient, type ServiceClient } from '../../core/node/transport/serviceClient';
import { choices, unescapeC, UsageError, vmOptions, vmRequestFromFlags, type VmOptionValues } from './args';
import { out, printHost, printList, printVm } from './print';
import { consoleSession, displaySession, readStdin, sendInParts } from './sessions';
import { storageCommands } from './storageCommands';

export const SERVICE_ENTRY = path.join(__dirname, '..', 'server', 'main.js');

/** A command line as parsed: option values, positional arguments, and the library it is about. */
export interface Input {
  values: Record<string, unknown>;
  args: string[];
  home: string;
}

interface CommandBase {
  name: string;
  /** Lines of the help text: what to type, and what it does (a `\n` starts a further line). */
  usage: [synopsis: string, description: string][];
  options: NonNullable<ParseArgsConfig['options']>;
  /** How many positional arguments it takes; a function when an option replaces one. */
  positionals: number | ((argv: string[]) => number);
}

/** A command that speaks to the service: main.ts connects (starting one if need be) after prepare. */
interface ServiceCommand extends CommandBase {
  service: true;
  /** Works out every flag before the service starts, so bad input changes nothing; returns the work. */
  prepare(input: Input): (client: ServiceClient) => Promise<number>;
}

/** A command that manages its own connection, or none. */
interface LocalCommand extends CommandBase {
  service: false;
  /** Arguments as typed, not parsed: the command checks them itself. */
  raw?: boolean;
  prepare(input: Input): () => Promise<number>;
}

export type Command = ServiceCommand | LocalCommand;

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
  {
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
  },
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
    usage: [['stop NAME [--force] [--timeout-s N]', 'shut down through ACPI; power off after N s (or at once with --force)']],
    options: { force: { type: 'boolean' }, 'timeout-s': { type: 'string' } },
    positionals: 1,
    service: true,
    prepare: ({ values: v, args: [name] }) => {
      const timeoutMs = seconds(v['timeout-s'], -1);
      return async (client) => {
        await client.shutdownVm(name!, { force: Boolean(v.force), ...(timeoutMs >= 0 ? { timeoutMs } : {}) });
        out(m('cli.isStopped', { name: name! }));
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
  {
    name: 'serve',
    usage: [['serve [--port N] [--host ADDR]', 'the GUI in a browser (loopback by default, with an access token)']],
    options: { port: { type: 'string' }, host: { type: 'string' } },
    positionals: 0,
    service: false,
    prepare: ({ values: v, home }) => {
      const port = v.port === undefined ? 7380 : Number(v.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(m('cli.notPort', { text: String(v.port) }));
      const host = typeof v.host === 'string' ? v.host : '127.0.0.1';
      return () => serve(home, host, port);
    },
  },
  {
    name: 'service',
    usage: [['service status|stop', 'the background service for this library']],
    options: {},
    positionals: 1,
    service: false,
    raw: true,
    prepare: ({ args, home }) => {
      const sub = args[0];
      // Before connecting: an open connection would keep this process alive after the hint.
      if ((sub !== 'status' && sub !== 'stop') || args.length > 1) throw new UsageError(m('cli.serviceWhat'));
      return () => (sub === 'status' ? serviceStatus(home) : serviceStop(home));
    },
  },
];

/** The text of `guesthouse help`, from the table. */
export function usage(): string {
  const lines = commands.flatMap((c) =>
    c.usage.map(([synopsis, description]) => {
      const [first, ...more] = description.split('\n');
      const head = synopsis.length <= 35 ? `  ${synopsis.padEnd(36)}${first}` : `  ${synopsis}\n${' '.repeat(38)}${first}`;
      return [head, ...more.map((l) => ' '.repeat(38) + l)].join('\n');
    }),
  );
  return `Usage: guesthouse COMMAND [ARGS]

${lines.join('\n')}

Options for create and modify (modify: --disk adds a new disk, --attach-disk an existing one):
  --os ${choices(osTypes)}   sets the defaults
  --engine ${choices(engineSettings)}   --accelerator ${choices(acceleratorSettings)}   --firmware ${choices(firmwareKinds)}
  --memory MIB   --cpus N   --disk SIZE (new disk, e.g. 8G) [--disk-format ${choices(diskFormats)}]
  --attach-disk FILE   --detach-disk FILE (modify; the file stays; repeatable)
  --cdrom ISO   --kernel FILE   --initrd FILE   --append "CMDLINE"
  --network ${choices(networkModes)}   --forward tcp:HOSTPORT:GUESTPORT (repeatable)   --shutdown-timeout-s N
  --display ${choices(displayAdapters)}   --pointer ${choices(pointerKinds)}   --disk-bus ${choices(diskBuses)}   --nic ${choices(nicModels)}
What each engine takes:${engineKinds.map((e) => `\n  ${capabilitySummary(e)}`).join('')}

GUESTHOUSE_HOME selects the library (default: ${libraryHome()}).`;
}

/** Serves the GUI to a browser until Ctrl-C; the guests stay with the service. */
async function serve(home: string, host: string, port: number): Promise<number> {
  let web: Awaited<ReturnType<typeof import('../server/web.js').startWebServer>> | undefined;
  // When the service goes (stopped, restarted), the browsers' subscriptions and consoles went
  // with it: their pages connect again, and the next call starts a service if none runs.
  const client = reconnectingClient(home, SERVICE_ENTRY, (await connectToService(home, SERVICE_ENTRY))!, () => web?.closeRpcClients());
  try {
    // Loaded here: only serve needs the web server (and its validation code).
    const { startWebServer } = await import('../server/web.js');
    web = await startWebServer({ service: client, rendererDir: path.join(__dirname, '..', '..', 'renderer'), host, port });
  } catch (err) {
    client.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new GuesthouseError('invalid-input', m('cli.portInUse', { port }));
    if (code === 'EADDRNOTAVAIL') throw new GuesthouseError('invalid-input', m('cli.noAddress', { host }));
    throw err;
  }
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) process.stderr.write(`${m('cli.openToOthers', { host })}\n`);
  out(m('cli.serving', { home, url: web.url }));
  out(m('cli.stopServing'));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await web.close();
  client.close();
  return 0;
}

async function serviceStatus(home: string): Promise<number> {
  const client = await connectToService(home, false);
  out(m(client ? 'cli.serviceRunning' : 'cli.noService', { home }));
  client?.close();
  return 0;
}

async function serviceStop(home: string): Promise<number> {
  const client = await connectToService(home, false);
  if (!client) return (out(m('cli.noService', { home })), 0);
  client.close();
  const pid = Number(fs.readFileSync(path.join(runtimeDir(home), 'service.pid'), 'utf8'));
  process.kill(pid, 'SIGTERM');
  // Wait until it is gone, so a command right after this finds no old service.
  const deadline = Date.now() + 60_000;
  while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  out(m('cli.serviceStopped'));
  return 0;
}
