import { z } from 'zod';
import { GuesthouseError, throwProblems } from './errors';
import { m, said, schemaSentence, type Sentence } from './messages';

/**
 * A VM's snapshots as VirtualBox shows them: a tree whose nodes are internal qcow2 snapshots
 * (the same tag on every writable disk of the VM, the UEFI variable store included), and a
 * "current state" marker below the snapshot the running disks descend from. This module is
 * the data and its pure operations; taking, reverting and deleting on disk is the job of
 * core/node (snapshotJobs.ts live, snapshotDisks.ts offline). It imports nothing from
 * config.ts, so that the VM config can hold the tree without a circular import.
 */

/** The sentence a snapshot schema's issue message stands for (for describeIssues), or undefined. */
export const snapshotSentence = schemaSentence;

const issueSentences = (error: z.ZodError): Sentence[] => error.issues.map((i) => schemaSentence(i.message) ?? m('snapshot.invalid'));

export const SNAPSHOT_NAME_MAX_LENGTH = 64;
export const SNAPSHOT_DESCRIPTION_MAX_LENGTH = 2000;
/** More than anyone keeps by hand; every snapshot costs each disk an L1 table and a header entry. */
export const SNAPSHOTS_MAX = 256;
/** The prefix of every tag Guesthouse gives a snapshot, so a clean-up never touches snapshots made by others. */
export const SNAPSHOT_TAG_PREFIX = 'gh-';

/** `live`: taken while the guest ran or was paused, with its machine state; `offline`: disks only, taken while stopped. */
export const snapshotKinds = ['live', 'offline'] as const;
export type SnapshotKind = (typeof snapshotKinds)[number];

/** What a user calls a snapshot: shown in the tree, typed on the command line. */
export const snapshotNameSchema = z
  .string({ error: said('snapshot.nameText') })
  .normalize('NFC')
  .refine((s) => s.trim().length > 0, { error: said('snapshot.nameEmpty'), abort: true })
  .refine((s) => s.length <= SNAPSHOT_NAME_MAX_LENGTH, { error: said('snapshot.nameTooLong', { max: SNAPSHOT_NAME_MAX_LENGTH }) })
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { error: said('snapshot.nameChars') })
  .refine((s) => s === s.trim(), { error: said('snapshot.nameSpaces') });

export const snapshotDescriptionSchema = z
  .string({ error: said('snapshot.descriptionText') })
  .max(SNAPSHOT_DESCRIPTION_MAX_LENGTH, { error: said('snapshot.descriptionTooLong', { max: SNAPSHOT_DESCRIPTION_MAX_LENGTH }) });

/**
 * A snapshot's id, which is also its tag in every qcow2 image: Guesthouse's prefix and
 * letters, digits, dots and dashes only (never all digits, which QEMU would read as its own
 * numeric snapshot id).
 */
export const snapshotIdSchema = z.string().regex(/^gh-[A-Za-z0-9.-]{1,60}$/, { error: said('snapshot.badId') });

/**
 * The VM's settings when a snapshot was taken, restored on revert: the slice of its config
 * a revert brings back (all but the identity and the tree; core/common/snapshotSettings.ts),
 * with the config version it is written in, so that each config migration brings it along.
 */
export const snapshotSettingsSchema = z.looseObject({ version: z.number().int().min(1) });
export type SnapshotSettings = z.infer<typeof snapshotSettingsSchema>;

export const snapshotSchema = z.strictObject({
  id: snapshotIdSchema,
  name: snapshotNameSchema,
  description: snapshotDescriptionSchema,
  /** ISO 8601 time the snapshot was taken. */
  createdAt: z.string(),
  /** The snapshot this one was taken after (the current snapshot at the time); null for a first one. */
  parentId: snapshotIdSchema.nullable(),
  kind: z.enum(snapshotKinds),
  /** The images that hold the snapshot, as the config names them (VM-folder relative or absolute), the UEFI variable store included. */
  disks: z.array(z.string().min(1)).max(8),
  /** Live snapshots: the image that holds the machine state (QEMU's `vmstate` node); null for offline ones. */
  vmstateDisk: z.string().min(1).nullable(),
  /** The VM's settings when the snapshot was taken, restored on revert (a live state only loads into the same machine). */
  settings: snapshotSettingsSchema.nullable(),
  /** Live snapshots: whether the machine had the guest agent's channel (absent: taken before it existed, so it had none). */
  guestAgent: z.boolean().optional(),
});
export type Snapshot = z.infer<typeof snapshotSchema>;

