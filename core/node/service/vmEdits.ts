// What a create, a change, a delete, a repair or a discard does to the library. A request is
// checked whole first (its own sentences, the host, the files it names, the engine's limits,
// the disk images it attaches) and only then are files written: the new VM's folder, a new
// disk (raw or qcow2, under the first free name), the config. A VM that is running is not
// changed; each edit holds the VM's lock while it writes, so no other process runs it meanwhile.
import fs from 'node:fs';
import path from 'node:path';
import type { CreateVmRequest, DeleteOptions, HostBasics, ModifyVmRequest } from '../../common/api';
import { createVmRequestSchema, deleteOptionsSchema, modifyVmRequestSchema } from '../../common/apiSchemas';
import { newDiskFormatFor } from '../../common/capabilities';
import {
  engineKinds,
  firmwareProblems,
  hostProblems,
  parseOrThrow,
  vmConfigSchema,
  type DiskConfig,
  type DiskFormat,
  type VmConfig,
} from '../../common/config';
import { GuesthouseError, throwProblems } from '../../common/errors';
import { m, type Sentence } from '../../common/messages';
import { assertAction } from '../../common/state';
import type { Library, LibraryEntry } from '../library/library';
import { createDiskImage } from '../library/diskImages';
import { firstFreeDiskName, stateAgentMarker, stateFile } from '../shared/vmFolder';
import { engineFor, engineProblems } from './engineChoice';
import { writeVmConfig } from './configWrites';
import { unknownNetworkProblems } from '../library/networks';
import { bootFileProblems, diskImageProblems, forwardProblems, pathProblems } from './preflight';
import type { ServiceEvents } from './serviceEvents';
import type { StateMirror } from './stateMirror';
import { applyChanges, configFromRequest, NEEDS_KERNEL, newShares } from './vmRequests';

export interface EditContext {
  library: Library;
  host: () => Promise<HostBasics>;
  /** The VMs' states: an edit refuses a VM whose state does not allow it. */
  mirror: StateMirror;
  /** Told of each config written. */
  events: ServiceEvents;
}

