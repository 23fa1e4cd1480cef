// The wizard's memory zones, as VirtualBox draws them: comfortable up to half the host, then a warning, refused beyond it.
import { describe, expect, it } from 'vitest';
import type { HostInfo } from '../../../../core/common/api';
import { describeEngine } from '../../../../renderer/src/components/NewVmWizard';
import { memoryZone } from '../../../../renderer/src/components/SettingsParts';

describe('memory zones', () => {
  const host = { memoryTotalMib: 8192 };

  it('is comfortable up to half the host’s memory', () => {
    expect(memoryZone(16, host)).toBe('comfortable');
    expect(memoryZone(4096, host)).toBe('comfortable');
  });

  it('warns above half and up to all of it', () => {
    expect(memoryZone(4097, host)).toBe('warning');
    expect(memoryZone(8192, host)).toBe('warning');
  });

  it('refuses more than the host has', () => {
    expect(memoryZone(8193, host)).toBe('refused');
  });
});

describe('which engine the wizard says will run the VM', () => {
  const t = (k: string, o?: Record<string, string>) => `${k}${o ? ` ${JSON.stringify(o)}` : ''}`;
  const host = {
    autoEngine: { engine: 'qemu', reason: { message: 'QEMU was found.' } },
    accelerators: [{ kind: 'kvm', usable: true, present: true, detail: { message: '' } }],
  } as unknown as HostInfo;

  it('names the engine from its record, and an accelerator only for an engine that has them', () => {
    expect(describeEngine(host, 'auto', t, (s) => s.message)).toBe('wizard.willUse {"engine":"QEMU","accelerator":"KVM"}');
    expect(describeEngine(host, 'v86', t, (s) => s.message)).toBe('wizard.willUse {"engine":"v86","accelerator":"wizard.v86"}');
    expect(describeEngine({ ...host, accelerators: [] }, 'qemu', t, (s) => s.message)).toBe('wizard.willUse {"engine":"QEMU","accelerator":"wizard.tcg"}');
  });
});
