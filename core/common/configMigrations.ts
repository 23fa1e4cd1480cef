// Older vm.json versions, upgraded one step at a time (the schema checks the result).
import { GuesthouseError } from './errors';
import { m } from './messages';
import { macFromSeed, nicId } from './nics';
import { emptySnapshotTree } from './snapshots';

/** The config version this build writes. Older files are migrated, newer ones refused. */
export const CONFIG_VERSION = 5;

/** One step from version n to n + 1. */
export type Migration = (old: Record<string, unknown>) => Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The object at `key`, or an empty one (a migration must not fail on a broken file: the schema says what is wrong after). */
const section = (doc: Record<string, unknown>, key: string): Record<string, unknown> => {
  const v = doc[key];
  return isObject(v) ? v : {};
};

/** Version 3's one `network` as version 4's list of one card, with the MAC it is given. */
function withNics(settings: Record<string, unknown>, mac: string): Record<string, unknown> {
  if (!('network' in settings)) return settings;
  const { network: _old, ...rest } = settings;
  const network = section(settings, 'network');
  return { ...rest, nics: [{ id: nicId(0), mac, model: network.model, attachment: network.mode, forwards: network.forwards }] };
}

/**
 * 3 → 4: the one network setting becomes the list of cards, its one card `net0`. The card gets
 * a MAC of its own (until now every VM's was QEMU's default 52:54:00:12:34:56), made from the
 * uuid so that reading the file again gives the same one until the config is written back; the
 * settings each snapshot keeps get the same card (a revert keeps the MAC), as their migration
 * lends them the VM's identity.
 */
function nicsFromNetwork(old: Record<string, unknown>): Record<string, unknown> {
  const uuid = section(old, 'identity').uuid;
  return withNics(old, macFromSeed(typeof uuid === 'string' ? uuid : ''));
}

/** 4 → 5: no shared folders (each snapshot's settings get the same through migrateSnapshotSettings: a live snapshot's machine must match). */
const noShares = (old: Record<string, unknown>): Record<string, unknown> => ({ ...old, shares: [] });

/**
 * migrations[n] upgrades a version-n file to version n + 1.
 * 1 → 2: the guest gets a screen (standard VGA) and a USB tablet; disks and the network
 * card stay virtio, as version 1 always gave them, so the guest sees what it saw.
 * 2 → 3: an empty snapshot tree.
 * 3 → 4: `network` becomes `nics`, one card with a MAC of its own (nicsFromNetwork).
 * 4 → 5: `shares`, empty (noShares).
 */
export const migrations: Readonly<Record<number, Migration>> = {
  1: (old) => ({
    ...old,
    display: { adapter: 'vga' },
    input: { pointer: 'tablet' },
    diskBus: 'virtio',
    network: { ...section(old, 'network'), model: 'virtio' },
  }),
  2: (old) => ({ ...old, snapshots: emptySnapshotTree() }),
  3: nicsFromNetwork,
  4: noShares,
};

/** Reads a config of any known version, migrating older ones and refusing newer ones. */
export function migrateConfig(raw: unknown, source: string, table: Readonly<Record<number, Migration>> = migrations, current = CONFIG_VERSION): unknown {
  if (!isObject(raw)) {
    throw new GuesthouseError('invalid-input', m('config.notConfig', { source }));
  }
  let doc = raw;
  const version = doc.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new GuesthouseError('invalid-input', m('config.noVersion', { source }));
  }
  if (version > current) {
    throw new GuesthouseError('config-version', m('config.newer', { source, version, current }));
  }
  for (let v = version; v < current; v++) {
    const step = table[v];
    if (!step) throw new GuesthouseError('config-version', m('config.cannotUpgrade', { source, version: v }));
    doc = { ...step(doc), version: v + 1 };
  }
  return withSnapshotSettingsMigrated(doc, version, table, current);
}

/** Each snapshot's settings brought to `current` too (those of a file's own version included: they may be older). */
function withSnapshotSettingsMigrated(doc: Record<string, unknown>, fileVersion: number, table: Readonly<Record<number, Migration>>, current: number) {
  const tree = section(doc, 'snapshots');
  if (!Array.isArray(tree.nodes)) return doc;
  const nodes = tree.nodes.map((n: unknown) =>
    isObject(n) && isObject(n.settings) ? { ...n, settings: migrateSnapshotSettings(n.settings, doc.identity, fileVersion, table, current) } : n,
  );
  return { ...doc, snapshots: { ...tree, nodes } };
}

/**
 * A snapshot's settings (a slice of the config: all but the identity and the tree, with the
 * version it is written in) brought to `current` by the steps a whole config takes, the VM's
 * `identity` lent to the steps that need it (3 → 4 makes the MAC from the uuid). A slice without
 * a version (written before slices had one) is as old as `unversioned`, the version of the file
 * it was read from. Where a step is missing or fails, the slice is given back as it was, still
 * of its old version: the VM stays readable, and a revert to that snapshot is refused.
 */
export function migrateSnapshotSettings(
  settings: Record<string, unknown>,
  identity: unknown,
  unversioned: number = CONFIG_VERSION,
  table: Readonly<Record<number, Migration>> = migrations,
  current = CONFIG_VERSION,
): Record<string, unknown> {
  const from = 'version' in settings ? settings.version : unversioned;
  if (typeof from !== 'number' || !Number.isInteger(from) || from < 1) return settings;
  const as = { ...settings, version: from };
  let doc: Record<string, unknown> = { ...as, identity };
  try {
    for (let v = from; v < current; v++) {
      const step = table[v];
      if (!step) return as;
      doc = { ...step(doc), version: v + 1 };
    }
  } catch {
    return as;
  }
  const { identity: _i, snapshots: _s, ...slice } = doc;
  return slice;
}
