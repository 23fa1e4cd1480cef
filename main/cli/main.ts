#!/usr/bin/env node
/** The `guesthouse` command: a thin front end that speaks IVmService to the service. */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { HostInfo, HostSettings, VmDetails, VmSummary } from '../../core/common/api';
import { GuesthouseError, toErrorData } from '../../core/common/errors';
import { processAlive } from '../../core/node/processAlive';
import { libraryHome, runtimeDir } from '../../core/node/paths';
import { unescapeC, vmOptions, vmRequestFromFlags, type VmOptionValues } from './args';
import { connectToService, reconnectingClient, type ServiceClient } from '../../core/node/serviceClient';
import { startVncProxy } from '../../core/node/display/vncProxy';
import { m } from '../../core/common/messages';
import { stripTerminalQueries } from '../../core/common/terminalQueries';

const SERVICE_ENTRY = path.join(__dirname, '..', 'server', 'main.js');

const USAGE = `Usage: guesthouse COMMAND [ARGS]

  host [--json] [--accelerator auto|kvm|hvf|whpx|tcg]
                                      what this host offers (CPUs, memory, accelerators, QEMU);
                                      --accelerator sets what VMs with accelerator auto use
  list [--json]                       all VMs with their state
  show NAME [--json]                  one VM's settings and state
  create NAME [options]               make a new VM
  modify NAME [options] [--name NEW]  change a stopped VM
  delete NAME [--keep-disks]          delete a stopped VM (and its disks unless --keep-disks)
  start NAME                          start a VM (in the background service)
  stop NAME [--force] [--timeout-s N] shut down through ACPI; power off after N s (or at once with --force)
  pause NAME | resume NAME | reset NAME
  save NAME                           save the machine state and power off; start restores it
  discard NAME                        discard a saved machine state
  repair NAME                         put back the configuration an inaccessible VM had before its last change
  console NAME                        attach to the serial console (Ctrl-] detaches)
  send NAME TEXT                      type TEXT into the console (C escapes such as \\n work)
  send NAME --file FILE               type a file's bytes into the console, in parts the guest keeps up with
                                      (FILE - reads stdin)
  wait NAME --for TEXT [--timeout-s N]  exit 0 once TEXT has appeared in the console since start, 1 on timeout
  wait NAME --screen TEXT [--timeout-s N]  exit 0 once TEXT shows on the screen (text mode), 1 on timeout
  screenshot NAME FILE.png            the screen as a PNG at the guest's resolution
  screenshot NAME --text              the screen's text (while the guest shows a text mode)
  display NAME [--port N]             the screen for a VNC viewer on 127.0.0.1:N (a free port without N),
                                      with a one-time password, until Ctrl-C
  keys NAME CHORD | --type TEXT       press keys (ctrl-alt-delete, ret, f2…) or type TEXT (C escapes such as \n work)
  log NAME                            the VM's console and engine logs
  serve [--port N] [--host ADDR]      the GUI in a browser (loopback by default, with an access token)
  service status|stop                 the background service for this library

Options for create and modify (modify: --disk adds a new disk, --attach-disk an existing one):
  --os linux-x64|linux-x86|windows-x64|other-x64|other-x86   sets the defaults
  --engine auto|qemu|v86   --accelerator auto|kvm|hvf|whpx|tcg   --firmware bios|uefi
  --memory MIB   --cpus N   --disk SIZE (new disk, e.g. 8G) [--disk-format qcow2|raw]
  --attach-disk FILE   --detach-disk FILE (modify; the file stays; repeatable)
  --cdrom ISO   --kernel FILE   --initrd FILE   --append "CMDLINE"
  --network nat|none   --forward tcp:HOSTPORT:GUESTPORT (repeatable)   --shutdown-timeout-s N
  --display vga|virtio|none   --pointer tablet|ps2   --disk-bus virtio|sata|ide   --nic virtio|e1000

GUESTHOUSE_HOME selects the library (default: ${libraryHome()}).`;

class UsageError extends Error {}

