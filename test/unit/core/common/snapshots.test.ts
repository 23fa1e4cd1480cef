import { describe, expect, it } from 'vitest';
import { GuesthouseError } from '../../../../core/common/errors';
import { say } from '../../../../core/common/messages';
import {
  addSnapshot,
  deleteSnapshot,
  emptySnapshotTree,
  findSnapshot,
  markCurrentChanged,
  newSnapshotId,
  reconcileSnapshotTree,
  revertToSnapshot,
  snapshotNameProblems,
  snapshotSentence,
  snapshotTreeSchema,
  type NewSnapshot,
  type SnapshotTree,
} from '../../../../core/common/snapshots';

let clock = 0;
const snap = (name: string, extra: Partial<NewSnapshot> = {}): NewSnapshot => ({
  id: newSnapshotId(`n${clock}`),
  name,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, clock++)).toISOString(),
  kind: 'offline',
  disks: ['disk.qcow2'],
  vmstateDisk: null,
  settings: null,
  ...extra,
});

/** Takes snapshots in order, each after the last (current moves down). */
const chain = (...names: string[]) => names.reduce((tree, name) => addSnapshot(tree, snap(name)), emptySnapshotTree());

/** a → b → c, then revert to a and take d: a has children b and d, current is d. */
function forked(): SnapshotTree {
  const abc = chain('a', 'b', 'c');
  return addSnapshot(revertToSnapshot(abc, 'a'), snap('d'));
}

const parentName = (tree: SnapshotTree, name: string) => {
  const p = findSnapshot(tree, name).parentId;
  return p === null ? null : findSnapshot(tree, p).name;
};
/** The names of the snapshots above `name`, nearest first, up to the first one. */
const ancestorNames = (tree: SnapshotTree, name: string): string[] => {
  const out: string[] = [];
  for (let p = parentName(tree, name); p !== null && out.length <= tree.nodes.length; p = parentName(tree, p)) out.push(p);
  return out;
};
const currentName = (tree: SnapshotTree) => (tree.currentId === null ? null : findSnapshot(tree, tree.currentId).name);

/** Every permutation of a list. */
const permutations = <T>(xs: T[]): T[][] =>
  xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));

