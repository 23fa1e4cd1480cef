// What can be checked before QEMU starts, so that a user's mistake gets its own sentence
// instead of QEMU's refusal: host ports, boot files, disk images.
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { natForwards, type PortForward, type VmConfig } from '../../common/config';
import { m, type Sentence } from '../../common/messages';
import { qemuImgDetail, runQemuImg } from '../library/qemuImg';

/** A running VM whose forwards and disks another VM must not take. */
export interface RunningVm {
  name: string;
  config: VmConfig;
  dir: string;
}

const sameForward = (a: PortForward, b: PortForward) => a.protocol === b.protocol && a.hostPort === b.hostPort;

/** QEMU 7.2's user network takes an IPv4 address only (inet_aton): a name or an IPv6 address this host has is still refused. */
const ipv4Only = (f: PortForward): Sentence | null =>
  net.isIPv4(f.hostAddress || '127.0.0.1') ? null : m('forward.ipv4Only', { address: f.hostAddress, port: f.hostPort }).about('forwards');

/** Binds the forward's host address and port for a moment: what QEMU's slirp will do at start. */
async function tryBind(f: PortForward): Promise<Sentence | null> {
  const address = f.hostAddress || '127.0.0.1';
  const said = (err: NodeJS.ErrnoException): Sentence => {
    const params = { port: f.hostPort, protocol: f.protocol, address };
    if (err.code === 'EADDRINUSE') return m('forward.inUse', params).about('forwards');
    if (err.code === 'EACCES') return m('forward.denied', params).about('forwards');
    return m('forward.noAddress', params).about('forwards'); // ENOTFOUND, EAI_AGAIN, EADDRNOTAVAIL, EINVAL
  };
  if (f.protocol === 'udp') {
    const socket = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
    return await new Promise((resolve) => {
      socket.once('error', (err) => {
        socket.close();
        resolve(said(err));
      });
      socket.bind(f.hostPort, address, () => socket.close(() => resolve(ipv4Only(f))));
    });
  }
  const server = net.createServer();
  return await new Promise((resolve) => {
    server.once('error', (err) => resolve(said(err)));
    // exclusive: a port another process shares for clustering is still taken
    server.listen({ port: f.hostPort, host: address, exclusive: true }, () => server.close(() => resolve(ipv4Only(f))));
  });
}

/** Forwards that repeat a host port, that a running VM has, or that another program holds. */
export async function forwardProblems(config: VmConfig, running: readonly RunningVm[], probe = true): Promise<Sentence[]> {
  const problems: Sentence[] = [];
  const forwards = natForwards(config.nics);
  const checked: PortForward[] = [];
  for (const f of forwards) {
    const params = { port: f.hostPort, protocol: f.protocol };
    if (checked.some((c) => sameForward(c, f))) {
      const repeated = m('forward.repeated', params).about('forwards');
      if (!problems.some((p) => p.message === repeated.message)) problems.push(repeated);
      continue;
    }
    checked.push(f);
    const other = running.find((r) => natForwards(r.config.nics).some((o) => sameForward(o, f)));
    if (other) problems.push(m('forward.usedByVm', { ...params, other: other.name }).about('forwards'));
    else if (probe) {
      const refused = await tryBind(f);
      if (refused) problems.push(refused);
    }
  }
  return problems;
}

/** Files a config names that are missing or not files (relative paths are inside the VM's folder). */
export function pathProblems(config: VmConfig, dir: string | undefined): Sentence[] {
  const problems: Sentence[] = [];
  const check = (file: 'kernel' | 'initrd' | 'iso' | 'disk', p: string | null | undefined) => {
    if (!p) return;
    const full = dir ? path.resolve(dir, p) : path.resolve(p);
    const what = m(`term.${file}`);
    if (!fs.existsSync(full)) problems.push(m('path.missing', { what, path: full }).about(file));
    else if (!fs.statSync(full).isFile()) problems.push(m('path.notFile', { what, path: full }).about(file));
  };
  check('kernel', config.directBoot?.kernelPath);
  check('initrd', config.directBoot?.initrdPath);
  check('iso', config.optical?.isoPath);
  // A disk Guesthouse makes is looked for only once it is made (in the VM's folder).
  for (const d of config.disks) if (!d.owned || dir) check('disk', d.path);
  return [...problems, ...shareProblems(config)];
}

/** Shared folders that are missing or not folders, or that this host cannot share at all (Windows: QEMU has no virtio-9p there). */
export function shareProblems(config: Pick<VmConfig, 'shares'>, platform: NodeJS.Platform = process.platform): Sentence[] {
  const shares = config.shares ?? [];
  if (shares.length && platform === 'win32') return [m('share.windows').about('shares')];
  const problems: Sentence[] = [];
  for (const share of shares) {
    const full = path.resolve(share.path);
    if (!fs.existsSync(full)) problems.push(m('share.missing', { path: full }).about('shares'));
    else if (!fs.statSync(full).isDirectory()) problems.push(m('share.notFolder', { path: full }).about('shares'));
  }
  return problems;
}

/** A kernel or initrd of 0 bytes (a failed download, a truncated copy). */
export function bootFileProblems(config: VmConfig, dir: string | undefined): Sentence[] {
  const problems: Sentence[] = [];
  const check = (file: 'kernel' | 'initrd', p: string | null | undefined) => {
    if (!p) return;
    const full = path.resolve(dir ?? '.', p);
    try {
      if (fs.statSync(full).isFile() && fs.statSync(full).size === 0) problems.push(m('boot.empty', { what: m(`term.${file}`), path: full }).about(file));
    } catch {
      // a missing file has its own sentence (pathProblems)
    }
  };
  check('kernel', config.directBoot?.kernelPath);
  check('initrd', config.directBoot?.initrdPath);
  return problems;
}

/** Disks a running VM has open (QEMU would refuse them for the lock). */
export function diskInUseProblems(config: VmConfig, dir: string, running: readonly RunningVm[]): Sentence[] {
  const problems: Sentence[] = [];
  for (const d of config.disks) {
    const full = path.resolve(dir, d.path);
    const other = running.find((r) => r.config.disks.some((o) => path.resolve(r.dir, o.path) === full));
    if (other) problems.push(m('disk.inUse', { path: full, other: other.name }).about('disk'));
  }
  return problems;
}

/**
 * Reads each disk's header with `qemu-img info` in the format the VM will give QEMU: a
 * qcow2 that is not one (corrupt, truncated, another format) gets a sentence now, not at start.
 * Raw images are any bytes, so only their presence is checked (elsewhere).
 */
export async function diskImageProblems(
  qemuImg: string | undefined,
  disks: readonly Pick<VmConfig['disks'][number], 'path' | 'format'>[],
  dir: string | undefined,
): Promise<Sentence[]> {
  if (!qemuImg) return [];
  const problems: Sentence[] = [];
  for (const d of disks) {
    if (d.format !== 'qcow2') continue;
    const full = path.resolve(dir ?? '.', d.path);
    if (!fs.existsSync(full)) continue;
    try {
      // -U: a disk another program has open is still read (that is a separate problem).
      await runQemuImg(qemuImg, ['info', '-U', '--output', 'json', '-f', d.format, full], { timeoutMs: 30_000 });
    } catch (err) {
      const detail = qemuImgDetail(err).replace(`Could not open '${full}': `, '');
      problems.push(m('disk.unreadable', { path: full, format: d.format, detail }).about('disk'));
    }
  }
  return problems;
}
