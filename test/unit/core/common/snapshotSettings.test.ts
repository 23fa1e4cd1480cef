// The settings a snapshot keeps are a versioned slice of the config: an old slice is migrated
// before a revert restores it, and one that cannot be is refused with a sentence, never dropped.
import { describe, expect, it } from 'vitest';
import { CONFIG_VERSION, type VmConfig } from '../../../../core/common/config';
import { GuesthouseError } from '../../../../core/common/errors';
import { say } from '../../../../core/common/messages';
import { machineOf, settingsOf, settingsToRestore, withSettings } from '../../../../core/common/snapshotSettings';
import { newSnapshotId, type Snapshot, type SnapshotSettings } from '../../../../core/common/snapshots';
import { sampleConfig } from '../../../support/sampleConfig';

const snapshot = (settings: SnapshotSettings | null): Snapshot => ({
  id: newSnapshotId('s1'),
  name: 'before',
  description: '',
  createdAt: '2026-12-01T00:00:00.000Z',
  parentId: null,
  kind: 'offline',
  disks: ['web.qcow2'],
  vmstateDisk: null,
  settings,
});

const refusal = (work: () => unknown): GuesthouseError => {
  try {
    work();
  } catch (err) {
    expect(err).toBeInstanceOf(GuesthouseError);
    return err as GuesthouseError;
  }
  throw new Error('not refused');
};

describe('the settings a snapshot keeps', () => {
  it('are the config but its identity and tree, with its version', () => {
    const settings = settingsOf(sampleConfig);
    expect(settings.version).toBe(CONFIG_VERSION);
    expect(settings).not.toHaveProperty('identity');
    expect(settings).not.toHaveProperty('snapshots');
    expect(settings.nics).toEqual(sampleConfig.nics);
  });

  it('restore as they were kept', () => {
    const now: VmConfig = { ...sampleConfig, cpus: 4, memoryMib: 1024 };
    const restored = withSettings(now, snapshot(settingsOf(sampleConfig)));
    expect(restored).toEqual(sampleConfig);
    expect(withSettings(now, snapshot(null))).toBe(now);
  });

  it('of version 3 (one network) restore as version 4 (its card, with the VM’s MAC)', () => {
    const { nics: _n, ...rest } = settingsOf(sampleConfig);
    const old = { ...rest, version: 3, cpus: 1, network: { mode: 'none', model: 'e1000', forwards: [] } };
    const restored = withSettings({ ...sampleConfig, cpus: 4 }, snapshot(old));
    expect(restored.cpus).toBe(1);
    expect(restored.nics).toHaveLength(1);
    expect(restored.nics[0]).toMatchObject({ id: 'net0', model: 'e1000', attachment: 'none', forwards: [] });
    expect(restored).not.toHaveProperty('network');
    expect(settingsToRestore(sampleConfig, snapshot(old))!.version).toBe(CONFIG_VERSION);
  });

  it('that cannot be brought to this version refuse the revert with one sentence, in both languages', () => {
    const err = refusal(() => withSettings(sampleConfig, snapshot({ ...settingsOf(sampleConfig), version: 99 })));
    expect(err.code).toBe('invalid-state');
    expect(err.key).toBe('snapshot.settingsUnusable');
    expect(err.message).toBe(
      `The settings the snapshot "before" of "web" keeps (config version 99) cannot be brought to this version of Guesthouse (config version ${CONFIG_VERSION}), so they cannot be restored.`,
    );
    expect(say('ko', err.key!, err.params)).toContain('"before"');
    // Settings of this version that no longer make a valid config are refused, not left out.
    expect(refusal(() => withSettings(sampleConfig, snapshot({ ...settingsOf(sampleConfig), cpus: 'two' }))).key).toBe('snapshot.settingsUnusable');
  });

  it('a live snapshot loads into the same machine whatever the version field says', () => {
    expect(machineOf(settingsOf(sampleConfig))).toBe(machineOf({ ...settingsOf(sampleConfig), version: 1 }));
    expect(machineOf(settingsOf(sampleConfig))).not.toBe(machineOf(settingsOf({ ...sampleConfig, cpus: 3 })));
    // A forward added since is a host rule, not a device: the snapshot still loads; another card model does not.
    const card = sampleConfig.nics[0]!;
    const forwarded = {
      ...sampleConfig,
      nics: [{ ...card, forwards: [{ protocol: 'tcp' as const, hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 }] }],
    };
    expect(machineOf(settingsOf(forwarded))).toBe(machineOf(settingsOf(sampleConfig)));
    expect(machineOf(settingsOf({ ...sampleConfig, nics: [{ ...card, model: 'e1000' as const }] }))).not.toBe(machineOf(settingsOf(sampleConfig)));
    expect(machineOf(settingsOf({ ...sampleConfig, nics: [{ ...card, mac: '52:54:00:00:00:02' }] }))).not.toBe(machineOf(settingsOf(sampleConfig)));
    // Deeper settings count too, whatever order their keys were written in.
    expect(machineOf(settingsOf({ ...sampleConfig, display: { adapter: 'virtio' as const } }))).not.toBe(machineOf(settingsOf(sampleConfig)));
    const reordered = Object.fromEntries(Object.entries(settingsOf(sampleConfig)).reverse()) as ReturnType<typeof settingsOf>;
    expect(machineOf(reordered)).toBe(machineOf(settingsOf(sampleConfig)));
  });
});
