import crypto from 'node:crypto';
import path from 'node:path';
import {
  CONFIG_VERSION,
  nicId,
  osPresets,
  type DiskFormat,
  type NicAttachment,
  type NicConfig,
  type NicModel,
  type OsType,
  type VmConfig,
} from '../../common/config';
import { emptySnapshotTree } from '../../common/snapshots';
import { applyShareChanges } from '../../common/shares';
import type { createVmRequestSchema, modifyVmRequestSchema } from '../../common/apiSchemas';
import type { z } from 'zod';
import { m, type Sentence } from '../../common/messages';
import { randomMac } from './macs';

export const NEEDS_KERNEL = m('request.needsKernel').about('kernel');

/** An existing image the user attaches: Guesthouse never deletes it. */
const existingDisk = (file: string, format: DiskFormat | undefined): VmConfig['disks'][number] => ({
  path: file,
  format: format ?? (file.endsWith('.qcow2') ? 'qcow2' : 'raw'),
  owned: false,
});

const withLoopback = (
  forwards: { name?: string | undefined; protocol: 'tcp' | 'udp'; hostAddress?: string | undefined; hostPort: number; guestPort: number }[],
) => forwards.map((f) => ({ ...f, hostAddress: f.hostAddress ?? '127.0.0.1' }));

/**
 * The cards a request's `nets` asks for. A card named by the MAC of one of `old` is that card,
 * wherever it now stands (the GUI names them, so taking out a middle card moves the others with
 * their MAC, id and forwards); a MAC no card has makes a new card with it, unless another VM's
 * card has it (`takenMacs`). Without MACs, a card kept at its place keeps them (the CLI's
 * `--net`). A new card gets a random MAC that is no other's, and the first free id.
 */
function cardsFor(
  nets: { attachment: NicAttachment; model?: NicModel | undefined; mac?: string | undefined }[],
  old: readonly NicConfig[],
  osType: OsType,
  takenMacs: Iterable<string> = [],
  problems: Sentence[] = [],
): NicConfig[] {
  const byMac = nets.some((n) => n.mac !== undefined);
  const kept = nets.map((net, i) => (byMac ? old.find((n) => n.mac === net.mac) : old[i]));
  const taken = new Set([...takenMacs, ...old.map((n) => n.mac)]);
  const named = new Set<string>();
  nets.forEach((net, i) => {
    if (net.mac === undefined) return;
    // One card named twice, or a new card with a MAC another card has.
    if (named.has(net.mac) || (!kept[i] && taken.has(net.mac))) problems.push(m('request.nicMacTaken', { mac: net.mac }).about('network'));
    named.add(net.mac);
    if (!kept[i]) taken.add(net.mac);
  });
  const ids = new Set(kept.flatMap((k) => (k ? [k.id] : [])));
  return nets.map((net, i) => {
    const card = kept[i];
    const mac = card?.mac ?? net.mac ?? randomMac(taken);
    taken.add(mac);
    let id = card?.id;
    for (let n = 0; id === undefined; n++) if (!ids.has(nicId(n))) ids.add((id = nicId(n)));
    return { id, mac, model: net.model ?? card?.model ?? osPresets[osType].nicModel, attachment: net.attachment, forwards: card?.forwards ?? [] };
  });
}

/** The cards with a request's `network`, `nicModel` and `forwards` applied to the first. */
function firstCard(
  nics: NicConfig[],
  req: { network?: NicAttachment | undefined; nicModel?: NicModel | undefined; forwards?: Parameters<typeof withLoopback>[0] | undefined },
): NicConfig[] {
  const [first, ...rest] = nics;
  if (!first) return nics;
  return [
    {
      ...first,
      ...(req.network !== undefined && { attachment: req.network }),
      ...(req.nicModel !== undefined && { model: req.nicModel }),
      ...(req.forwards !== undefined && { forwards: withLoopback(req.forwards) }),
    },
    ...rest,
  ];
}

/**
 * A new VM's config from a validated create request: the OS preset fills what the
 * request leaves out; paths become absolute (they are the caller's, not the VM folder's).
 * The request's network, NIC model and forwards are its one card's, which gets a random MAC
 * that is none of `takenMacs` (the library's). Its shares' problems are newShares'.
 */
