import { describe, expect, it } from 'vitest';
import {
  capabilitiesOf,
  capabilitySummary,
  engineCapabilities,
  engineLimitProblems,
  executionOf,
  isHardwareAccelerator,
  newDiskFormatFor,
  takes,
  whyNot,
  type Choices,
  type Support,
} from '../../../../core/common/capabilities';
import { engineKinds, firmwareKinds, nicAttachments } from '../../../../core/common/config';
import { en, ko, type MessageKey } from '../../../../core/common/messages';
import { diskBuses, diskFormats, displayAdapters, nicModels } from '../../../../core/common/presets';
import { sampleConfig } from '../../../support/sampleConfig';

/** Every catalog key a record names: each "no", each refused choice, each limit, each own way of running. */
function keysOf(engine: (typeof engineKinds)[number]): MessageKey[] {
  const caps = capabilitiesOf(engine);
  const keys: MessageKey[] = [];
  for (const value of Object.values(caps) as unknown[]) {
    if (value && typeof value === 'object' && 'why' in value) keys.push((value as { why: MessageKey }).why);
  }
  if (caps.ownExecution) keys.push(caps.ownExecution);
  return keys;
}

describe('engine capabilities', () => {
  it('has one record per engine, each naming its engine', () => {
    expect(Object.keys(engineCapabilities).sort()).toEqual([...engineKinds].sort());
    for (const kind of engineKinds) expect(capabilitiesOf(kind).kind).toBe(kind);
  });

  it('says each "no" with a sentence in both catalogs', () => {
    for (const kind of engineKinds) {
      const keys = keysOf(kind);
      for (const key of keys) {
        expect(en[key], `${kind} ${key}`).toBeTruthy();
        expect(ko[key], `${kind} ${key}`).toBeTruthy();
      }
    }
    // The new sentences are Korean in ko.ts, not English copied over.
    for (const key of ['caps.v86Execution', 'caps.v86Devices', 'caps.v86Network', 'caps.sharedFolders', 'caps.guestAgent'] as const) {
      expect(ko[key]).not.toBe(en[key]);
      expect(ko[key]).toMatch(/[\uac00-\ud7a3]/);
    }
  });

  it('gives a reason wherever an engine refuses some values of a setting', () => {
    const everything: [string, readonly string[]][] = [
      ['diskFormats', diskFormats],
      ['diskBuses', diskBuses],
      ['displayAdapters', displayAdapters],
      ['nicModels', nicModels],
      ['networkAttachments', nicAttachments],
      ['firmware', firmwareKinds],
      ['archs', ['x86_64', 'i386']],
    ];
    for (const kind of engineKinds) {
      const caps = capabilitiesOf(kind) as unknown as Record<string, Choices<string>>;
      for (const [name, all] of everything) {
        const choices = caps[name]!;
        for (const v of choices.values) expect(all, `${kind} ${name}`).toContain(v);
        if (!all.every((v) => takes(choices, v))) expect(choices.why, `${kind} ${name}`).toBeDefined();
      }
    }
  });

  it('makes new disks in a format the engine takes', () => {
    for (const kind of engineKinds) expect(takes(capabilitiesOf(kind).diskFormats, capabilitiesOf(kind).newDiskFormat)).toBe(true);
    expect(newDiskFormatFor('qemu')).toBe('qcow2');
    expect(newDiskFormatFor('v86')).toBe('raw');
    expect(newDiskFormatFor(null)).toBe('qcow2');
  });

  it('QEMU: snapshots, live and offline; v86: none, saying why', () => {
    const qemu = capabilitiesOf('qemu');
    expect([qemu.snapshots, qemu.liveSnapshots, qemu.savedState]).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    const v86 = capabilitiesOf('v86');
    expect(v86.snapshots).toEqual({ ok: false, why: 'snapshot.v86' });
    expect(v86.liveSnapshots).toEqual({ ok: false, why: 'snapshot.v86' });
    expect(v86.savedState.ok).toBe(true);
    expect(whyNot(qemu.snapshots, { name: 'web' })).toBeNull();
    const said = whyNot(v86.snapshots, { name: 'web' })!;
    expect(said.key).toBe('snapshot.v86');
    expect(said.message).toMatch(/^"web" runs on v86, whose raw disks cannot hold snapshots/);
  });

  it('QEMU shares folders, v86 does not (with its sentence, said for a VM with a share); only QEMU has a guest agent channel', () => {
    const agent = (kind: (typeof engineKinds)[number]): Support => capabilitiesOf(kind).guestAgent;
    expect(agent('qemu')).toEqual({ ok: true });
    expect(agent('v86')).toEqual({ ok: false, why: 'caps.guestAgent' });
    expect(capabilitiesOf('qemu').sharedFolders).toEqual({ ok: true });
    expect(capabilitiesOf('v86').sharedFolders).toEqual({ ok: false, why: 'caps.sharedFolders' });
    const shared = {
      ...sampleConfig,
      identity: { ...sampleConfig.identity, osType: 'linux-x86' as const },
      cpus: 1,
      disks: [],
      nics: [],
      shares: [{ tag: 'src', path: '/src', readOnly: false }],
    };
    expect(engineLimitProblems('qemu', shared)).toEqual([]);
    expect(engineLimitProblems('v86', shared).map(String)).toEqual([
      'The v86 engine cannot share host folders with a guest yet; use QEMU, or copy files over on a disk image.',
    ]);
  });

  it('keeps the engine and the accelerator apart', () => {
    expect(capabilitiesOf('qemu').accelerators).toEqual(['kvm', 'hvf', 'whpx', 'tcg']);
    expect(capabilitiesOf('v86').accelerators).toEqual([]);
    expect(capabilitiesOf('v86').inGuestHost).toBe(true);
    expect(capabilitiesOf('qemu').inGuestHost).toBe(false);
    expect(executionOf('qemu', 'kvm')).toBe('kvm');
    const v86 = executionOf('v86', null);
    expect(typeof v86 === 'string' ? v86 : v86.message).toBe('x86 to WebAssembly JIT');
    expect(executionOf('qemu', null)).toBe('');
    expect(['kvm', 'hvf', 'whpx'].every((a) => isHardwareAccelerator(a as 'kvm'))).toBe(true);
    expect([isHardwareAccelerator('tcg'), isHardwareAccelerator(null), isHardwareAccelerator(undefined)]).toEqual([false, false, false]);
  });

  it("says an engine's limits from its record, in the form's order", () => {
    const big = { ...sampleConfig, cpus: 2, memoryMib: 4096, firmware: 'uefi' as const, disks: [{ path: 'a.qcow2', format: 'qcow2' as const, owned: true }] };
    expect(engineLimitProblems('qemu', big)).toEqual([]);
    const problems = engineLimitProblems('v86', big);
    expect(problems.map((p) => [p.key, p.field])).toEqual([
      ['v86.arch', 'osType'],
      ['v86.biosOnly', 'firmware'],
      ['v86.cpus', 'cpus'],
      ['v86.memoryMax', 'memory'],
      ['v86.rawOnly', 'disk'],
    ]);
    expect(problems[3]!.message).toBe('The v86 engine supports at most 2048 MiB of memory.');
    expect(problems[4]!.message).toBe('The v86 engine reads raw disk images only; convert a.qcow2 with "qemu-img convert -O raw", or use QEMU.');
    const small = { ...sampleConfig, identity: { ...sampleConfig.identity, osType: 'other-x86' as const }, cpus: 1, memoryMib: 64 };
    const three = [1, 2, 3].map((n) => ({ path: `d${n}.img`, format: 'raw' as const, owned: true }));
    expect(engineLimitProblems('v86', { ...small, disks: three }).map(String)).toEqual(['The v86 engine supports at most 2 hard disks.']);
    const withInitrd = { ...small, disks: [], directBoot: { kernelPath: 'k', initrdPath: 'i', append: '' } };
    expect(engineLimitProblems('v86', withInitrd, 3 * 2 ** 20).map(String)).toEqual([
      'With an initrd the v86 engine needs at least 68 MiB of memory (it loads the initrd at 64 MiB).',
    ]);
    expect(engineLimitProblems('v86', { ...withInitrd, memoryMib: 68 }, 3 * 2 ** 20)).toEqual([]);
  });

  it('sums each engine up for the CLI help', () => {
    expect(capabilitySummary('qemu')).toBe(
      'qemu: disks qcow2|raw, firmware bios|uefi, display vga|virtio|none, nic virtio|e1000|rtl8139, snapshots live and offline, saved state yes',
    );
    expect(capabilitySummary('v86')).toBe('v86: disks raw, firmware bios, display vga|none, nic none, snapshots none, saved state yes');
  });
});