/** Checks a new VM's request whole, then makes its folder, config and new disk. */
export async function createVm({ library, host: getHost }: EditContext, request: CreateVmRequest): Promise<LibraryEntry> {
  const req = parseOrThrow(createVmRequestSchema, request, 'new VM');
  const problems: Sentence[] = [...newShares(req).problems];
  // Its cards' MACs are none the library's VMs have.
  const config = configFromRequest(
    req,
    library.list().flatMap((e) => e.config.nics.map((n) => n.mac)),
    problems,
  );
  if (!req.kernelPath && (req.initrdPath || req.append)) problems.push(NEEDS_KERNEL);
  const host = await getHost();
  if (req.diskPath && req.diskSizeBytes) problems.push(m('request.diskBoth').about('disk'));
  const added = req.diskSizeBytes ? newDisk(config, req.diskFormat, host, undefined, problems) : undefined;
  // (The new disk is not made yet; pathProblems passes over disks Guesthouse makes.)
  problems.push(...hostProblems(config, host), ...firmwareProblems(config), ...pathProblems(config, undefined), ...engineProblems(config, host, undefined));
  // Whether a port is free is asked at each start (it may be taken now and free then).
  problems.push(...bootFileProblems(config, undefined), ...(await forwardProblems(config, [], false)), ...unknownNetworkProblems(library.home, config));
  if (!problems.length)
    problems.push(
      ...(await diskImageProblems(
        host.qemu.img?.path,
        config.disks.filter((d) => d !== added),
        undefined,
      )),
    );
  throwProblems(problems, 'new VM');
  library.assertNameFree(config.identity.name);

  const validated = parseOrThrow(vmConfigSchema, config, 'new VM');
  const dir = library.create(validated);
  if (added) {
    try {
      await makeDisk(path.join(dir, added.path), added.format, req.diskSizeBytes!, host);
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }
  return { config: validated, dir };
}

/**
 * Adds a new disk, made by Guesthouse in the VM's folder, to `config`: raw where the VM runs
 * on v86 (it reads raw images only), else qcow2 (grows on demand), under the first free name.
 */
function newDisk(config: VmConfig, format: DiskFormat | undefined, host: HostBasics, dir: string | undefined, problems: Sentence[]): DiskConfig {
  const fmt = format ?? newDiskFormatFor(engineFor(config, host).engine);
  if (fmt === 'qcow2' && !host.qemu.img) problems.push(m('request.needsImg', { hint: host.qemu.installHint ?? '' }).about('disk'));
  const disk: DiskConfig = { path: firstFreeDiskName(config.identity.name, fmt, config.disks, dir), format: fmt, owned: true };
  config.disks.push(disk);
  return disk;
}

async function makeDisk(file: string, format: DiskFormat, bytes: number, host: HostBasics): Promise<void> {
  if (format === 'qcow2') return await createDiskImage(host.qemu.img!.path, file, 'qcow2', bytes);
  fs.writeFileSync(file, '', { flag: 'wx' });
  try {
    fs.truncateSync(file, bytes);
  } catch (err) {
    fs.rmSync(file, { force: true });
    // A size the schema allows can still be beyond the filesystem's largest file (ext4: 16 TiB).
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EFBIG' || code === 'EINVAL')
      throw new GuesthouseError('invalid-input', m('disk.tooBigForFs', { size: `${Math.round(bytes / 2 ** 30)} GiB` }).about('disk'));
    throw err;
  }
}

/** Checks a change to a VM that is not running whole, then makes its new disk and writes its config (and renames its folder). */
export async function modifyVm(c: EditContext, ref: string, changes: ModifyVmRequest): Promise<LibraryEntry> {
  const { library, host: getHost, mirror } = c;
  const req = parseOrThrow(modifyVmRequestSchema, changes, 'change');
  const entry = library.find(ref);
  const old = entry.config;
  assertAction('modify', mirror.summary(entry).state, old.identity.name);
  // Held until the files are written: no other process runs or changes the VM meanwhile.
  const release = library.guard(entry.dir, old.identity.name);
  let dir = entry.dir;
  try {
    const { next, problems } = applyChanges(
      old,
      req,
      entry.dir,
      library.list().flatMap((e) => e.config.nics.map((n) => n.mac)),
    );
    const host = await getHost();
    const added = req.diskSizeBytes ? newDisk(next, req.diskFormat, host, entry.dir, problems) : undefined;
    // The new disk is made only once the whole change holds; until then its file does not exist.
    const existing = { ...next, disks: next.disks.filter((d) => d !== added) };
    problems.push(...hostProblems(next, host), ...firmwareProblems(next), ...pathProblems(existing, entry.dir), ...engineProblems(next, host, entry.dir));
    problems.push(...bootFileProblems(next, entry.dir), ...(await forwardProblems(next, [], false)), ...unknownNetworkProblems(library.home, next));
    const attached = existing.disks.filter((d) => !old.disks.some((o) => o.path === d.path));
    if (!problems.length) problems.push(...(await diskImageProblems(host.qemu.img?.path, attached, entry.dir)));
    throwProblems(problems, 'change');
    if (next.identity.name !== old.identity.name) library.assertNameFree(next.identity.name, old.identity.uuid);
    const validated = parseOrThrow(vmConfigSchema, next, 'change');
    const addedFile = added ? path.join(entry.dir, added.path) : null;
    if (addedFile) await makeDisk(addedFile, added!.format, req.diskSizeBytes!, host);
    try {
      if (next.identity.name !== old.identity.name) dir = library.rename(entry.dir, validated.identity.name);
      writeVmConfig(c, dir, validated, 'change');
    } catch (err) {
      if (addedFile) fs.rmSync(addedFile, { force: true });
      throw err;
    }
    return { config: validated, dir };
  } finally {
    release(dir);
  }
}

/** Deletes a VM that is not running, readable or not: what is Guesthouse's in its folder goes. */
export function deleteVm({ library, mirror }: EditContext, ref: string, options: DeleteOptions | undefined): void {
  const opts = parseOrThrow(deleteOptionsSchema, options ?? {}, 'delete options');
  const entry = library.lookup(ref);
  const { id, state, name } =
    'reason' in entry
      ? { ...entry, ...mirror.stateOf(entry.id) }
      : { id: entry.config.identity.uuid, state: mirror.summary(entry).state, name: entry.config.identity.name };
  assertAction('delete', state, name);
  const release = library.guard(entry.dir, name);
  try {
    library.delete(entry, opts.keepDisks ?? false);
  } finally {
    release();
  }
  mirror.forget(id);
}

/** Puts back an inaccessible VM's config from its backup. */
export function repairVm({ library }: EditContext, ref: string): LibraryEntry {
  const entry = library.lookup(ref);
  if (!('reason' in entry)) throw new GuesthouseError('invalid-state', m('vm.notInaccessible', { name: entry.config.identity.name }));
  const release = library.guard(entry.dir, entry.name);
  try {
    return library.restoreBackup(entry);
  } finally {
    release();
  }
}

/** Deletes a saved VM's machine state: its next start boots afresh. */
export function discardSavedState({ library, mirror }: EditContext, ref: string): void {
  const entry = library.find(ref);
  assertAction('discard', mirror.summary(entry).state, entry.config.identity.name);
  const release = library.guard(entry.dir, entry.config.identity.name);
  try {
    for (const engine of engineKinds)
      for (const file of [stateFile(entry.dir, engine), stateAgentMarker(stateFile(entry.dir, engine))]) fs.rmSync(file, { force: true });
  } finally {
    release();
  }
  mirror.forget(entry.config.identity.uuid);
}
