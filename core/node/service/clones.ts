// A new VM from an existing one. Full: every disk (and the UEFI variable store) copied into the
// new VM's folder, as it is now or as it was at a snapshot, the snapshot tree kept if asked.
// Linked: from a snapshot, each disk a new qcow2 image over that snapshot's base image (the
// disk as it was then, extracted once into the source's folder, read-only, `-F` explicit).
// The clone gets a new uuid and name; its folder gets its config only once every disk is
// there, so a clone cut short is never listed (and its folder is removed where it can be).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CloneRequest, HostBasics } from '../../common/api';
import { cloneRequestSchema } from '../../common/apiSchemas';
import { parseOrThrow, type DiskConfig, type NicConfig } from '../../common/config';
import { GuesthouseError } from '../../common/errors';
import { m } from '../../common/messages';
import { withSettings } from '../../common/snapshotSettings';
import {
  deleteSnapshot as dropSnapshot,
  emptySnapshotTree,
  findSnapshot,
  type Snapshot,
  type SnapshotSettings,
  type SnapshotTree,
} from '../../common/snapshots';
import { isActionAllowed } from '../../common/state';
import type { Library, LibraryEntry } from '../library/library';
import { convertDisk, copyDisk, createLinkedImage } from '../library/diskImages';
import { extractSnapshotImage } from '../library/snapshotDisks';
import { diskFileName, logsDir, rawUefiVarsFile, snapshotBaseFile, uefiVarsFile, UEFI_VARS_NAME } from '../shared/vmFolder';
import { writeVmConfig } from './configWrites';
import { qemuImgPath, snapshotsUnsupported } from './engineChoice';
import { randomMac, withNewMacs } from './macs';
import { Progress } from './progress';
import type { ServiceEvents } from './serviceEvents';
import type { StateMirror } from './stateMirror';
import type { VmQueue } from './vmQueue';

export interface CloneContext {
  library: Library;
  host: () => Promise<HostBasics>;
  mirror: StateMirror;
  events: ServiceEvents;
  queue: VmQueue;
}

/**
 * The tree with its images renamed for the clone and its cards' MACs replaced by the clone's
 * (`macs`: old → new, grown for a card only a snapshot has); a snapshot on an image the clone
 * has not is left out.
 */
function renamedTree(tree: SnapshotTree, names: ReadonlyMap<string, string>, macs: Map<string, string>): SnapshotTree {
  let out = tree;
  for (const node of tree.nodes) if (node.disks.some((d) => !names.has(d))) out = dropSnapshot(out, node.id);
  const newMac = (mac: string) => {
    if (!macs.has(mac)) macs.set(mac, randomMac([...macs.keys(), ...macs.values()]));
    return macs.get(mac)!;
  };
  // The settings a revert restores name the disks and the cards too.
  const settings = (s: SnapshotSettings | null) => {
    if (!s) return s;
    const next = { ...s };
    if (Array.isArray(s.disks)) next.disks = (s.disks as DiskConfig[]).map((d) => ({ ...d, path: names.get(d.path) ?? d.path, owned: true }));
    if (Array.isArray(s.nics)) next.nics = (s.nics as NicConfig[]).map((n) => (typeof n?.mac === 'string' ? { ...n, mac: newMac(n.mac) } : n));
    return next;
  };
  return {
    ...out,
    nodes: out.nodes.map((n) => ({
      ...n,
      disks: n.disks.map((d) => names.get(d)!),
      vmstateDisk: n.vmstateDisk === null ? null : (names.get(n.vmstateDisk) ?? n.vmstateDisk),
      settings: settings(n.settings),
    })),
  };
}

