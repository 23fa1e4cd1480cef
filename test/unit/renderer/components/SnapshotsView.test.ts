// The Snapshots tab's pure parts: the tree as rows (with the current state where VirtualBox shows it), and the name check.
import { describe, expect, it } from 'vitest';
import type { SnapshotInfo, SnapshotList } from '../../../../core/common/api';
import { capabilitiesOf, whyNot } from '../../../../core/common/capabilities';
import { say } from '../../../../core/common/messages';
import { snapshotNameProblem, takeTitle, treeRows } from '../../../../renderer/src/components/SnapshotsView';
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

describe('a new snapshot name', () => {
  const l = list([snap('gh-a', null, '2024-01-01T00:00:00Z')], 'gh-a');
  it('is refused with the core sentence when empty, padded or taken', () => {
    expect(snapshotNameProblem('', l)?.key).toBe('snapshot.nameEmpty');
    expect(snapshotNameProblem(' b', l)?.key).toBe('snapshot.nameSpaces');
    expect(snapshotNameProblem('x'.repeat(65), l)?.key).toBe('snapshot.nameTooLong');
    expect(snapshotNameProblem('a', l)).toMatchObject({ key: 'snapshot.nameTaken', message: 'There is a snapshot named "a" already; choose another name.' });
  });
  it('is accepted otherwise', () => {
    expect(snapshotNameProblem('Before the upgrade', l)).toBeNull();
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