/** `--memory -5` would read as a flag; hand such values on so the schema can say what is wrong. */
function joinNegativeValues(argv: string[], options: ParseArgsConfig['options']): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!.startsWith('--') ? argv[i]!.slice(2) : '';
    if (options?.[name]?.type === 'string' && /^-\d/.test(argv[i + 1] ?? '')) out.push(`${argv[i]}=${argv[++i]}`);
    else out.push(argv[i]!);
  }
  return out;
}

function parse<T extends ParseArgsConfig['options']>(argv: string[], options: T, positionals: number) {
  argv = joinNegativeValues(argv, options);
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]!.replace(/\. To specify.*$/, '')}.`.replace(/\.\.$/, '.'));
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  if (parsed.positionals.length !== positionals) {
    throw new UsageError(positionals === 1 ? 'Name the VM.' : positionals === 2 ? 'Give the VM and the text.' : 'This command takes no arguments.');
  }
  return { values: parsed.values as Record<string, unknown>, args: parsed.positionals };
}

const json = { json: { type: 'boolean' } } as const;
const out = (text: string): void => void process.stdout.write(text + "\n");
const mib = (n: number) => (n >= 1024 && n % 1024 === 0 ? `${n / 1024} GiB` : `${n} MiB`);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

function printHost(h: HostInfo): void {
  out(`CPU:          ${h.cpuModel} (${h.logicalCpus} logical, ${h.physicalCpus} physical)`);
  out(`Memory:       ${mib(h.memoryTotalMib)} total, ${mib(h.memoryFreeMib)} free`);
  const usable = h.accelerators.filter((a) => a.usable && a.kind !== 'tcg').map((a) => a.kind.toUpperCase());
  out(`Accelerator:  ${usable.length ? usable.join(', ') : 'none (software emulation, TCG)'}`);
  for (const a of h.accelerators.filter((x) => x.kind !== 'tcg')) out(`  ${a.kind.padEnd(5)} ${a.usable ? 'yes' : 'no '}  ${a.detail}`);
  out(`Auto uses:    ${h.acceleratorChoice.accelerator.toUpperCase()}: ${h.acceleratorChoice.reason}`);
  out(`QEMU:         ${h.qemu.binaries.length ? h.qemu.binaries.map((b) => `${b.path} (${b.version})`).join(', ') : 'not found'}`);
  out(`qemu-img:     ${h.qemu.img ? `${h.qemu.img.path} (${h.qemu.img.version})` : 'not found'}`);
  if (h.qemu.installHint) out(`              ${h.qemu.installHint}`);
  out(`v86:          ${h.v86.available ? 'available' : 'not available'}: ${h.v86.detail}`);
  out(`UEFI:         ${h.uefi.available ? 'available' : 'not available'}: ${h.uefi.detail}`);
  out(`Engine auto:  ${h.autoEngine.engine ?? 'none'}: ${h.autoEngine.reason}`);
  out(`Library:      ${h.libraryPath}`);
}

function printVm(vm: VmDetails): void {
  const c = vm.config;
  out(`Name:         ${vm.name}`);
  out(`UUID:         ${vm.id}`);
  out(`State:        ${vm.state}${vm.stateReason ? ` (${vm.stateReason})` : ''}`);
  out(`OS type:      ${vm.osType}`);
  out(`Engine:       ${c.engine}${vm.runtime ? ` (running on ${vm.runtime.engine}, ${vm.runtime.accelerator})` : ''}   accelerator: ${c.accelerator}`);
  out(`Runs on:      ${vm.engineChoice.engine ?? 'nothing here'}: ${vm.engineChoice.reason}`);
  for (const note of vm.engineNotes) out(`              ${note}`);
  out(`Memory:       ${c.memoryMib} MiB`);
  out(`CPUs:         ${c.cpus}`);
  out(`Firmware:     ${c.firmware === 'uefi' ? 'UEFI' : 'BIOS'}`);
  for (const d of c.disks) out(`Disk:         ${d.path} (${d.format}${d.owned ? ', made by Guesthouse' : ''})`);
  if (c.optical) out(`Optical:      ${c.optical.isoPath}`);
  if (c.directBoot) {
    out(`Kernel:       ${c.directBoot.kernelPath}`);
    if (c.directBoot.initrdPath) out(`Initrd:       ${c.directBoot.initrdPath}`);
    if (c.directBoot.append) out(`Command line: ${c.directBoot.append}`);
  }
  out(`Screen:       ${c.display.adapter === 'none' ? 'none (serial console only)' : `${c.display.adapter === 'virtio' ? 'virtio-vga' : 'standard VGA'}, ${c.input.pointer === 'tablet' ? 'USB tablet' : 'PS/2 mouse'}, PS/2 keyboard`}`);
  out(`Disk bus:     ${c.diskBus === 'sata' ? 'SATA (AHCI)' : c.diskBus === 'ide' ? 'IDE' : 'virtio'}`);
  out(`Network:      ${c.network.mode}${c.network.mode === 'nat' ? ` (${c.network.model === 'e1000' ? 'Intel e1000' : 'virtio-net'})` : ''}${c.network.forwards.map((f) => ` ${f.protocol}:${f.hostAddress}:${f.hostPort}->${f.guestPort}`).join('')}`);
  out(`Folder:       ${vm.folder}`);
  if (vm.runtime) out(`Processes:    guest host ${vm.runtime.guestHostPid}${vm.runtime.enginePid ? `, engine ${vm.runtime.enginePid}` : ''}`);
}

function printList(vms: VmSummary[]): void {
  if (vms.length === 0) return out('No VMs yet; make one with "guesthouse create NAME".');
  out(table([['NAME', 'STATE', 'OS', 'ENGINE', 'MEMORY', 'CPUS'], ...vms.map((v) => (v.inaccessible ? [v.name, 'inaccessible', '-', '-', '-', '-'] : [v.name, v.state, v.osType, v.engine, `${v.memoryMib} MiB`, String(v.cpus)]))]));
  for (const v of vms) if (v.inaccessible) out(`${v.name}: ${v.inaccessible}`);
}

async function consoleSession(client: ServiceClient, name: string): Promise<number> {
  const stdin = process.stdin;
  let finish!: (code: number) => void;
  const done = new Promise<number>((r) => (finish = r));
  // Acknowledge what the terminal has taken, so a flood pauses the guest instead of growing memory.
  const attachment: { ack(n: number): void } & Awaited<ReturnType<ServiceClient['attachConsole']>> = await client.attachConsole(
    name,
    (data) => process.stdout.write(data, () => attachment?.ack(data.length)),
    { flowControl: true },
  );
  process.stderr.write(`Connected to "${name}". Press Ctrl-] to detach.\r\n`);
  // Replayed output must not make the terminal type answers (cursor position…) into the guest.
  process.stdout.write(stripTerminalQueries(attachment.backlog));
  const sub = client.onDidChangeState((e): void => {
    if (e.name === name && (e.state === 'stopped' || e.state === 'crashed')) {
      process.stderr.write(`\r\n"${name}" is ${e.state}${e.reason ? `: ${e.reason}` : '.'}\r\n`);
      finish(0);
    }
  });
  if (stdin.isTTY) stdin.setRawMode(true);
  stdin.on('data', (chunk: Buffer) => {
    const at = chunk.indexOf(0x1d);
    const data = at >= 0 ? chunk.subarray(0, at) : chunk;
    if (data.length) void client.writeConsole(name, data).catch(() => undefined);
    if (at >= 0) finish(0);
  });
  stdin.on('end', () => finish(0));
  const code = await done;
  if (stdin.isTTY) stdin.setRawMode(false);
  stdin.pause();
  sub.dispose();
  attachment.dispose();
  return code;
}

/** Everything on stdin, for send --file -. */
async function readStdin(): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of process.stdin) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** A part of long input: well under one write's limit, and no more than a tty's line buffer. */
const SEND_PART_BYTES = 4096;
/** A guest that does not echo (stty -echo, a raw reader) gets the next part after this much quiet. */
const SEND_QUIET_MS = 500;

/**
 * Long input, in parts: each part is sent once the guest has echoed about as many bytes as
 * the last one had (it has taken them), or has been quiet for a moment, so the input never
 * piles up ahead of the guest and the console stays responsive.
 */
async function sendInParts(client: ServiceClient, name: string, data: Uint8Array): Promise<void> {
  let echoed = 0;
  let wake = () => undefined as void;
  const attachment = await client.attachConsole(name, (d) => {
    echoed += d.length;
    wake();
  });
  const sub = client.onDidChangeState((e): void => {
    if (e.name === name && (e.state === 'stopped' || e.state === 'crashed' || e.state === 'saved')) wake();
  });
  try {
    for (let at = 0; at < data.length; at += SEND_PART_BYTES) {
      const part = data.subarray(at, at + SEND_PART_BYTES);
      echoed = 0;
      await client.writeConsole(name, part);
      while (echoed < part.length) {
        const before = echoed;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, SEND_QUIET_MS);
          wake = () => (clearTimeout(timer), resolve());
        });
        if (echoed === before) break; // quiet: the guest is not echoing, or has stopped
      }
    }
  } finally {
    sub.dispose();
    attachment.dispose();
  }
}

/** The VM's screen for a native VNC viewer on a loopback port, until Ctrl-C or the VM stops. */
async function displaySession(client: ServiceClient, name: string, port: number): Promise<number> {
  let finish!: (code: number) => void;
  const done = new Promise<number>((r) => (finish = r));
  let id: string | undefined;
  // Listen first, so a stop while the port opens is not missed.
  const sub = client.onDidChangeState((e): void => {
    if ((e.id === id || e.name === name) && (e.state === 'stopped' || e.state === 'crashed' || e.state === 'saved')) {
      process.stderr.write(`"${e.name}" is ${e.state}${e.reason ? `: ${e.reason}` : '.'}\n`);
      finish(0);
    }
  });
  const stop = () => finish(0);
  try {
    const vm = await client.getVm(name);
    id = vm.id;
    if (!vm.runtime) throw new GuesthouseError('invalid-state', m('vm.notRunning', { name: vm.name }));
    if (!vm.runtime.displaySocket) throw new GuesthouseError('invalid-state', m(vm.config.display.adapter === 'none' ? 'display.none' : 'display.notReady', { name: vm.name }));
    const proxy = await startVncProxy({
      upstream: vm.runtime.displaySocket,
      port,
      onViewer: (e) => {
        if (e.kind === 'refused' || e.kind === 'failed') process.stderr.write(`A viewer from ${e.remote} was turned away: ${e.reason}\n`);
      },
    });
    out(`The screen of "${vm.name}" is at ${proxy.host}:${proxy.port} (VNC); password: ${proxy.password}. Press Ctrl-C to stop.`);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const code = await done;
    await proxy.close();
    return code;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    sub.dispose();
  }
}

/** Serves the GUI to a browser until Ctrl-C; the guests stay with the service. */
async function serve(home: string, v: Record<string, unknown>): Promise<number> {
  const port = v.port === undefined ? 7380 : Number(v.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`"${String(v.port)}" is not a port number.`);
  const host = typeof v.host === 'string' ? v.host : '127.0.0.1';
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
    if (code === 'EADDRINUSE') throw new GuesthouseError('invalid-input', `Port ${port} is already in use; choose another with --port.`);
    if (code === 'EADDRNOTAVAIL') throw new GuesthouseError('invalid-input', `This host has no address ${host}.`);
    throw err;
  }
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) process.stderr.write(`Warning: Guesthouse is reachable from other machines on ${host}; anyone with the address below controls your VMs.\n`);
  out(`Guesthouse is serving ${home} at ${web.url}`);
  out('Press Ctrl-C to stop serving (running guests keep running).');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await web.close();
  client.close();
  return 0;
}

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const home = libraryHome();
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    out(USAGE);
    return command ? 0 : 2;
  }
  if (command === 'service') {
    const sub = rest[0];
    // Before connecting: an open connection would keep this process alive after the hint.
    if ((sub !== 'status' && sub !== 'stop') || rest.length > 1) throw new UsageError('Say "service status" or "service stop".');
    const client = await connectToService(home, false);
    if (sub === 'status') {
      out(client ? `The Guesthouse service for ${home} is running.` : `No Guesthouse service is running for ${home}.`);
      client?.close();
      return 0;
    }
    if (sub === 'stop') {
      if (!client) return out(`No Guesthouse service is running for ${home}.`), 0;
      client.close();
      const pid = Number(fs.readFileSync(path.join(runtimeDir(home), 'service.pid'), 'utf8'));
      process.kill(pid, 'SIGTERM');
      // Wait until it is gone, so a command right after this finds no old service.
      const deadline = Date.now() + 60_000;
      while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      out('The Guesthouse service has stopped; its guests were powered off.');
      return 0;
    }
    throw new UsageError('Say "service status" or "service stop".');
  }

  if (command === 'serve') return serve(home, parse(rest, { port: { type: 'string' }, host: { type: 'string' } }, 0).values);

  const known = ['host', 'list', 'show', 'create', 'modify', 'delete', 'start', 'stop', 'pause', 'resume', 'reset', 'save', 'discard', 'repair', 'console', 'send', 'wait', 'log', 'screenshot', 'keys', 'display'];
  if (!known.includes(command)) throw new UsageError(`"${command}" is not a guesthouse command; see "guesthouse help".`);
  // Parse before connecting, so a typo never starts a service.
  const spec = (() => {
    switch (command) {
      case 'host':
        return parse(rest, { ...json, accelerator: { type: 'string' } }, 0);
      case 'list':
        return parse(rest, json, 0);
      case 'show':
        return parse(rest, json, 1);
      case 'create':
        return parse(rest, vmOptions, 1);
      case 'modify':
        return parse(rest, { ...vmOptions, name: { type: 'string' } }, 1);
      case 'delete':
        return parse(rest, { 'keep-disks': { type: 'boolean' } }, 1);
      case 'stop':
        return parse(rest, { force: { type: 'boolean' }, 'timeout-s': { type: 'string' } }, 1);
      case 'send':
        return parse(rest, { file: { type: 'string' } }, rest.some((a) => a === '--file' || a.startsWith('--file=')) ? 1 : 2);
      case 'wait':
        return parse(rest, { for: { type: 'string' }, screen: { type: 'string' }, 'timeout-s': { type: 'string' } }, 1);
      case 'screenshot': {
        const p = parse(rest, { text: { type: 'boolean' } }, rest.includes('--text') ? 1 : 2);
        return p;
      }
      case 'display':
        return parse(rest, { port: { type: 'string' } }, 1);
      case 'keys':
        return parse(rest, { type: { type: 'string' } }, rest.includes('--type') || rest.some((a) => a.startsWith('--type=')) ? 1 : 2);
      default:
        return parse(rest, {}, 1);
    }
  })();
  const { values: v, args } = spec;
  const name = args[0]!;
  const seconds = (s: unknown, fallback: number) => {
    if (s === undefined) return fallback;
    const n = Number(s);
    if (!Number.isFinite(n) || n < 0) throw new UsageError(`"${String(s)}" is not a number of seconds.`);
    return Math.round(n * 1000);
  };
  // Work out every flag before the service starts, so bad input changes nothing.
  const request = command === 'create' || command === 'modify' ? vmRequestFromFlags(v as VmOptionValues) : undefined;
  if (command === 'create' && v['detach-disk'] !== undefined) throw new UsageError('--detach-disk works with modify only: a new VM has no disks to take off.');
  if (command === 'wait' && typeof v.for !== 'string' && typeof v.screen !== 'string') throw new UsageError('Say what to wait for with --for TEXT (console) or --screen TEXT (screen).');
  if (command === 'wait' && typeof v.for === 'string' && typeof v.screen === 'string') throw new UsageError('Wait for one thing at a time: --for or --screen.');
  const pngFile = command === 'screenshot' && !v.text ? path.resolve(args[1]!) : null;
  if (command === 'send' && typeof v.file === 'string' && v.file !== '-' && !fs.statSync(path.resolve(v.file), { throwIfNoEntry: false })?.isFile()) throw new UsageError(`There is no file ${path.resolve(v.file)}.`);
  if (pngFile && !fs.existsSync(path.dirname(pngFile))) throw new UsageError(`The folder ${path.dirname(pngFile)} does not exist.`);
  if (command === 'display' && v.port !== undefined && !(/^\d{1,5}$/.test(String(v.port)) && Number(v.port) <= 65535)) throw new UsageError(`"${String(v.port)}" is not a port number.`);
  const timeoutMs = command === 'stop' || command === 'wait' ? seconds(v['timeout-s'], command === 'wait' ? 60_000 : -1) : -1;

  const client = (await connectToService(home, SERVICE_ENTRY))!;
  try {
    switch (command) {
      case 'host': {
        const h = typeof v.accelerator === 'string' ? await client.setHostSettings({ accelerator: v.accelerator as HostSettings['accelerator'] }) : await client.getHostInfo();
        v.json ? out(JSON.stringify(h, null, 2)) : printHost(h);
        return 0;
      }
      case 'list': {
        const vms = await client.listVms();
        v.json ? out(JSON.stringify(vms, null, 2)) : printList(vms);
        return 0;
      }
      case 'show': {
        const vm = await client.getVm(name);
        v.json ? out(JSON.stringify(vm, null, 2)) : printVm(vm);
        return 0;
      }
      case 'create': {
        const vm = await client.createVm({ name, ...request });
        out(`Created "${vm.name}" in ${vm.folder}.`);
        return 0;
      }
      case 'modify': {
        const vm = await client.modifyVm(name, { ...request, ...(typeof v.name === 'string' ? { name: v.name } : {}) });
        out(`Saved "${vm.name}".`);
        return 0;
      }
      case 'delete':
        await client.deleteVm(name, { keepDisks: Boolean(v['keep-disks']) });
        out(`Deleted "${name}"${v['keep-disks'] ? '; its disks were kept' : ''}.`);
        return 0;
      case 'start':
        await client.startVm(name);
        out(`Started "${name}".`);
        return 0;
      case 'stop':
        await client.shutdownVm(name, { force: Boolean(v.force), ...(timeoutMs >= 0 ? { timeoutMs } : {}) });
        out(`"${name}" is stopped.`);
        return 0;
      case 'pause':
        await client.pauseVm(name);
        return 0;
      case 'resume':
        await client.resumeVm(name);
        return 0;
      case 'reset':
        await client.resetVm(name);
        return 0;
      case 'save':
        await client.saveVm(name);
        out(`Saved the state of "${name}"; "guesthouse start ${name}" continues where it was.`);
        return 0;
      case 'discard':
        await client.discardSavedState(name);
        out(`Discarded the saved state of "${name}".`);
        return 0;
      case 'repair': {
        const vm = await client.repairVm(name);
        out(`Repaired "${vm.name}": its configuration from before its last change is back (the unreadable file is kept in ${vm.folder}).`);
        return 0;
      }
      case 'console':
        return await consoleSession(client, name);
      case 'send':
        if (typeof v.file === 'string') await sendInParts(client, name, v.file === '-' ? await readStdin() : fs.readFileSync(path.resolve(v.file)));
        else await client.writeConsole(name, unescapeC(args[1]!));
        return 0;
      case 'wait': {
        const onScreen = typeof v.screen === 'string';
        const text = (onScreen ? v.screen : v.for) as string;
        const found = onScreen ? await client.waitForScreen(name, text, timeoutMs) : await client.waitForConsole(name, text, timeoutMs);
        if (!found) process.stderr.write(`"${text}" did not appear on the ${onScreen ? 'screen' : 'console'} of "${name}" within ${timeoutMs / 1000} s.\n`);
        return found ? 0 : 1;
      }
      case 'screenshot': {
        if (!pngFile) {
          out((await client.screenText(name)).join('\n').replace(/\n+$/, ''));
          return 0;
        }
        const png = await client.screenshot(name);
        fs.writeFileSync(pngFile, png);
        const width = png.length >= 24 ? Buffer.from(png).readUInt32BE(16) : 0;
        const height = png.length >= 24 ? Buffer.from(png).readUInt32BE(20) : 0;
        out(`Saved the screen of "${name}" (${width}x${height}) to ${pngFile}.`);
        return 0;
      }
      case 'keys':
        await client.sendKeys(name, typeof v.type === 'string' ? { text: unescapeC(v.type).toString('utf8') } : { chord: args[1]! });
        return 0;
      case 'display':
        return await displaySession(client, name, Number(v.port ?? 0));
      case 'log':
        out(await client.readLog(name));
        return 0;
    }
    return 2;
  } finally {
    client.close();
  }
}

// A reader that goes away (guesthouse list | head) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    const data = err instanceof GuesthouseError ? toErrorData(err) : toErrorData(err);
    process.stderr.write(`${data.message}\n`);
    process.exitCode = 1;
  },
);
