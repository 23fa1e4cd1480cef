// The Snapshots tab's pure parts: the tree as rows (with the current state where VirtualBox shows it), the name check on its list, and the take button's title.
import { describe, expect, it } from 'vitest';
import type { SnapshotInfo, SnapshotList } from '../../../../core/common/api';
import { capabilitiesOf, whyNot } from '../../../../core/common/capabilities';
import { say } from '../../../../core/common/messages';
import { snapshotNameProblems } from '../../../../core/common/snapshots';
import { treeRows } from '../../../../renderer/src/components/SnapshotTree';
import { takeTitle } from '../../../../renderer/src/components/SnapshotsView';
import { coreText } from '../../../../renderer/src/coreText';

const snap = (id: string, parentId: string | null, createdAt: string): SnapshotInfo => ({
  id,
  name: id.slice(3),
  description: '',
  createdAt,
  parentId,
  kind: 'offline',
  linkedClones: [],
});
const list = (snapshots: SnapshotInfo[], currentId: string | null): SnapshotList => ({ snapshots, currentId, currentChanged: false, unsupported: null });
const shape = (l: SnapshotList) => treeRows(l).map((r) => [r.snapshot?.name ?? 'current', r.depth]);

describe('snapshot tree rows', () => {
  it('before the first snapshot there is only the current state', () => {
    expect(shape(list([], null))).toEqual([['current', 0]]);
  });

  it('hangs the current state as the last child of the current snapshot, children oldest first', () => {
    const s = [
      snap('gh-c', 'gh-a', '2024-01-03T00:00:00Z'),
      snap('gh-a', null, '2024-01-01T00:00:00Z'),
      snap('gh-b', 'gh-a', '2024-01-02T00:00:00Z'),
      snap('gh-d', 'gh-b', '2024-01-04T00:00:00Z'),
    ];
    expect(shape(list(s, 'gh-a'))).toEqual([
      ['a', 0],
      ['b', 1],
      ['d', 2],
      ['c', 1],
      ['current', 1],
    ]);
    expect(shape(list(s, 'gh-d'))).toEqual([
      ['a', 0],
      ['b', 1],
      ['d', 2],
      ['current', 3],
      ['c', 1],
    ]);
  });

  it('shows every snapshot and the current state even when the list names what it lacks', () => {
    const s = [snap('gh-a', 'gh-gone', '2024-01-01T00:00:00Z'), snap('gh-b', 'gh-a', '2024-01-02T00:00:00Z')];
    expect(shape(list(s, 'gh-gone'))).toEqual([
      ['a', 0],
      ['b', 1],
      ['current', 0],
    ]);
  });
});

describe('a new snapshot name, checked against the list the GUI has (the core check the service makes against its tree)', () => {
  const l = list([snap('gh-a', null, '2024-01-01T00:00:00Z'), { ...snap('gh-e', 'gh-a', '2024-01-02T00:00:00Z'), name: '\u00e9' }], 'gh-a');
  const problem = (name: string) => snapshotNameProblems(name, l.snapshots)[0] ?? null;
  it('is refused with the core sentence when empty, padded or taken', () => {
    expect(problem('')?.key).toBe('snapshot.nameEmpty');
    expect(problem(' b')?.key).toBe('snapshot.nameSpaces');
    expect(problem('x'.repeat(65))?.key).toBe('snapshot.nameTooLong');
    expect(problem('a')).toMatchObject({ key: 'snapshot.nameTaken', message: 'There is a snapshot named "a" already; choose another name.' });
    // Typed decomposed, the name is the stored (NFC) one.
    expect(problem('e\u0301')).toMatchObject({ key: 'snapshot.nameTaken', params: { name: '\u00e9' } });
  });
  it('is accepted otherwise', () => {
    expect(problem('Before the upgrade')).toBeNull();
  });
});

describe('the take button', () => {
  it('says why it is disabled, from the engine record’s sentence, in the GUI’s language', () => {
    const why = whyNot(capabilitiesOf('v86').snapshots, { name: 'tiny' })!;
    const unsupported = { ...list([], null), unsupported: why };
    expect(takeTitle(unsupported, 'Take a snapshot', (s) => coreText(s, 'en'))).toBe(why.message);
    expect(takeTitle(unsupported, 'Take a snapshot', (s) => coreText(s, 'ko'))).toBe(say('ko', 'snapshot.v86', { name: 'tiny' }));
    expect(takeTitle(list([], null), 'Take a snapshot', (s) => coreText(s, 'en'))).toBe('Take a snapshot');
    expect(takeTitle(null, 'Take a snapshot', (s) => coreText(s, 'en'))).toBe('Take a snapshot');
  });
});
