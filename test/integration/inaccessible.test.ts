// A VM whose vm.json cannot be read is listed as inaccessible with the reason, refuses
// everything with that sentence, keeps its name taken, and can be repaired from the backup
// the previous save kept, or deleted. Nothing is rewritten without being asked.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { m } from '../../core/common/messages';
import { CONFIG_VERSION } from '../../core/common/config';
import { VmService } from '../../core/node/service/vmService';
import { tempHome } from '../support/service';

const corruptions: { kind: string; corrupt: (good: string) => string; reason: (file: string) => string }[] = [
  { kind: 'truncated', corrupt: (good) => good.slice(0, Math.floor(good.length / 2)), reason: (file) => m('config.notJson', { source: file }).message },
  { kind: 'not-json', corrupt: () => 'this is not a VM\n', reason: (file) => m('config.notJson', { source: file }).message },
  {
    kind: 'version-99',
    corrupt: (good) => JSON.stringify({ ...JSON.parse(good), version: 99 }),
    reason: (file) => m('config.newer', { source: file, version: 99, current: CONFIG_VERSION }).message,
  },
  { kind: 'memory-lots', corrupt: (good) => JSON.stringify({ ...JSON.parse(good), memoryMib: 'lots' }), reason: () => m('memory.number').message },
];

describe('a VM whose vm.json cannot be read', () => {
  let home: string;
  let service: VmService;
  const file = (name: string, f = 'vm.json') => path.join(home, 'machines', name, f);

  beforeAll(() => {
    home = tempHome();
    service = new VmService({ home });
  });
  afterAll(async () => {
    await service.powerOffAll();
  });

  for (const { kind, corrupt, reason } of corruptions) {
    it(`${kind}: listed as inaccessible with the reason; show, start and modify say so; its name stays taken; repair puts back the last good config`, async () => {
      const name = `vm-${kind}`;
      const created = await service.createVm({ name, memoryMib: 64 });
      await service.modifyVm(name, { memoryMib: 96 }); // the config before this save becomes the backup
      fs.writeFileSync(file(name), corrupt(fs.readFileSync(file(name), 'utf8')));

      const listed = (await service.listVms()).find((v) => v.name === name);
      expect(listed?.inaccessible?.message).toBe(reason(file(name)));
      expect(listed?.id).toBe(created.id); // the id stays, so a GUI keeps it selected
      const sentence = m('vm.inaccessible', { name, reason: reason(file(name)) }).message;
      await expect(service.getVm(name)).rejects.toThrow(sentence);
      await expect(service.startVm(name)).rejects.toThrow(sentence);
      await expect(service.modifyVm(name, { cpus: 1 })).rejects.toThrow(sentence);
      await expect(service.createVm({ name, memoryMib: 64 })).rejects.toThrow(m('vm.exists', { name }).message);
      await expect(service.createVm({ name: name.toUpperCase(), memoryMib: 64 })).rejects.toThrow(m('vm.exists', { name: name.toUpperCase() }).message);
      const broken = fs.readFileSync(file(name), 'utf8');

      const repaired = await service.repairVm(name);
      expect(repaired.memoryMib).toBe(64);
      expect(repaired.id).toBe(created.id);
      expect((await service.listVms()).find((v) => v.name === name)?.inaccessible).toBeUndefined();
      // The unreadable file is kept beside it, as it was.
      const kept = fs.readdirSync(path.dirname(file(name))).filter((f) => f.startsWith('vm.json.broken-'));
      expect(kept).toHaveLength(1);
      expect(fs.readFileSync(file(name, kept[0]!), 'utf8')).toBe(broken);
      await expect(service.repairVm(name)).rejects.toThrow(m('vm.notInaccessible', { name }).message);
    });
  }

  it('with no backup, repair says how to remove it and changes nothing', async () => {
    await service.createVm({ name: 'fresh', memoryMib: 64 });
    fs.writeFileSync(file('fresh'), '{"version": 2');
    await expect(service.repairVm('fresh')).rejects.toThrow(m('vm.noBackup', { name: 'fresh', path: file('fresh') }).message);
    expect(fs.readFileSync(file('fresh'), 'utf8')).toBe('{"version": 2');
    expect(fs.readdirSync(path.dirname(file('fresh'))).sort()).toEqual(['logs', 'vm.json']);
  });

  it("an inaccessible VM can be deleted: what is Guesthouse's goes, its disks go unless kept", async () => {
    // With a backup that names its disk: the disk goes with it.
    await service.createVm({ name: 'gone', memoryMib: 64, diskSizeBytes: 2 ** 20, diskFormat: 'raw' });
    await service.modifyVm('gone', { memoryMib: 80 });
    fs.writeFileSync(file('gone'), 'garbage');
    expect((await service.listVms()).find((v) => v.name === 'gone')?.inaccessible).toBeTruthy();
    await service.deleteVm('gone');
    expect((await service.listVms()).some((v) => v.name === 'gone')).toBe(false);
    expect(fs.existsSync(path.join(home, 'machines', 'gone'))).toBe(false);

    // Kept disks stay, and so does the folder holding them.
    await service.createVm({ name: 'keeper', memoryMib: 64, diskSizeBytes: 2 ** 20, diskFormat: 'raw' });
    await service.modifyVm('keeper', { memoryMib: 80 });
    fs.writeFileSync(file('keeper'), 'garbage');
    await service.deleteVm('keeper', { keepDisks: true });
    expect(fs.readdirSync(path.join(home, 'machines', 'keeper'))).toEqual(['keeper.raw']);

    // Without a backup nobody knows which files are its disks: they stay.
    await service.deleteVm('fresh');
    expect((await service.listVms()).some((v) => v.name === 'fresh')).toBe(false);
    await service.createVm({ name: 'fresh', memoryMib: 64 });
  });
});
