// The service's side of private networks: the library's named networks (IVmService's
// listNetworks, createNetwork, deleteNetwork) and their switches (core/node/netSwitch), each a
// detached process of its own found again through its files in the runtime folder, so that
// it outlives the service as the guests do. A QEMU card on `private:NAME` is made a member
// of NAME's switch at each start (a fresh UDP port of its own on 127.0.0.1).
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import path from 'node:path';
import type { NetworkInfo } from '../../common/api';
import type { VmConfig } from '../../common/config';
import { GuesthouseError } from '../../common/errors';
import { m } from '../../common/messages';
import { attachedNics, privateNetworkOf } from '../../common/nics';
import type { BootSpec, PrivateLink } from '../../common/protocol';
import type { Library } from '../library/library';
import { addNetwork, membersOf, readNetworks, removeNetwork } from '../library/networks';
import { readSwitchState, switchFiles, type SwitchRequest, type SwitchStats } from '../netSwitch/switch';
import { runtimeDir } from '../shared/paths';
import { processAlive } from '../shared/processAlive';
import { readLines, writeLine } from '../transport/lines';

/** The switch's entry file, next to this module once compiled (tests fork the compiled one, as for guest hosts). */
export const switchEntry = __filename.endsWith('.ts')
  ? path.resolve(__dirname, '..', '..', '..', 'out', 'core', 'node', 'netSwitch', 'main.js')
  : path.join(__dirname, '..', 'netSwitch', 'main.js');

/** One request to a switch over its control socket, and its answer; rejects when nobody answers within `timeoutMs`. */
export function askSwitch(control: string, req: SwitchRequest, timeoutMs = 5000): Promise<SwitchStats & { ok: boolean }> {
  return new Promise((resolve, reject) => {
    const conn = net.connect(control);
    const timer = setTimeout(() => {
      conn.destroy();
      reject(new GuesthouseError('engine-failed', m('network.noAnswer', { seconds: Math.round(timeoutMs / 1000) })));
    }, timeoutMs);
    conn.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    conn.once('connect', () => writeLine(conn, JSON.stringify(req)));
    readLines(conn, (line) => {
      clearTimeout(timer);
      conn.end();
      resolve(JSON.parse(line) as SwitchStats & { ok: boolean });
    });
  });
}

/** Switches being looked for or started, by control socket: two VMs starting at once on one network start one switch. */
const starting = new Map<string, Promise<SwitchStats>>();

/** The running switch of `name`, started when none answers (on the port its state file says, else `port`, else any). */
export function ensureSwitch(runtime: string, name: string, port?: number): Promise<SwitchStats> {
  const key = switchFiles(runtime, name).control;
  const pending = starting.get(key) ?? findOrStartSwitch(runtime, name, port).finally(() => starting.delete(key));
  starting.set(key, pending);
  return pending;
}

