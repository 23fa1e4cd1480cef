// How a VM runs on this host, decided once per start and sent to its guest host as the
// BootSpec: the checks a start must pass (the host, its files, ports and disks other guests
// hold), the engine, whether a saved state is restored, and each engine's details (QEMU's
// binary, accelerator and UEFI flash; v86's firmware and limits). Or why it cannot run.
import fs from 'node:fs';
import path from 'node:path';
import type { HostInfo } from '../../common/api';
import { capabilitiesOf, engineLimitProblems } from '../../common/capabilities';
import { firmwareProblems, hostProblems, osPresets } from '../../common/config';
import { GuesthouseError, throwProblems } from '../../common/errors';
import { m } from '../../common/messages';
import type { BootSpec } from '../../common/protocol';
import { pickAccelerator } from '../host/hostProbe';
import type { LibraryEntry } from '../library/library';
import { ensureUefiVars } from '../library/uefiVars';
import { savedStateEngine, stateAgentMarker, stateFile } from '../shared/vmFolder';
import { runtimeDir } from '../shared/paths';
import { unknownNetworkProblems } from '../library/networks';
import { engineFor, qemuImgPath } from './engineChoice';
import { joinPrivateNetworks } from './privateNetworks';
import { bootFileProblems, diskInUseProblems, forwardProblems, pathProblems, type RunningVm } from './preflight';

export interface BootContext {
  /** The library's home (its runtime folder holds the guest's sockets). */
  home: string;
  /** Console ring buffer per guest. */
  ringBytes?: number;
  env: NodeJS.ProcessEnv;
  /** The VMs this service runs but this one: their forwards and disks are taken. */
  running: () => RunningVm[];
}

/** Decides how to run a VM on this host, or says why it cannot run. */
export async function bootSpec(entry: LibraryEntry, host: HostInfo, context: BootContext): Promise<BootSpec> {
  const { config, dir } = entry;
  throwProblems(
    [
      ...hostProblems(config, host),
      ...firmwareProblems(config),
      ...pathProblems(config, dir),
      ...bootFileProblems(config, dir),
      ...unknownNetworkProblems(context.home, config),
    ],
    'VM',
  );
  const running = context.running();
  throwProblems([...diskInUseProblems(config, dir, running), ...(await forwardProblems(config, running))], 'VM');
  const choice = engineFor(config, host);
  if (!choice.engine) throw new GuesthouseError('engine-missing', choice.reason);
  const saved = savedStateEngine(dir);
  if (saved && saved !== choice.engine) {
    throw new GuesthouseError('invalid-state', m('vm.stateOtherEngine', { name: config.identity.name, saved, engine: choice.engine }));
  }
  const common = {
    config,
    vmDir: dir,
    runtimeDir: runtimeDir(context.home),
    ringBytes: context.ringBytes ?? 256 * 1024,
    silenceMs: (Number(context.env.GUESTHOUSE_SILENCE_S) > 0 ? Number(context.env.GUESTHOUSE_SILENCE_S) : 60) * 1000,
    stateFile: stateFile(dir, choice.engine),
    restoreState: saved === choice.engine,
  };
  const initrd = capabilitiesOf(choice.engine).initrdAt && config.directBoot?.initrdPath ? path.resolve(dir, config.directBoot.initrdPath) : null;
  throwProblems(engineLimitProblems(choice.engine, config, initrd ? fs.statSync(initrd).size : 0), 'VM');
  if (choice.engine === 'v86') {
    // The host probe found the firmware; it is not looked for again at each start.
    const { bios, vgaBios, wasm } = host.v86;
    if (!bios || !wasm) throw new GuesthouseError('engine-missing', host.v86.detail);
    return { ...common, engine: 'v86', v86: { bios, vgaBios, wasm } };
  }
  const binary = host.qemu.binaries.find((b) => b.arch === osPresets[config.identity.osType].arch) ?? host.qemu.binaries.find((b) => b.arch === 'x86_64');
  if (!binary) throw new GuesthouseError('engine-missing', host.qemu.installHint ?? m('qemu.notInstalled'));
  const accel = pickAccelerator(config.accelerator, host);
  if (accel.error) throw new GuesthouseError('engine-missing', accel.error);
  let uefi: { code: string; vars: string } | undefined;
  if (config.firmware === 'uefi') {
    if (!host.uefi.code || !host.uefi.vars) throw new GuesthouseError('engine-missing', host.uefi.detail);
    uefi = { code: host.uefi.code, vars: await ensureUefiVars(dir, { code: host.uefi.code, vars: host.uefi.vars }, qemuImgPath(host)) };
  }
  // Last, once nothing else can refuse the start: each card on a private network joins its switch.
  const links = await joinPrivateNetworks(context.home, config);
  const privateLinks = Object.keys(links).length ? { privateLinks: links } : {};
  // A state saved before the guest agent's channel existed restores into a machine without it.
  const noGuestAgent = common.restoreState && !fs.existsSync(stateAgentMarker(common.stateFile)) ? { noGuestAgent: true } : {};
  return {
    ...common,
    engine: 'qemu',
    qemu: { binary: binary.path, accelerator: accel.accelerator, ...(uefi ? { uefi } : {}), ...privateLinks, ...noGuestAgent },
  };
}
