// A clone's network cards get MACs of their own (two VMs with one MAC break a network they
// share), in its config and in the settings its kept snapshots restore; its ids, models,
// attachments and forwards are the source's. A real service in-process, on a library in a
// temp folder: qemu-img makes and copies a 1 MiB disk, no guest is started.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NicConfig } from '../../../../../core/common/config';
import { VmService } from '../../../../../core/node/service/vmService';
import { missingComponent, qemuPresent, skipBecause } from '../../../../support/require';
import { tempHome } from '../../../../support/service';

const missing = missingComponent('QEMU', qemuPresent, 'apt-get install qemu-system-x86 qemu-utils');

describe('clones and MAC addresses', () => {
  if (skipBecause(missing)) return;
  let home = '';
  let service: VmService;
  beforeAll(() => {
    home = tempHome('gh-clone');
    service = new VmService({ home });
  });
  afterAll(async () => {
    await service.powerOffAll();
    fs.rmSync(home, { recursive: true, force: true });
  });

  /** The cards a VM's own vm.json holds, as written. */
  const written = async (vm: string): Promise<{ nics: NicConfig[]; snapshots: { nodes: { settings: { nics: NicConfig[] } }[] } }> =>
    JSON.parse(fs.readFileSync(path.join((await service.getVm(vm)).folder, 'vm.json'), 'utf8'));

  it('two new VMs get different MACs; a clone gets another, with the same card otherwise, and so do its kept snapshots', async () => {
    const forwards = [{ protocol: 'tcp' as const, hostPort: 40222, guestPort: 22 }];
    const src = await service.createVm({ name: 'src', osType: 'other-x64', memoryMib: 64, nicModel: 'e1000', forwards, diskSizeBytes: 2 ** 20 });
    const other = await service.createVm({ name: 'other', osType: 'other-x64', memoryMib: 64, network: 'none' });
    const [card] = src.config.nics;
    expect(card).toMatchObject({ id: 'net0', model: 'e1000', attachment: 'nat', forwards: [{ hostAddress: '127.0.0.1', ...forwards[0] }] });
    expect(other.config.nics[0]!.mac).not.toBe(card!.mac);
    expect((await written('src')).nics).toEqual(src.config.nics);

    await service.takeSnapshot('src', { name: 'one' });
    const shot = (await written('src')).snapshots.nodes[0]!;
    expect(shot.settings.nics).toEqual(src.config.nics);

    const full = await service.cloneVm('src', { name: 'copy', mode: 'full', keepSnapshots: true });
    const [copied] = full.config.nics;
    expect(copied).toEqual({ ...card, mac: copied!.mac });
    expect(copied!.mac).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
    expect([card!.mac, other.config.nics[0]!.mac]).not.toContain(copied!.mac);
    // The snapshot the clone keeps gives back the clone's card on revert, not the source's.
    const kept = await written('copy');
    expect(kept.nics).toEqual(full.config.nics);
    expect(kept.snapshots.nodes[0]!.settings.nics).toEqual(full.config.nics);
    // The source is left as it was.
    expect((await service.getVm('src')).config.nics).toEqual(src.config.nics);

    const atSnapshot = await service.cloneVm('src', { name: 'then', mode: 'full', snapshot: 'one' });
    const macs = [card, copied, atSnapshot.config.nics[0]].map((n) => n!.mac);
    expect(new Set(macs).size).toBe(3);
  }, 60_000);
});
