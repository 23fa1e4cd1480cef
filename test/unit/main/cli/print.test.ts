// `guesthouse show`: one Network line per card (attachment, model, MAC, forwards), and the
// engine a guest runs on apart from what runs its code.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { VmDetails, VmRuntime } from '../../../../core/common/api';
import { nicLine, printVm } from '../../../../main/cli/print';
import { sampleConfig } from '../../../support/sampleConfig';

const fwd = { protocol: 'tcp' as const, hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 };

/** The lines printVm writes for a VM with this config. */
function shown(config: VmDetails['config']): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (lines.push(...String(chunk).trimEnd().split('\n')), true));
  const reason = { key: 'notes.qemu', params: {}, message: 'QEMU.' } as unknown as VmDetails['engineChoice']['reason'];
  printVm({
    id: config.identity.uuid,
    name: config.identity.name,
    state: 'stopped',
    osType: config.identity.osType,
    engineChoice: { engine: 'qemu', reason },
    engineNotes: [],
    folder: '/lib/machines/web',
    config,
  } as unknown as VmDetails);
  return lines;
}

describe('show: network cards', () => {
  afterEach(() => void vi.restoreAllMocks());

  it('names each card with its attachment, model and MAC, and its forwards', () => {
    expect(nicLine({ ...sampleConfig.nics[0]!, forwards: [fwd] })).toBe('net0: nat (virtio-net, MAC 52:54:00:6a:1b:2c) tcp:127.0.0.1:2222->22 (tcp-2222)');
    const nics = [
      { ...sampleConfig.nics[0]!, model: 'e1000' as const },
      { id: 'net1', mac: '52:54:00:00:00:02', model: 'virtio' as const, attachment: 'none' as const, forwards: [] },
    ];
    expect(shown({ ...sampleConfig, nics }).filter((l) => l.startsWith('Network:'))).toEqual([
      'Network:      net0: nat (Intel e1000, MAC 52:54:00:6a:1b:2c)',
      'Network:      net1: none (virtio-net, MAC 52:54:00:00:00:02)',
    ]);
  });

  it('a VM without cards has no network', () => {
    expect(shown({ ...sampleConfig, nics: [] }).filter((l) => l.startsWith('Network:'))).toEqual(['Network:      none']);
  });
});

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

describe('show: the engine line', () => {
  afterEach(() => void vi.restoreAllMocks());

  it('names the accelerator, or how an engine with none runs the guest', () => {
    expect(engineLine({ engine: 'qemu', accelerator: 'kvm' })).toBe('Engine:       auto (running on qemu, kvm)   accelerator: auto');
    expect(engineLine({ engine: 'v86', accelerator: null })).toBe('Engine:       auto (running on v86, x86 to WebAssembly JIT)   accelerator: auto');
    expect(engineLine(undefined)).toBe('Engine:       auto   accelerator: auto');
  });
});

describe('show: shared folders', () => {
  afterEach(() => void vi.restoreAllMocks());

  it('one line per share: folder, tag, read-only or writable, and the mount command', () => {
    const shares = [
      { tag: 'src', path: '/home/me/src', readOnly: false },
      { tag: 'docs', path: '/home/me/docs', readOnly: true },
    ];
    expect(shown({ ...sampleConfig, shares }).filter((l) => l.startsWith('Shared:'))).toEqual([
      'Shared:       /home/me/src as src (writable); in the guest: mount -t 9p -o trans=virtio,version=9p2000.L src /mnt',
      'Shared:       /home/me/docs as docs (read-only); in the guest: mount -t 9p -o trans=virtio,version=9p2000.L docs /mnt',
    ]);
    expect(shown(sampleConfig).some((l) => l.startsWith('Shared:'))).toBe(false);
  });
});
