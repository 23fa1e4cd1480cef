import { CONFIG_VERSION, type VmConfig } from '../../core/common/config';

/** A complete, valid config used by unit tests. */
export const sampleConfig: VmConfig = {
  version: CONFIG_VERSION,
  identity: { uuid: '2f1c7a4e-8d2b-4c1a-9f3e-0123456789ab', name: 'web', osType: 'linux-x64', createdAt: '2026-11-26T00:00:00.000Z' },
  cpus: 2,
  memoryMib: 512,
  disks: [{ path: 'web.qcow2', format: 'qcow2', owned: true }],
  optical: null,
  directBoot: null,
  firmware: 'bios',
  chipset: 'pc',
  display: { adapter: 'vga' },
  input: { pointer: 'tablet' },
  diskBus: 'virtio',
  nics: [{ id: 'net0', mac: '52:54:00:6a:1b:2c', model: 'virtio', attachment: 'nat', forwards: [] }],
  shares: [],
  serial: { enabled: true },
  engine: 'auto',
  accelerator: 'auto',
  shutdownTimeoutMs: 30000,
  snapshots: { currentId: null, currentChanged: false, nodes: [] },
};
