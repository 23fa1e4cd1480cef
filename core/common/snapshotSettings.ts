// The settings a snapshot keeps: a versioned slice of the VM's config (all but the identity and
// the tree), which a revert restores. A slice is written in the config version of its day and
// migrated with the config (configMigrations.ts), so an old snapshot's settings still restore
// after an upgrade; settings that cannot be brought to this version refuse the revert with a
// sentence, never silently left out. And what must match for a live snapshot to load into the
// running machine.
import { CONFIG_VERSION, migrateSnapshotSettings } from './configMigrations';
import { vmConfigSchema, type VmConfig } from './config';
import { GuesthouseError } from './errors';
import { m } from './messages';
import type { Snapshot, SnapshotSettings } from './snapshots';

/** The settings a snapshot keeps, restored on revert: all but the identity and the tree, with the config's version. */
export function settingsOf(config: VmConfig): SnapshotSettings {
  const { identity: _i, snapshots: _s, ...settings } = config;
  return settings;
}

/**
 * What must match for a live snapshot to load into the running machine: the CD, timeouts and
 * port forwards may differ (forwards are host rules the running QEMU keeps, not guest devices).
 */
export function machineOf(settings: SnapshotSettings | null): string {
  if (!settings) return '';
  const { version: _v, optical: _o, shutdownTimeoutMs: _t, engine: _e, accelerator: _a, nics, ...rest } = settings;
  const cards = Array.isArray(nics) ? nics.map((card: unknown) => ({ ...(card as object), forwards: undefined })) : nics;
  // Every object's keys sorted, at every depth, so only what the machine has counts (not the order it was written in).
  return JSON.stringify({ ...rest, nics: cards }, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}

const unusable = (config: VmConfig, snapshot: Snapshot, version: unknown) =>
  new GuesthouseError(
    'invalid-state',
    m('snapshot.settingsUnusable', { name: config.identity.name, snapshot: snapshot.name, version: String(version), current: CONFIG_VERSION }),
  );

/**
 * A snapshot's settings in this config version (migrated as the config was, where they are
 * older), or null where it keeps none; refused with a sentence where they cannot be brought to it.
 */
export function settingsToRestore(config: VmConfig, snapshot: Snapshot): SnapshotSettings | null {
  const { settings } = snapshot;
  if (!settings || settings.version === CONFIG_VERSION) return settings;
  const migrated = migrateSnapshotSettings(settings, config.identity);
  if (migrated.version !== CONFIG_VERSION) throw unusable(config, snapshot, settings.version);
  return migrated as SnapshotSettings;
}

/** The config with a snapshot's settings back; refused with a sentence where they do not make a valid config of this version. */
export function withSettings(config: VmConfig, snapshot: Snapshot): VmConfig {
  const settings = settingsToRestore(config, snapshot);
  if (!settings) return config;
  const next = vmConfigSchema.safeParse({ ...config, ...settings, version: config.version, identity: config.identity, snapshots: config.snapshots });
  if (!next.success) throw unusable(config, snapshot, settings.version);
  return next.data;
}