/** Broken links in a stored tree, each as a sentence (a hand-edited or damaged config). */
function treeProblems(tree: { currentId: string | null; nodes: readonly Snapshot[] }): Sentence[] {
  const problems: Sentence[] = [];
  const ids = new Set<string>();
  const names = new Set<string>();
  for (const node of tree.nodes) {
    if (ids.has(node.id)) problems.push(m('snapshot.duplicateId', { id: node.id }));
    ids.add(node.id);
    if (names.has(node.name)) problems.push(m('snapshot.nameTaken', { name: node.name }));
    names.add(node.name);
  }
  const byId = new Map(tree.nodes.map((n) => [n.id, n]));
  for (const node of tree.nodes) {
    if (node.parentId !== null && !byId.has(node.parentId)) problems.push(m('snapshot.unknownParent', { name: node.name }));
    // A parent chain longer than the tree is a cycle.
    let at: Snapshot | undefined = node;
    for (let steps = 0; at && at.parentId !== null; steps++) {
      if (steps > tree.nodes.length) {
        problems.push(m('snapshot.cycle', { name: node.name }));
        break;
      }
      at = byId.get(at.parentId);
    }
  }
  if (tree.currentId !== null && !byId.has(tree.currentId)) problems.push(m('snapshot.unknownCurrent'));
  return problems;
}

/** The tree as stored in the VM's config. */
export const snapshotTreeSchema = z
  .strictObject({
    /** The snapshot the current state descends from (where "Current state" hangs); null before the first. */
    currentId: snapshotIdSchema.nullable(),
    /** Whether the current state may differ from the current snapshot (the VM ran, or its snapshot was deleted). */
    currentChanged: z.boolean(),
    nodes: z.array(snapshotSchema).max(SNAPSHOTS_MAX, { error: said('snapshot.tooMany', { max: SNAPSHOTS_MAX }) }),
  })
  .superRefine((tree, ctx) => {
    for (const problem of treeProblems(tree)) ctx.addIssue({ code: 'custom', message: said(problem.key, problem.params) });
  });
export type SnapshotTree = z.infer<typeof snapshotTreeSchema>;

export function emptySnapshotTree(): SnapshotTree {
  return { currentId: null, currentChanged: false, nodes: [] };
}

/** A new id (and qcow2 tag) for a snapshot. */
export function newSnapshotId(uuid: string = globalThis.crypto.randomUUID()): string {
  return `${SNAPSHOT_TAG_PREFIX}${uuid}`;
}

/** The name's problems, one sentence each (empty when it is fine), before anything is taken; `existing` is the tree's nodes or the GUI's list. */
export function snapshotNameProblems(name: unknown, existing: readonly { name: string }[] = []): Sentence[] {
  const parsed = snapshotNameSchema.safeParse(name);
  if (!parsed.success) return issueSentences(parsed.error);
  if (existing.some((n) => n.name === parsed.data)) return [m('snapshot.nameTaken', { name: parsed.data })];
  return [];
}

/** A snapshot by id or by name (ids first); a sentence naming the VM's snapshots otherwise. */
export function findSnapshot(tree: SnapshotTree, ref: string): Snapshot {
  const hit = tree.nodes.find((n) => n.id === ref) ?? tree.nodes.find((n) => n.name === ref.normalize('NFC'));
  if (hit) return hit;
  if (tree.nodes.length === 0) throw new GuesthouseError('not-found', m('snapshot.noneYet', { ref }));
  throw new GuesthouseError('not-found', m('snapshot.notFound', { ref, names: tree.nodes.map((n) => `"${n.name}"`).join(', ') }));
}

export interface NewSnapshot {
  id: string;
  name: string;
  description?: string;
  createdAt: string;
  kind: SnapshotKind;
  disks: string[];
  vmstateDisk: string | null;
  settings: SnapshotSettings | null;
  guestAgent?: boolean;
}

