import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CloneRequest, SnapshotInfo, SnapshotList, VmSummary } from '../../../core/common/api';
import type { SentenceData } from '../../../core/common/messages';
import { isActionAllowed, type StorageAction } from '../../../core/common/state';
import { useCoreText } from '../coreText';
import { toUiError, useFetched, useService, type UiError } from '../useService';
import { CloneDialog } from './CloneDialog';
import { ProgressBar, snapshotOperations, useProgress, type Operation } from './ProgressBar';
import { DeleteDialog, RevertDialog, TakeDialog } from './SnapshotDialogs';
import { SnapshotDetails, SnapshotTree } from './SnapshotTree';

/** The take button's title: why it is disabled (the engine's record or the disks, as the service says), else what it does. */
export const takeTitle = (list: SnapshotList | null, hint: string, say: (s: SentenceData) => string) => (list?.unsupported ? say(list.unsupported) : hint);

type Dialog =
  { kind: 'take' } | { kind: 'revert'; snapshot: SnapshotInfo } | { kind: 'delete'; snapshot: SnapshotInfo } | { kind: 'clone'; snapshot: SnapshotInfo | null };

/** The Snapshots tab: the tree with its current state, and take, revert, delete and clone. */
export function SnapshotsView({ vm }: { vm: VmSummary }) {
  const { t } = useTranslation();
  const core = useCoreText();
  const service = useService();
  // The selected row: a snapshot's id, or null for the current state.
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [pending, setPending] = useState<Operation | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const listSnapshots = useCallback(() => service.listSnapshots(vm.id), [service, vm.id]);
  // Listed again when the VM's state changes (a run changes the current state).
  const { value: list, error: loadError, load } = useFetched(listSnapshots, vm.state);
  const progress = useProgress(vm.id, snapshotOperations, load);

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
          <SnapshotTree
            vmName={vm.name}
            list={list}
            selectedId={selectedId}
            onSelect={setSelectedId}
            onDelete={() => selected && allowed('deleteSnapshot') && setDialog({ kind: 'delete', snapshot: selected })}
          />
          {list.snapshots.length === 0 && !list.unsupported ? <p className="notice">{t('snapshots.none')}</p> : null}
          <SnapshotDetails list={list} selected={selected} />
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
