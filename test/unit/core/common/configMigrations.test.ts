// Version 3's one `network` becomes version 4's list of cards, in the config and in the
// settings each snapshot keeps, with one MAC of the VM's own that every read gives.
import { describe, expect, it } from 'vitest';
import { CONFIG_VERSION, macFromSeed, migrateSnapshotSettings, parseConfigText, QEMU_DEFAULT_MAC, type VmConfig } from '../../../../core/common/config';
import { sampleConfig } from '../../../support/sampleConfig';

const forwards = [
  { protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 },
  { protocol: 'udp', hostAddress: '0.0.0.0', hostPort: 5353, guestPort: 53 },
];

/** A version-3 file as Guesthouse 0.x wrote it: one `network`, snapshots whose settings hold it too. */
function v3File(uuid = sampleConfig.identity.uuid): Record<string, unknown> {
  const { nics: _n, snapshots: _s, version: _v, ...rest } = sampleConfig;
  const network = { mode: 'nat', model: 'e1000', forwards };
  const { identity: _i, ...settings } = { ...rest, network };
  const node = (id: string, parentId: string | null, net: Record<string, unknown>) => ({
    id,
    name: id.slice(3),
    description: '',
    createdAt: '2026-12-01T00:00:00.000Z',
    parentId,
    kind: 'offline',
    disks: ['web.qcow2'],
    vmstateDisk: null,
    settings: { ...settings, network: net },
  });
  return {
    ...rest,
    version: 3,
    identity: { ...sampleConfig.identity, uuid },
    network,
    snapshots: {
      currentId: 'gh-second',
      currentChanged: false,
      nodes: [node('gh-first', null, { mode: 'none', model: 'virtio', forwards: [] }), node('gh-second', 'gh-first', network)],
    },
  };
}

const read = (doc: unknown): VmConfig => parseConfigText(JSON.stringify(doc), 'vm.json');

describe('config version 3 → 4: network cards', () => {
  it('the one network becomes one card net0 with its model, attachment and forwards, and a MAC in 52:54:00', () => {
    const config = read(v3File());
    expect(config.version).toBe(5);
    expect('network' in config).toBe(false);
    expect(config.nics).toHaveLength(1);
    const [nic] = config.nics;
    expect(nic).toEqual({ id: 'net0', mac: nic!.mac, model: 'e1000', attachment: 'nat', forwards });
    expect(nic!.mac).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
    // Not the address every VM had until now, which is the reason for the change.
    expect(nic!.mac).not.toBe(QEMU_DEFAULT_MAC);
  });

  it('the snapshots keep their own network settings, as cards with the same MAC as the VM', () => {
    const config = read(v3File());
    const mac = config.nics[0]!.mac;
    const [first, second] = config.snapshots.nodes;
    expect(first!.settings).not.toHaveProperty('network');
    expect(first!.settings!.nics).toEqual([{ id: 'net0', mac, model: 'virtio', attachment: 'none', forwards: [] }]);
    expect(second!.settings!.nics).toEqual(config.nics);
    // Everything else a snapshot keeps is as it was.
    const { network: _n, ...kept } = (v3File().snapshots as { nodes: { settings: Record<string, unknown> }[] }).nodes[1]!.settings;
    const { nics: _c, version, ...migrated } = second!.settings!;
    expect(migrated).toEqual({ ...kept, shares: [] });
    // The slice now says which version it is written in (it has come through 4 → 5 as well).
    expect(version).toBe(CONFIG_VERSION);
    expect(first!.settings!.version).toBe(CONFIG_VERSION);
  });

  it('a version-3 slice (with network) in a version-4 file becomes a version-4 slice (with nics), the VM’s MAC on its card', () => {
    const tree = v3File().snapshots as { nodes: { settings: Record<string, unknown> }[] };
    const node = { ...tree.nodes[0]!, settings: { ...tree.nodes[1]!.settings, version: 3 } };
    const config = read({ ...read(v3File()), snapshots: { currentId: 'gh-first', currentChanged: false, nodes: [node] } });
    const settings = config.snapshots.nodes[0]!.settings!;
    expect(settings.version).toBe(CONFIG_VERSION);
    expect(settings).not.toHaveProperty('network');
    expect(settings.nics).toEqual([{ id: 'net0', mac: macFromSeed(sampleConfig.identity.uuid), model: 'e1000', attachment: 'nat', forwards }]);
    expect(settings).not.toHaveProperty('identity');
    expect(settings).not.toHaveProperty('snapshots');
  });

  it('migrateSnapshotSettings: v3 → v4 by itself, and a slice no step can bring up is given back as it was', () => {
    const identity = sampleConfig.identity;
    const network = { mode: 'none', model: 'virtio', forwards: [] };
    const migrated = migrateSnapshotSettings({ version: 3, cpus: 2, network }, identity);
    expect(migrated).toEqual({
      version: 5,
      cpus: 2,
      nics: [{ id: 'net0', mac: macFromSeed(identity.uuid), model: 'virtio', attachment: 'none', forwards: [] }],
      shares: [],
    });
    // An unversioned slice is as old as the file it was read from.
    expect(migrateSnapshotSettings({ cpus: 2, network }, identity, 3)).toEqual(migrated);
    // No step from version 0 or beyond this one: unchanged (a revert to it is then refused).
    expect(migrateSnapshotSettings({ version: 9, cpus: 2 }, identity)).toEqual({ version: 9, cpus: 2 });
    expect(migrateSnapshotSettings({ version: 3, network }, identity, 3, {}, 4)).toEqual({ version: 3, network });
  });

  it('every read of the same file gives the same MAC; another VM gets another', () => {
    const text = JSON.stringify(v3File());
    const macs = new Set([0, 1, 2].map(() => parseConfigText(text, 'vm.json').nics[0]!.mac));
    expect(macs.size).toBe(1);
    const other = read(v3File('7d3e0b52-4f61-4c0e-8a55-a1b2c3d4e5f6')).nics[0]!.mac;
    expect(other).not.toBe([...macs][0]);
  });

  it('a VM whose snapshots have no settings (null) and a tree without nodes are left as they are', () => {
    const doc = v3File();
    const tree = doc.snapshots as { nodes: { settings: unknown }[] };
    tree.nodes[0]!.settings = null;
    const config = read(doc);
    expect(config.snapshots.nodes[0]!.settings).toBeNull();
    expect(read({ ...v3File(), snapshots: { currentId: null, currentChanged: false, nodes: [] } }).snapshots.nodes).toEqual([]);
  });

  it('a broken version-3 network is refused after the migration with the sentence of what is wrong', () => {
    expect(() => read({ ...v3File(), network: { mode: 'bridged', model: 'virtio', forwards: [] } })).toThrow(
      'The network must be one of nat, host-only, none, private:NAME.',
    );
  });
});