/**
 * The tree with a new snapshot taken now: a child of the current snapshot, and the new
 * current one. Bad input (a name, a duplicate, a full tree) is refused with its sentences
 * before anything changes. Call it after the disks hold the snapshot: a crash between the
 * two leaves a tag nobody lists, which `reconcileSnapshotTree` finds.
 */
export function addSnapshot(tree: SnapshotTree, input: NewSnapshot): SnapshotTree {
  const problems = snapshotNameProblems(input.name, tree.nodes);
  const description = snapshotDescriptionSchema.safeParse(input.description ?? '');
  if (!description.success) problems.push(...issueSentences(description.error));
  if (!snapshotIdSchema.safeParse(input.id).success) problems.push(m('snapshot.badId'));
  else if (tree.nodes.some((n) => n.id === input.id)) problems.push(m('snapshot.duplicateId', { id: input.id }));
  if (tree.nodes.length >= SNAPSHOTS_MAX) problems.push(m('snapshot.tooMany', { max: SNAPSHOTS_MAX }));
  throwProblems(problems, m('term.snapshot'));
  const node: Snapshot = {
    id: input.id,
    name: input.name.normalize('NFC'),
    description: input.description ?? '',
    createdAt: input.createdAt,
    parentId: tree.currentId,
    kind: input.kind,
    disks: [...input.disks],
    vmstateDisk: input.vmstateDisk,
    settings: input.settings,
    ...(input.guestAgent !== undefined ? { guestAgent: input.guestAgent } : {}),
  };
  return { currentId: node.id, currentChanged: false, nodes: [...tree.nodes, node] };
}

/** The tree after the disks were reverted to `ref`: the current state now hangs below it, unchanged. */
export function revertToSnapshot(tree: SnapshotTree, ref: string): SnapshotTree {
  const node = findSnapshot(tree, ref);
  return { ...tree, currentId: node.id, currentChanged: false };
}

/** The tree once the VM has run (or its settings changed) since the current snapshot. */
export function markCurrentChanged(tree: SnapshotTree): SnapshotTree {
  return tree.currentChanged ? tree : { ...tree, currentChanged: true };
}

/**
 * The tree without `ref`: its children hang from its parent instead, and no other snapshot
 * changes. Deleting the current snapshot moves the marker to its parent (the current state
 * itself stays, and now differs from that parent); deleting any other one, the current
 * snapshot's parent included, leaves the marker where it is.
 */
export function deleteSnapshot(tree: SnapshotTree, ref: string): SnapshotTree {
  const gone = findSnapshot(tree, ref);
  const nodes = tree.nodes.filter((n) => n.id !== gone.id).map((n) => (n.parentId === gone.id ? { ...n, parentId: gone.parentId } : n));
  if (tree.currentId !== gone.id) return { ...tree, nodes };
  return { currentId: gone.parentId, currentChanged: true, nodes };
}

/**
 * After a crash, the tree and the disks agree again: a snapshot missing from any of its disks
 * (a take or delete cut short) leaves the tree, as `deleteSnapshot` would remove it, and a
 * tag of Guesthouse's on a disk that no snapshot in the tree has is an orphan to delete from
 * that disk. `tagsOnDisk` maps each disk (as snapshots name it) to the tags it holds.
 */
export function reconcileSnapshotTree(
  tree: SnapshotTree,
  tagsOnDisk: ReadonlyMap<string, ReadonlySet<string>>,
): { tree: SnapshotTree; dropped: Snapshot[]; orphans: Map<string, string[]> } {
  const dropped = tree.nodes.filter((n) => n.disks.some((d) => !tagsOnDisk.get(d)?.has(n.id)));
  let next = tree;
  for (const node of dropped) next = deleteSnapshot(next, node.id);
  const kept = new Set(next.nodes.map((n) => n.id));
  const orphans = new Map<string, string[]>();
  for (const [disk, tags] of tagsOnDisk) {
    const extra = [...tags].filter((t) => t.startsWith(SNAPSHOT_TAG_PREFIX) && !kept.has(t));
    if (extra.length) orphans.set(disk, extra);
  }
  return { tree: next, dropped, orphans };
}