export async function cloneVm(c: CloneContext, ref: string, request: CloneRequest): Promise<LibraryEntry> {
  const req = parseOrThrow(cloneRequestSchema, request, 'request');
  const source = c.library.find(ref);
  const { uuid, name } = source.config.identity;
  if (req.mode === 'linked' && req.snapshot === undefined) throw new GuesthouseError('invalid-input', m('clone.linkedNeedsSnapshot'));
  if (req.mode === 'linked' && req.keepSnapshots) throw new GuesthouseError('invalid-input', m('clone.linkedKeepsNone'));
  if (req.snapshot !== undefined && req.keepSnapshots) throw new GuesthouseError('invalid-input', m('clone.snapshotOrTree'));
  const host = await c.host();
  const qemuImg = qemuImgPath(host);
  return c.queue.run(uuid, async () => {
    const entry = c.library.find(uuid);
    const state = c.mirror.summary(entry).state;
    if (!isActionAllowed('clone', state)) throw new GuesthouseError('invalid-state', m('clone.stopFirst', { name }));
    const snapshot: Snapshot | null = req.snapshot !== undefined ? findSnapshot(entry.config.snapshots, req.snapshot) : null;
    if (req.mode === 'linked') {
      const reason = snapshotsUnsupported(entry, host);
      if (reason) throw new GuesthouseError('invalid-state', reason);
    }
    c.library.assertNameFree(req.name);
    // What the clone is: the source now, or its settings at the snapshot (the disks come from there).
    const base = snapshot ? withSettings(entry.config, snapshot) : entry.config;
    const release = c.library.guard(entry.dir, name);
    const dir = path.join(c.library.root, req.name);
    const progress = new Progress(c.events, uuid, 'clone');
    try {
      return await progress.run(async () => {
        fs.mkdirSync(c.library.root, { recursive: true });
        fs.mkdirSync(dir);
        fs.mkdirSync(logsDir(dir));
        try {
          const names = new Map<string, string>();
          const disks: DiskConfig[] = [];
          for (const [i, disk] of base.disks.entries()) {
            const src = path.resolve(entry.dir, disk.path);
            const format = req.mode === 'linked' || snapshot ? 'qcow2' : disk.format;
            const dest = path.join(dir, diskFileName(req.name, format, i + 1));
            const onProgress = (percent: number) => progress.step(m('progress.copying', { path: src }), percent);
            progress.step(m('progress.copying', { path: src }), 0);
            if (req.mode === 'linked') {
              const baseImage = snapshotBaseFile(entry.dir, snapshot!.id, i);
              if (!fs.existsSync(baseImage)) await extractSnapshotImage(qemuImg, src, snapshot!.id, baseImage, onProgress);
              await createLinkedImage(qemuImg, baseImage, dest);
            } else if (snapshot) {
              await convertDisk(qemuImg, src, dest, { format: 'qcow2', sourceFormat: 'qcow2', snapshotTag: snapshot.id, onProgress });
            } else {
              await copyDisk(qemuImg, src, dest, { keepSnapshots: req.keepSnapshots ?? false, format: disk.format, onProgress });
            }
            names.set(disk.path, path.basename(dest));
            disks.push({ path: path.basename(dest), format, owned: true });
          }
          if (base.firmware === 'uefi') {
            const vars = fs.existsSync(uefiVarsFile(entry.dir)) ? uefiVarsFile(entry.dir) : rawUefiVarsFile(entry.dir);
            if (fs.existsSync(vars)) {
              const dest = uefiVarsFile(dir);
              const atSnapshot = snapshot?.disks.includes(UEFI_VARS_NAME) && vars === uefiVarsFile(entry.dir);
              if (atSnapshot) await convertDisk(qemuImg, vars, dest, { format: 'qcow2', sourceFormat: 'qcow2', snapshotTag: snapshot!.id });
              else if (vars === uefiVarsFile(entry.dir)) await copyDisk(qemuImg, vars, dest, { keepSnapshots: req.keepSnapshots ?? false, format: 'qcow2' });
              else await convertDisk(qemuImg, vars, dest, { format: 'qcow2', sourceFormat: 'raw' });
              names.set(UEFI_VARS_NAME, UEFI_VARS_NAME);
            }
          }
          // New MACs (none the library's VMs have): two VMs with one MAC break a network they share.
          const macs = withNewMacs(
            base.nics,
            c.library.list().flatMap((e) => e.config.nics.map((n) => n.mac)),
          );
          // Last: until its config is there, the clone is not a VM of the library.
          const clone = writeVmConfig(c, dir, {
            ...base,
            identity: { ...base.identity, uuid: randomUUID(), name: req.name, createdAt: new Date().toISOString() },
            disks,
            nics: macs.nics,
            snapshots: req.keepSnapshots ? renamedTree(entry.config.snapshots, names, macs.renamed) : emptySnapshotTree(),
          });
          progress.done(m('progress.cloned', { name: req.name }));
          return clone;
        } catch (err) {
          fs.rmSync(dir, { recursive: true, force: true });
          throw err;
        }
      });
    } finally {
      release();
    }
  });
}
