// Which engine runs a VM on this host and why, what that engine cannot do with the VM (its
// limits, as problems at create and modify), and what the user should know about how it runs
// (the notes in the VM's details: the engine's gaps, a paused log, a guest with no sign of life).
import fs from 'node:fs';
import path from 'node:path';
import type { HostBasics, VmRuntime } from '../../common/api';
import { capabilitiesOf, engineLimitProblems, whyNot } from '../../common/capabilities';
import { sharesBlockMachineState } from '../../common/shares';
import type { EngineKind, VmConfig } from '../../common/config';
import { GuesthouseError } from '../../common/errors';
import { m, type Sentence, type SentenceData } from '../../common/messages';
import type { LibraryEntry } from '../library/library';
import type { RunningGuest } from './runningGuest';

/** qemu-img on this host (disks, snapshots, UEFI variable stores), or the sentence on how to install it. */
export function qemuImgPath(host: HostBasics): string {
  if (!host.qemu.img) throw new GuesthouseError('engine-missing', host.qemu.installHint ?? m('qemu.notInstalled'));
  return host.qemu.img.path;
}

/** Which engine a VM runs on here: its own choice, or for auto QEMU where found, else v86. */
export function engineFor(config: VmConfig, host: HostBasics): { engine: EngineKind | null; reason: SentenceData } {
  if (config.engine === 'qemu')
    return host.qemu.binaries.length
      ? { engine: 'qemu', reason: m('engine.setQemu') }
      : { engine: null, reason: host.qemu.installHint ?? m('qemu.notInstalled') };
  if (config.engine === 'v86') return host.v86.available ? { engine: 'v86', reason: m('engine.setV86') } : { engine: null, reason: host.v86.detail };
  return host.autoEngine;
}

/** The limits of the engine the VM will run on (v86: raw disks only, 32-bit, one CPU…), from its capabilities record. */
export function engineProblems(config: VmConfig, host: HostBasics, dir: string | undefined): Sentence[] {
  const engine = engineFor(config, host).engine;
  if (!engine) return [];
  const initrd = capabilitiesOf(engine).initrdAt && config.directBoot?.initrdPath ? path.resolve(dir ?? '.', config.directBoot.initrdPath) : null;
  const size = initrd && fs.existsSync(initrd) ? fs.statSync(initrd).size : 0;
  return engineLimitProblems(engine, config, size);
}

/**
 * Why this VM cannot hold snapshots here, or null: its engine's record first (`live`: of the
 * running machine, which has no shared folder), then its disks (internal snapshots need qcow2).
 */
export function snapshotsUnsupported(entry: LibraryEntry, host: HostBasics, engine = engineFor(entry.config, host).engine, live = false): Sentence | null {
  const { config, dir } = entry;
  const caps = engine ? capabilitiesOf(engine) : null;
  const refused = caps && whyNot(live ? caps.liveSnapshots : caps.snapshots, { name: config.identity.name });
  if (refused) return refused;
  // QEMU cannot migrate a virtio-9p device: a running VM with a shared folder keeps no machine state.
  const shared = live && sharesBlockMachineState(config.shares, config.identity.name, 'snapshot');
  if (shared) return shared;
  if (!config.disks.length) return m('snapshot.noDisks');
  const raw = config.disks.find((d) => d.format !== 'qcow2');
  if (raw) return m('disk.notQcow2', { path: path.resolve(dir, raw.path), format: raw.format });
  return null;
}

/** The notes in a VM's details: its engine's gaps, and first what its running guest needs said. */
export function engineNotes(
  config: VmConfig,
  engine: EngineKind | null,
  guest: Pick<RunningGuest, 'pausedLogs'> | undefined,
  runtime: VmRuntime | undefined,
): Sentence[] {
  const notes: Sentence[] = engine
    ? capabilitiesOf(engine)
        .notes(config)
        .map((key) => m(key))
    : [];
  for (const [log, pause] of guest?.pausedLogs ?? []) {
    const name = config.identity.name;
    notes.unshift(pause === 'failed' ? m('notes.logFailed', { name }) : m(log === 'console' ? 'notes.consoleLogFull' : 'notes.engineLogFull', { name }));
  }
  if (runtime?.silentForS) notes.unshift(m('notes.noSignOfLife', { seconds: runtime.silentForS, accel: (runtime.accelerator ?? '').toUpperCase() }));
  return notes;
}
