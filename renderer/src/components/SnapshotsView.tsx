import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CloneRequest, SnapshotInfo, SnapshotList, VmSummary } from '../../../core/common/api';
import { m, schemaSentence, type SentenceData } from '../../../core/common/messages';
import { snapshotNameSchema } from '../../../core/common/snapshots';
import { isActionAllowed, type StorageAction } from '../../../core/common/state';
import { useCoreText } from '../coreText';
import { toUiError, useService, type UiError } from '../useService';
import { CloneDialog } from './CloneDialog';
import { Field } from './Field';
import { Modal } from './Modal';
import { ProgressBar, snapshotOperations, useProgress, type Operation } from './ProgressBar';

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

/** What is wrong with a new snapshot's name (the core's sentence), or null. */
export function snapshotNameProblem(name: string, list: SnapshotList): SentenceData | null {
  const r = snapshotNameSchema.safeParse(name);
  if (!r.success) return schemaSentence(r.error.issues[0]?.message ?? '') ?? m('snapshot.invalid');
  const normal = name.normalize('NFC');
  return list.snapshots.some((s) => s.name === normal) ? m('snapshot.nameTaken', { name: normal }) : null;
}

/** The take button's title: why it is disabled (the engine's record or the disks, as the service says), else what it does. */
export const takeTitle = (list: SnapshotList | null, hint: string, say: (s: SentenceData) => string) => (list?.unsupported ? say(list.unsupported) : hint);

/** "Snapshot N" for the first N not taken yet, as VirtualBox names them. */
function nextName(list: SnapshotList, say: (n: number) => string): string {
  let n = list.snapshots.length + 1;
  while (list.snapshots.some((s) => s.name === say(n))) n++;
  return say(n);
}

type Dialog =
  { kind: 'take' } | { kind: 'revert'; snapshot: SnapshotInfo } | { kind: 'delete'; snapshot: SnapshotInfo } | { kind: 'clone'; snapshot: SnapshotInfo | null };