describe('the snapshot tree', () => {
  it('takes each snapshot as a child of the current one, which it then becomes', () => {
    const tree = chain('a', 'b', 'c');
    expect(parentName(tree, 'a')).toBeNull();
    expect(parentName(tree, 'b')).toBe('a');
    expect(parentName(tree, 'c')).toBe('b');
    expect(currentName(tree)).toBe('c');
    expect(ancestorNames(tree, 'c')).toEqual(['b', 'a']);
    expect(snapshotTreeSchema.safeParse(tree).success).toBe(true);
  });

  it('reverting moves the current state below the snapshot; the next one branches off there', () => {
    const tree = forked();
    expect(parentName(tree, 'd')).toBe('a');
    expect(currentName(tree)).toBe('d');
    expect(parentName(tree, 'b')).toBe('a');
    expect(ancestorNames(tree, 'c')).toEqual(['b', 'a']);
  });

  it('marks the current state changed once the VM ran, and a revert to its snapshot clears the mark', () => {
    const tree = markCurrentChanged(chain('a'));
    expect(tree.currentChanged).toBe(true);
    expect(revertToSnapshot(tree, 'a').currentChanged).toBe(false);
  });

  it('deleting a snapshot hangs its children from its parent and leaves every other snapshot alone', () => {
    const before = forked();
    const after = deleteSnapshot(before, 'a');
    expect(after.nodes.map((n) => n.name).sort()).toEqual(['b', 'c', 'd']);
    expect(parentName(after, 'b')).toBeNull();
    expect(parentName(after, 'd')).toBeNull();
    expect(parentName(after, 'c')).toBe('b');
    // The other snapshots are the same objects' data: nothing but the parent link changed.
    for (const n of after.nodes) expect({ ...n, parentId: null }).toEqual({ ...findSnapshot(before, n.id), parentId: null });
  });

  it("deleting the current snapshot's parent keeps the current state where it is", () => {
    const tree = chain('a', 'b', 'c');
    const after = deleteSnapshot(tree, 'b');
    expect(currentName(after)).toBe('c');
    expect(parentName(after, 'c')).toBe('a');
    expect(after.currentChanged).toBe(false);
  });

  it('deleting the current snapshot moves the current state to its parent, which it now differs from', () => {
    const tree = chain('a', 'b', 'c');
    const after = deleteSnapshot(tree, 'c');
    expect(currentName(after)).toBe('b');
    expect(after.currentChanged).toBe(true);
    const none = deleteSnapshot(chain('a'), 'a');
    expect(none).toEqual({ currentId: null, currentChanged: true, nodes: [] });
  });

  it('deletes every node of a three-level tree in every order, each remaining link still pointing up the original tree', () => {
    // a → b → c, and a → d (current): three levels, one fork.
    const original = forked();
    const names = original.nodes.map((n) => n.name);
    for (const order of permutations(names)) {
      let tree = original;
      const gone = new Set<string>();
      for (const name of order) {
        tree = deleteSnapshot(tree, name);
        gone.add(name);
        expect(snapshotTreeSchema.safeParse(tree).success, order.join(',')).toBe(true);
        for (const left of tree.nodes) {
          // A remaining snapshot's ancestors are its original ones, less the deleted.
          expect(ancestorNames(tree, left.name)).toEqual(ancestorNames(original, left.name).filter((a) => !gone.has(a)));
        }
        // The current state hangs below the nearest surviving snapshot of the original current's line.
        const line = ['d', 'a'].filter((n) => !gone.has(n));
        expect(currentName(tree), order.join(',')).toBe(line[0] ?? null);
      }
      expect(tree.nodes).toEqual([]);
    }
  });

  it('refuses a bad or taken name with one sentence, and changes nothing', () => {
    const tree = chain('a');
    const refused = (name: string) => {
      try {
        addSnapshot(tree, snap(name));
      } catch (err) {
        expect(err).toBeInstanceOf(GuesthouseError);
        return (err as GuesthouseError).message;
      }
      throw new Error('not refused');
    };
    expect(refused('  ')).toBe('The snapshot name must not be empty.');
    expect(refused(' x')).toBe('The snapshot name must not start or end with a space.');
    expect(refused('tab\there')).toBe('The snapshot name must not contain control characters.');
    expect(refused('x'.repeat(65))).toBe('The snapshot name must be at most 64 characters long.');
    expect(refused('a')).toBe('There is a snapshot named "a" already; choose another name.');
    expect(snapshotNameProblems(42).map(String)).toEqual(['The snapshot name must be text.']);
    expect(snapshotNameProblems('Before the upgrade — 2026')).toEqual([]);
    // The sentence keeps its key, so the GUI says it in Korean.
    const [problem] = snapshotNameProblems('', tree.nodes);
    expect(say('ko', problem!.key, problem!.params)).toBe('스냅샷 이름을 비워 둘 수 없습니다.');
    expect(tree.nodes.map((n) => n.name)).toEqual(['a']);
  });

  it('finds a snapshot by id or name, and names the ones there are when it cannot', () => {
    const tree = chain('first', 'second');
    expect(findSnapshot(tree, 'second').name).toBe('second');
    expect(findSnapshot(tree, findSnapshot(tree, 'first').id).name).toBe('first');
    expect(() => findSnapshot(tree, 'third')).toThrow('There is no snapshot "third"; this VM has "first", "second".');
    expect(() => findSnapshot(emptySnapshotTree(), 'x')).toThrow('There is no snapshot "x": this VM has no snapshots yet.');
  });

  it('refuses a stored tree whose links are broken, with a sentence per problem', () => {
    const tree = chain('a', 'b');
    const broken = {
      ...tree,
      currentId: newSnapshotId('gone'),
      nodes: tree.nodes.map((n) => (n.name === 'b' ? { ...n, parentId: newSnapshotId('nowhere') } : n)),
    };
    const result = snapshotTreeSchema.safeParse(broken);
    expect(result.success).toBe(false);
    const said = result.error!.issues.map((i) => snapshotSentence(i.message)?.message);
    expect(said).toEqual([
      'The snapshot "b" was taken after a snapshot that is not in the list.',
      'The current state hangs below a snapshot that is not in the list.',
    ]);
    const a = findSnapshot(tree, 'a');
    const cycle = { ...tree, currentId: null, nodes: [{ ...a, parentId: a.id }] };
    expect(snapshotTreeSchema.safeParse(cycle).error!.issues.map((i) => i.message)).toEqual(['The snapshot "a" is its own ancestor.']);
    expect(snapshotTreeSchema.safeParse({ ...tree, nodes: [...tree.nodes, tree.nodes[0]] }).success).toBe(false);
    expect(snapshotTreeSchema.safeParse({ ...tree, nodes: [{ ...a, id: '1' }] }).success).toBe(false); // QEMU's own numeric ids are not ours
  });

  it('after a crash, drops snapshots a disk lacks and names tags no snapshot has', () => {
    const tree = addSnapshot(chain('a', 'b'), snap('c', { disks: ['disk.qcow2', 'uefi-vars.qcow2'] }));
    const [a, , c] = ['a', 'b', 'c'].map((n) => findSnapshot(tree, n).id);
    // A take of c cut short (on disk.qcow2 only), a delete of b cut short (gone from disk.qcow2, still in the tree),
    // a take that never reached the tree (gh-x), and a snapshot of someone else's (kept).
    const onDisk = new Map([
      ['disk.qcow2', new Set([a!, c!, newSnapshotId('x'), 'by-hand'])],
      ['uefi-vars.qcow2', new Set<string>()],
    ]);
    const { tree: fixed, dropped, orphans } = reconcileSnapshotTree(tree, onDisk);
    expect(dropped.map((s) => s.name).sort()).toEqual(['b', 'c']);
    expect(fixed.nodes.map((n) => n.name)).toEqual(['a']);
    expect(currentName(fixed)).toBe('a');
    expect(orphans).toEqual(new Map([['disk.qcow2', [c, newSnapshotId('x')]]]));
  });
});
