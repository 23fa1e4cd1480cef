// `guesthouse info`: the engine a guest runs on and what runs its code are separate facts.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { VmDetails, VmRuntime } from '../../../../core/common/api';
import { printVm } from '../../../../main/cli/print';
import { sampleConfig } from '../../../support/sampleConfig';

const engineLine = (runtime: Partial<VmRuntime> | undefined) => {
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((text) => lines.push(String(text)) > 0);
  const vm = {
    name: 'web',
    id: sampleConfig.identity.uuid,
    state: runtime ? 'running' : 'stopped',
    osType: 'linux-x64',
    engineChoice: { engine: 'qemu', reason: { message: 'The VM is set to QEMU.' } },
    engineNotes: [],
    folder: '/vms/web',
    config: sampleConfig,
    ...(runtime ? { runtime: { guestHostPid: 1, startedAt: '', ...runtime } } : {}),
  } as unknown as VmDetails;
  printVm(vm);
  return lines.find((l) => l.startsWith('Engine:'))?.trimEnd();
};

afterEach(() => vi.restoreAllMocks());

describe('printVm', () => {
  it('names the accelerator, or how an engine with none runs the guest', () => {
    expect(engineLine({ engine: 'qemu', accelerator: 'kvm' })).toBe('Engine:       auto (running on qemu, kvm)   accelerator: auto');
    expect(engineLine({ engine: 'v86', accelerator: null })).toBe('Engine:       auto (running on v86, x86 to WebAssembly JIT)   accelerator: auto');
    expect(engineLine(undefined)).toBe('Engine:       auto   accelerator: auto');
  });
});