/** The Snapshots tab: the tree with its current state, and take, revert, delete and clone. */
export function SnapshotsView({ vm }: { vm: VmSummary }) {
  const { t, i18n } = useTranslation();
  const core = useCoreText();
  const service = useService();
  const [list, setList] = useState<SnapshotList | null>(null);
  const [loadError, setLoadError] = useState<UiError | null>(null);
  // The selected row: a snapshot's id, or null for the current state.
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [pending, setPending] = useState<Operation | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const loads = useRef(0);
  const treeRef = useRef<HTMLUListElement>(null);

  const load = useCallback(() => {
    const n = ++loads.current;
    service.listSnapshots(vm.id).then(
      (l) => {
        if (n !== loads.current) return;
        setList(l);
        setLoadError(null);
      },
      (err: unknown) => n === loads.current && setLoadError(toUiError(err)),
    );
  }, [service, vm.id]);
  useEffect(() => {
    load();
    const sub = service.onDidChangeVms(load);
    return () => sub.dispose();
  }, [service, load, vm.state]);
  const progress = useProgress(vm.id, snapshotOperations, load);

  const rows = list ? treeRows(list) : [];
  const selected = list?.snapshots.find((s) => s.id === selectedId) ?? null;
  useEffect(() => {
    // A snapshot deleted (here or elsewhere) leaves the current state selected.
    if (list && selectedId !== null && !list.snapshots.some((s) => s.id === selectedId)) setSelectedId(null);
  }, [list, selectedId]);

  const busy = pending !== null || progress !== null;
  // The states each action works in are the service's (core/common/state.ts); it decides in the end and says why when it refuses.
  const allowed = (a: StorageAction) => !busy && !vm.inaccessible && isActionAllowed(a, vm.state);

  const perform = async (operation: Operation, work: () => Promise<unknown>, done: () => string) => {
    setDialog(null);
    setError(null);
    setStatus(null);
    setPending(operation);
    try {
      await work();
      setStatus(done());
    } catch (err) {
      setError(toUiError(err));
    } finally {
      setPending(null);
      load();
    }
  };

  const take = (name: string, description: string) =>
    void perform(
      'snapshot-take',
      async () => setSelectedId((await service.takeSnapshot(vm.id, { name, ...(description ? { description } : {}) })).id),
      () => t('snapshots.taken', { name }),
    );
  const revert = (snapshot: SnapshotInfo, takeCurrentAs: string | null) =>
    void perform(
      'snapshot-revert',
      () => service.revertSnapshot(vm.id, snapshot.id, takeCurrentAs === null ? {} : { takeCurrentAs }),
      () => t('snapshots.reverted', { name: snapshot.name }),
    );
  const remove = (snapshot: SnapshotInfo) =>
    void perform(
      'snapshot-delete',
      () => service.deleteSnapshot(vm.id, snapshot.id),
      () => t('snapshots.deleted', { name: snapshot.name }),
    );
  const clone = (request: CloneRequest) =>
    void perform(
      'clone',
      () => service.cloneVm(vm.id, request),
      () => t('clone.done', { name: request.name }),
    );

  const onRevert = () => {
    if (!selected || !list) return;
    // Nothing would be lost: no question (VirtualBox asks only to offer the snapshot of what would be).
    if (list.currentChanged) setDialog({ kind: 'revert', snapshot: selected });
    else revert(selected, null);
  };

  const rowKey = (r: TreeRow) => r.snapshot?.id ?? '';
  const onTreeKey = (e: KeyboardEvent<HTMLUListElement>) => {
    if (e.key === 'Delete') {
      // In the tree, Delete is about the selected snapshot, not the VM (the toolbar's shortcut).
      e.stopPropagation();
      if (selected && allowed('deleteSnapshot')) setDialog({ kind: 'delete', snapshot: selected });
      return;
    }
    const at = rows.findIndex((r) => (r.snapshot?.id ?? null) === selectedId);
    const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: rows.length - 1 }[e.key];
    if (to === undefined || !rows.length) return;
    e.preventDefault();
    const row = rows[Math.max(0, Math.min(rows.length - 1, to))]!;
    setSelectedId(row.snapshot?.id ?? null);
    treeRef.current?.querySelector<HTMLElement>(`[data-row="${CSS.escape(rowKey(row))}"]`)?.focus();
  };
  const time = (iso: string) => {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(i18n.language);
  };
  const currentLabel = list?.currentChanged ? t('snapshots.currentChanged') : t('snapshots.current');
  const currentParent = list?.snapshots.find((s) => s.id === list.currentId) ?? null;

  return (
    <div className="snapshots">
      <div className="snapshot-tools" role="toolbar" aria-label={t('snapshots.tools')}>
        <button
          type="button"
          disabled={!list || list.unsupported !== null || !allowed('takeSnapshot')}
          onClick={() => setDialog({ kind: 'take' })}
          title={takeTitle(list, t('snapshots.takeHint'), core)}
        >
          {t('snapshots.take')}
        </button>
        <button type="button" disabled={!selected || !allowed('revertSnapshot')} onClick={onRevert} title={t('snapshots.revertHint')}>
          {t('snapshots.revert')}
        </button>
        <button
          type="button"
          disabled={!selected || !allowed('deleteSnapshot')}
          onClick={() => selected && setDialog({ kind: 'delete', snapshot: selected })}
          title={t('snapshots.deleteHint')}
        >
          {t('snapshots.delete')}
        </button>
        <button
          type="button"
          disabled={!list || !allowed('clone')}
          onClick={() => setDialog({ kind: 'clone', snapshot: selected })}
          title={t('snapshots.cloneHint')}
        >
          {t('snapshots.clone')}
        </button>
      </div>
      <ProgressBar event={progress} pending={pending} />
      {list?.unsupported ? (
        <p className="notice" data-testid="snapshots-unsupported">
          {core(list.unsupported)}
        </p>
      ) : null}
      {loadError ? (
        <p className="field-error" role="alert">
          {core(loadError)}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" role="alert">
          {core(error)}
        </p>
      ) : null}
      {status ? (
        <p className="ok" role="status">
          {status}
        </p>
      ) : null}
      {!list && !loadError ? <p className="notice">{t('snapshots.loading')}</p> : null}
      {list ? (
        <>
          <ul className="snapshot-tree" role="tree" aria-label={t('snapshots.tree', { name: vm.name })} ref={treeRef} onKeyDown={onTreeKey}>
            {rows.map((r) => {
              const isSelected = (r.snapshot?.id ?? null) === selectedId;
              const common = {
                role: 'treeitem',
                'aria-level': r.depth + 1,
                'aria-selected': isSelected,
                tabIndex: isSelected ? 0 : -1,
                'data-row': rowKey(r),
                style: { paddingLeft: `${8 + r.depth * 20}px` },
                onClick: () => setSelectedId(r.snapshot?.id ?? null),
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
          {list.snapshots.length === 0 && !list.unsupported ? <p className="notice">{t('snapshots.none')}</p> : null}
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
        </>
      ) : null}
      {dialog?.kind === 'take' && list ? <TakeDialog vmName={vm.name} list={list} onCancel={() => setDialog(null)} onTake={take} /> : null}
      {dialog?.kind === 'revert' && list ? (
        <RevertDialog
          snapshot={dialog.snapshot}
          list={list}
          onCancel={() => setDialog(null)}
          onRevert={(takeCurrentAs) => revert(dialog.snapshot, takeCurrentAs)}
        />
      ) : null}
      {dialog?.kind === 'delete' ? <DeleteDialog snapshot={dialog.snapshot} onCancel={() => setDialog(null)} onDelete={() => remove(dialog.snapshot)} /> : null}
      {dialog?.kind === 'clone' ? <CloneDialog vm={vm} snapshot={dialog.snapshot} onCancel={() => setDialog(null)} onClone={clone} /> : null}
    </div>
  );
}

function TakeDialog({
  vmName,
  list,
  onCancel,
  onTake,
}: {
  vmName: string;
  list: SnapshotList;
  onCancel: () => void;
  onTake: (name: string, description: string) => void;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState(() => nextName(list, (n) => t('snapshots.defaultName', { n })));
  const [description, setDescription] = useState('');
  const problem = snapshotNameProblem(name, list);
  return (
    <Modal id="take-title" title={t('snapshots.takeTitle', { name: vmName })} onCancel={onCancel}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!problem) onTake(name, description);
        }}
      >
        <Field id="snap-name" label={t('snapshots.name')} error={problem}>
          <input id="snap-name" value={name} autoFocus aria-invalid={problem !== null} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field id="snap-description" label={t('snapshots.description')}>
          <textarea id="snap-description" rows={4} value={description} onChange={(e) => setDescription(e.target.value)} />
        </Field>
        <div className="dialog-buttons">
          <button type="button" onClick={onCancel}>
            {t('snapshots.cancel')}
          </button>
          <button type="submit" className="primary" disabled={problem !== null}>
            {t('snapshots.takeConfirm')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** Asked when the current state has changed: VirtualBox's "take a snapshot of the current state first?". */
function RevertDialog({
  snapshot,
  list,
  onCancel,
  onRevert,
}: {
  snapshot: SnapshotInfo;
  list: SnapshotList;
  onCancel: () => void;
  onRevert: (takeCurrentAs: string | null) => void;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState(() => nextName(list, (n) => t('snapshots.defaultName', { n })));
  const problem = snapshotNameProblem(name, list);
  return (
    <Modal id="revert-title" title={t('snapshots.revertTitle', { name: snapshot.name })} alert onCancel={onCancel}>
      <p>{t('snapshots.revertChanged')}</p>
      <Field id="revert-current-name" label={t('snapshots.currentName')} error={problem}>
        <input id="revert-current-name" value={name} aria-invalid={problem !== null} onChange={(e) => setName(e.target.value)} />
      </Field>
      <div className="dialog-buttons">
        <button type="button" onClick={onCancel}>
          {t('snapshots.cancel')}
        </button>
        <button type="button" onClick={() => onRevert(null)}>
          {t('snapshots.dontTake')}
        </button>
        <button type="button" className="primary" autoFocus disabled={problem !== null} onClick={() => onRevert(name)}>
          {t('snapshots.takeFirst')}
        </button>
      </div>
    </Modal>
  );
}

function DeleteDialog({ snapshot, onCancel, onDelete }: { snapshot: SnapshotInfo; onCancel: () => void; onDelete: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal id="delete-snapshot-title" title={t('snapshots.deleteTitle', { name: snapshot.name })} alert onCancel={onCancel}>
      <p>{t('snapshots.deleteBody')}</p>
      {snapshot.linkedClones.length ? <p className="guidance">{t('snapshots.deleteLinked', { names: snapshot.linkedClones.join(', ') })}</p> : null}
      <div className="dialog-buttons">
        <button type="button" onClick={onCancel} autoFocus>
          {t('snapshots.cancel')}
        </button>
        <button type="button" className="danger" onClick={onDelete}>
          {t('snapshots.deleteConfirm')}
        </button>
      </div>
    </Modal>
  );
}
