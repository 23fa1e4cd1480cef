// Which engine runs a VM on this host and why, what that engine cannot do with the VM (its
// limits, as problems at create and modify), and what the user should know about how it runs
// (the notes in the VM's details: the engine's gaps, a paused log, a guest with no sign of life).
import fs from 'node:fs';
import path from 'node:path';
import type { HostBasics, VmRuntime } from '../../common/api';
import { attachedNics, v86Problems, type EngineKind, type VmConfig } from '../../common/config';
import { GuesthouseError } from '../../common/errors';
import { m, type Sentence, type SentenceData } from '../../common/messages';
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

/** The engine's limits, where the VM will run on v86 (raw disks only, 32-bit, one CPU…). */
export function engineProblems(config: VmConfig, host: HostBasics, dir: string | undefined): Sentence[] {
  if (engineFor(config, host).engine !== 'v86') return [];
  const initrd = config.directBoot?.initrdPath ? path.resolve(dir ?? '.', config.directBoot.initrdPath) : null;
  const size = initrd && fs.existsSync(initrd) ? fs.statSync(initrd).size : 0;
  return v86Problems(config, size);
}

/** The notes in a VM's details: its engine's gaps, and first what its running guest needs said. */
export function engineNotes(
  config: VmConfig,
  engine: EngineKind | null,
  guest: Pick<RunningGuest, 'pausedLogs'> | undefined,
  runtime: VmRuntime | undefined,
): Sentence[] {
  const notes: Sentence[] = [];
  if (engine === 'v86') {
    notes.push(m(config.disks.length ? 'notes.v86Disk' : 'notes.v86NoDisk'));
    if (attachedNics(config.nics).length) notes.push(m('notes.v86NoNetwork'));
    notes.push(m('notes.v86Save'));
    notes.push(m(config.display.adapter === 'none' ? 'notes.v86DevicesHeadless' : 'notes.v86Devices'));
  } else if (engine === 'qemu') {
    notes.push(m('notes.qemu'));
  }
  for (const [log, pause] of guest?.pausedLogs ?? []) {
    const name = config.identity.name;
    notes.unshift(pause === 'failed' ? m('notes.logFailed', { name }) : m(log === 'console' ? 'notes.consoleLogFull' : 'notes.engineLogFull', { name }));
  }
  if (runtime?.silentForS) notes.unshift(m('notes.noSignOfLife', { seconds: runtime.silentForS, accel: runtime.accelerator.toUpperCase() }));
  return notes;
}