export function configFromRequest(req: z.output<typeof createVmRequestSchema>, takenMacs: Iterable<string> = [], problems: Sentence[] = []): VmConfig {
  const osType = req.osType ?? 'linux-x64';
  const preset = osPresets[osType];
  const abs = (p: string | null | undefined) => (p ? path.resolve(p) : null);
  return {
    version: CONFIG_VERSION,
    identity: { uuid: crypto.randomUUID(), name: req.name, osType, createdAt: new Date().toISOString() },
    cpus: req.cpus ?? preset.cpus,
    memoryMib: req.memoryMib ?? preset.memoryMib,
    disks: req.diskPath ? [existingDisk(path.resolve(req.diskPath), req.diskFormat)] : [],
    optical: req.isoPath ? { isoPath: path.resolve(req.isoPath) } : null,
    directBoot: req.kernelPath ? { kernelPath: path.resolve(req.kernelPath), initrdPath: abs(req.initrdPath), append: req.append ?? '' } : null,
    firmware: req.firmware ?? 'bios',
    chipset: 'pc',
    display: { adapter: req.display ?? preset.display },
    input: { pointer: req.pointer ?? 'tablet' },
    diskBus: req.diskBus ?? preset.diskBus,
    nics: firstCard(cardsFor(req.nets ?? [{ attachment: 'nat' }], [], osType, takenMacs, problems), req),
    shares: newShares(req).shares,
    serial: { enabled: true },
    engine: req.engine ?? 'auto',
    accelerator: req.accelerator ?? 'auto',
    shutdownTimeoutMs: req.shutdownTimeoutMs ?? 30_000,
    snapshots: emptySnapshotTree(),
  };
}

/** A new VM's shares from its request, and the problems with them (a tag twice, too many). */
export const newShares = (req: Pick<z.output<typeof createVmRequestSchema>, 'shares'>) => applyShareChanges([], req.shares, undefined, (p) => path.resolve(p));

/** A stopped VM's config with a validated change applied: omitted fields stay, null removes. */
export function applyChanges(
  old: VmConfig,
  req: z.output<typeof modifyVmRequestSchema>,
  dir = '.',
  /** The library's MACs: a new card gets none of them. */
  takenMacs: Iterable<string> = [],
): { next: VmConfig; problems: Sentence[] } {
  const next: VmConfig = structuredClone(old);
  const problems: Sentence[] = [];
  if (req.name !== undefined) next.identity.name = req.name;
  if (req.osType !== undefined) next.identity.osType = req.osType;
  if (req.engine !== undefined) next.engine = req.engine;
  if (req.accelerator !== undefined) next.accelerator = req.accelerator;
  if (req.firmware !== undefined) next.firmware = req.firmware;
  if (req.memoryMib !== undefined) next.memoryMib = req.memoryMib;
  if (req.cpus !== undefined) next.cpus = req.cpus;
  if (req.isoPath !== undefined) next.optical = req.isoPath ? { isoPath: path.resolve(req.isoPath) } : null;
  if (req.kernelPath !== undefined) {
    next.directBoot = req.kernelPath ? { ...(old.directBoot ?? { initrdPath: null, append: '' }), kernelPath: path.resolve(req.kernelPath) } : null;
  }
  if (req.initrdPath !== undefined || req.append !== undefined) {
    if (!next.directBoot) problems.push(NEEDS_KERNEL);
    else {
      if (req.initrdPath !== undefined) next.directBoot.initrdPath = req.initrdPath ? path.resolve(req.initrdPath) : null;
      if (req.append !== undefined) next.directBoot.append = req.append;
    }
  }
  // Disks are named as getVm shows them (relative ones inside the VM folder `dir`) or by full path.
  const same = (d: { path: string }, p: string) => d.path === p || path.resolve(dir, d.path) === path.resolve(p);
  for (const p of req.detachDisks ?? []) {
    const i = next.disks.findIndex((d) => same(d, p));
    if (i < 0) problems.push(m('disk.notAttached', { path: p }).about('disk'));
    else next.disks.splice(i, 1);
  }
  if (req.diskPath) {
    const full = path.resolve(req.diskPath);
    if (next.disks.some((d) => same(d, full))) problems.push(m('disk.attached', { path: full }).about('disk'));
    else next.disks.push(existingDisk(full, req.diskFormat));
  }
  if (req.display !== undefined) next.display.adapter = req.display;
  if (req.pointer !== undefined) next.input.pointer = req.pointer;
  if (req.diskBus !== undefined) next.diskBus = req.diskBus;
  if (req.nets !== undefined) next.nics = cardsFor(req.nets, next.nics, next.identity.osType, takenMacs, problems);
  // A request's network, NIC model and forwards are the first card's (a VM without one gets one, attached to nothing unless asked).
  if (req.network !== undefined || req.nicModel !== undefined || req.forwards !== undefined) {
    if (!next.nics.length) next.nics = cardsFor([{ attachment: 'none' }], [], next.identity.osType);
    next.nics = firstCard(next.nics, req);
  }
  if (req.shares !== undefined || req.unshare !== undefined) {
    const changed = applyShareChanges(next.shares, req.shares, req.unshare, (p) => path.resolve(p));
    next.shares = changed.shares;
    problems.push(...changed.problems);
  }
  if (req.shutdownTimeoutMs !== undefined) next.shutdownTimeoutMs = req.shutdownTimeoutMs;
  return { next, problems };
}