async function findOrStartSwitch(runtime: string, name: string, port?: number): Promise<SwitchStats> {
  const files = switchFiles(runtime, name);
  try {
    return await askSwitch(files.control, { op: 'stats' });
  } catch {
    // None answers: start one (it takes the port and members its state file kept).
  }
  // Node itself (in Electron, its binary run as Node), with no flags of its parent's (a test runner's loaders).
  const child = spawn(process.execPath, [switchEntry, runtime, name, ...(port ? [String(port)] : [])], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  const said: string[] = [];
  child.stderr!.on('data', (c: Buffer) => said.push(c.toString()));
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 15_000);
    child.stdout!.on('data', (c: Buffer) => {
      if (c.toString().startsWith('ready')) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  // From here on it lives on its own: no pipe and no reference keeps either process bound to the other.
  child.stdout!.destroy();
  child.stderr!.destroy();
  child.unref();
  if (!ready) {
    child.kill();
    const reason = said.join('').trim();
    throw new GuesthouseError('engine-failed', reason ? m('network.switchFailed', { network: name, reason }) : m('network.switchSilent', { network: name }));
  }
  return await askSwitch(files.control, { op: 'stats' });
}

/** A UDP port on 127.0.0.1 nobody holds now: a card's own, for its QEMU to send from. */
function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind({ address: '127.0.0.1', port: 0, exclusive: true }, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Each QEMU card on a private network, made a member of its switch: the ports its `-netdev dgram` takes. */
export async function joinPrivateNetworks(home: string, config: VmConfig): Promise<Record<string, PrivateLink>> {
  const links: Record<string, PrivateLink> = {};
  const runtime = runtimeDir(home);
  for (const nic of attachedNics(config.nics)) {
    const network = privateNetworkOf(nic.attachment);
    if (!network) continue;
    const { port: switchPort } = await ensureSwitch(runtime, network);
    const localPort = await freeUdpPort();
    try {
      await askSwitch(switchFiles(runtime, network).control, { op: 'add', key: `${config.identity.uuid}/${nic.id}`, port: localPort });
    } catch (err) {
      // Said in the reader's language where it is ours (no answer), as the system said it otherwise (ECONNREFUSED…).
      const reason = err instanceof GuesthouseError && err.key ? m(err.key, err.params) : (err as Error).message;
      throw new GuesthouseError('engine-failed', m('network.switchGone', { network, reason }));
    }
    links[nic.id] = { localPort, switchPort };
  }
  return links;
}

/**
 * For a guest the service takes over (reattach): its switches run, and know its cards, again.
 * A switch that died meanwhile comes back on the port its QEMU still sends to.
 */
export async function rejoinPrivateNetworks(home: string, spec: BootSpec): Promise<void> {
  const runtime = runtimeDir(home);
  for (const nic of attachedNics(spec.config.nics)) {
    const network = privateNetworkOf(nic.attachment);
    const link = spec.qemu?.privateLinks?.[nic.id];
    if (!network || !link) continue;
    await ensureSwitch(runtime, network, link.switchPort);
    await askSwitch(switchFiles(runtime, network).control, { op: 'add', key: `${spec.config.identity.uuid}/${nic.id}`, port: link.localPort });
  }
}

/** For a guest that has ended: its cards leave their switches at once (else the switch finds them gone within a minute). */
export async function leavePrivateNetworks(home: string, spec: BootSpec): Promise<void> {
  const runtime = runtimeDir(home);
  for (const nic of attachedNics(spec.config.nics)) {
    const network = privateNetworkOf(nic.attachment);
    if (!network || !spec.qemu?.privateLinks?.[nic.id]) continue;
    await askSwitch(switchFiles(runtime, network).control, { op: 'remove', key: `${spec.config.identity.uuid}/${nic.id}` }).catch(() => undefined);
  }
}

/** IVmService's network methods, over the library's folder and its VMs' configs. */
export class PrivateNetworks {
  /** `changed`: tells the VM list's listeners (the networks are what a VM's cards choose from). */
  constructor(
    private readonly library: () => Library,
    private readonly changed: () => void = () => undefined,
  ) {}

  private get home(): string {
    return this.library().home;
  }

  private configs(): VmConfig[] {
    return this.library()
      .list()
      .map((e) => e.config);
  }

  private info(network: { name: string; createdAt: string }): NetworkInfo {
    const state = readSwitchState(switchFiles(runtimeDir(this.home), network.name).state);
    const running = state && processAlive(state.pid);
    return { ...network, members: membersOf(network.name, this.configs()), switchPort: running ? state.port : null };
  }

  async listNetworks(): Promise<NetworkInfo[]> {
    return readNetworks(this.home).map((n) => this.info(n));
  }

  async createNetwork(name: string): Promise<NetworkInfo> {
    const made = addNetwork(this.home, name);
    this.changed();
    return this.info(readNetworks(this.home).find((n) => n.name === made)!);
  }

  async deleteNetwork(name: string): Promise<void> {
    const removed = removeNetwork(this.home, name, this.configs());
    this.changed();
    // Its switch, if one runs, ends and forgets its port.
    await askSwitch(switchFiles(runtimeDir(this.home), removed).control, { op: 'quit' }).catch(() => undefined);
  }
}
