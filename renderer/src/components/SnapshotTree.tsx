import { useRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SnapshotInfo, SnapshotList } from '../../../core/common/api';

/** One row of the tree: a snapshot, or the current state (hung below the snapshot it descends from). */
type TreeRow = { snapshot: SnapshotInfo; depth: number } | { snapshot: null; depth: number };

/** The tree as rows, depth first, children oldest first; the current state is the last child of the current snapshot, as in VirtualBox. */
export function treeRows(list: SnapshotList): TreeRow[] {
  const ids = new Set(list.snapshots.map((s) => s.id));
  const children = new Map<string | null, SnapshotInfo[]>();
  for (const s of list.snapshots) {
    const parent = s.parentId !== null && ids.has(s.parentId) ? s.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  for (const c of children.values()) c.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const rows: TreeRow[] = [];
  const seen = new Set<string>();
  let current = false;
  const walk = (parent: string | null, depth: number) => {
    for (const s of children.get(parent) ?? []) {
      if (seen.has(s.id)) continue;
      seen.add(s.id);
      rows.push({ snapshot: s, depth });
      walk(s.id, depth + 1);
    }
    if (parent === list.currentId) {
      rows.push({ snapshot: null, depth });
      current = true;
    }
  };
  walk(null, 0);
  if (!current) rows.push({ snapshot: null, depth: 0 });
  return rows;
}

/** When a snapshot was taken, in the GUI's language (as stored when it is no date). */
function useSnapshotTime(): (iso: string) => string {
  const { i18n } = useTranslation();
  return (iso: string) => {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(i18n.language);
  };
}

/** What the current state's row says: whether it has changed since its snapshot. */
function useCurrentLabel(list: SnapshotList): string {
  const { t } = useTranslation();
  return list.currentChanged ? t('snapshots.currentChanged') : t('snapshots.current');
}

/**
 * The tree (a WAI-ARIA tree): a row per snapshot and one for the current state; a click or the
 * arrow keys, Home and End select a row (null: the current state), Delete asks to delete the selected snapshot.
 */
export function SnapshotTree({
  vmName,
  list,
  selectedId,
  onSelect,
  onDelete,
}: {
  vmName: string;
  list: SnapshotList;
  selectedId: string | null;
  onSelect: (id: string | null) => void;
  onDelete: () => void;
}) {
  const { t } = useTranslation();
  const time = useSnapshotTime();
  const currentLabel = useCurrentLabel(list);
  const treeRef = useRef<HTMLUListElement>(null);
  const rows = treeRows(list);

  const rowKey = (r: TreeRow) => r.snapshot?.id ?? '';
  const onTreeKey = (e: KeyboardEvent<HTMLUListElement>) => {
    if (e.key === 'Delete') {
      // In the tree, Delete is about the selected snapshot, not the VM (the toolbar's shortcut).
      e.stopPropagation();
      onDelete();
      return;
    }
    const at = rows.findIndex((r) => (r.snapshot?.id ?? null) === selectedId);
    const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: rows.length - 1 }[e.key];
    if (to === undefined || !rows.length) return;
    e.preventDefault();
    const row = rows[Math.max(0, Math.min(rows.length - 1, to))]!;
    onSelect(row.snapshot?.id ?? null);
    treeRef.current?.querySelector<HTMLElement>(`[data-row="${CSS.escape(rowKey(row))}"]`)?.focus();
  };

  return (
    <ul className="snapshot-tree" role="tree" aria-label={t('snapshots.tree', { name: vmName })} ref={treeRef} onKeyDown={onTreeKey}>
      {rows.map((r) => {
        const isSelected = (r.snapshot?.id ?? null) === selectedId;
        const common = {
          role: 'treeitem',
          'aria-level': r.depth + 1,
          'aria-selected': isSelected,
          tabIndex: isSelected ? 0 : -1,
          'data-row': rowKey(r),
          style: { paddingLeft: `${8 + r.depth * 20}px` },
          onClick: () => onSelect(r.snapshot?.id ?? null),
        } as const;
        if (!r.snapshot)
          return (
            <li key="current" {...common} aria-label={currentLabel} className="current-state" data-changed={list.currentChanged}>
              <span aria-hidden="true">▸</span> <span className="snap-name">{currentLabel}</span>
            </li>
          );
        const s = r.snapshot;
        return (
          <li
            key={s.id}
            {...common}
            aria-label={s.name}
            aria-describedby={`snap-meta-${s.id}`}
            className={s.id === list.currentId ? 'snapshot is-current' : 'snapshot'}
          >
            <span aria-hidden="true">{s.kind === 'live' ? '◉' : '○'}</span> <span className="snap-name">{s.name}</span>{' '}
            <span className="small" id={`snap-meta-${s.id}`}>
              <span className={`snap-kind ${s.kind}`}>{t(`snapshots.${s.kind}`)}</span> {time(s.createdAt)}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

/** The selected row's details: a snapshot's time, kind, linked clones and description, or where the current state stands. */
export function SnapshotDetails({ list, selected }: { list: SnapshotList; selected: SnapshotInfo | null }) {
  const { t } = useTranslation();
  const time = useSnapshotTime();
  const currentLabel = useCurrentLabel(list);
  const currentParent = list.snapshots.find((s) => s.id === list.currentId) ?? null;
  return (
    <section className="snapshot-info" aria-label={t('snapshots.info')}>
      {selected ? (
        <>
          <h3>{selected.name}</h3>
          <dl>
            <dt>{t('snapshots.takenAt')}</dt>
            <dd>{time(selected.createdAt)}</dd>
            <dt>{t('snapshots.kind')}</dt>
            <dd>{t(`snapshots.${selected.kind}Hint`)}</dd>
            {selected.linkedClones.length ? (
              <>
                <dt>{t('snapshots.linkedClones')}</dt>
                <dd>{selected.linkedClones.join(', ')}</dd>
              </>
            ) : null}
          </dl>
          <p className="snapshot-description">{selected.description || <span className="small">{t('snapshots.noDescription')}</span>}</p>
        </>
      ) : (
        <>
          <h3>{currentLabel}</h3>
          <p className="small">
            {currentParent
              ? t(list.currentChanged ? 'snapshots.currentChangedSince' : 'snapshots.currentSameAs', { name: currentParent.name })
              : t('snapshots.currentNone')}
          </p>
        </>
      )}
    </section>
  );
}
