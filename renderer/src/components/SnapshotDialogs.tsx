import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SnapshotInfo, SnapshotList } from '../../../core/common/api';
import { snapshotNameProblems } from '../../../core/common/snapshots';
import { Field } from './Field';
import { FormDialog, Modal } from './Modal';

/** "Snapshot N" for the first N not taken yet, as VirtualBox names them. */
function nextName(list: SnapshotList, say: (n: number) => string): string {
  let n = list.snapshots.length + 1;
  while (list.snapshots.some((s) => s.name === say(n))) n++;
  return say(n);
}

/** A new snapshot's name, first "Snapshot N", and what is wrong with it (the core's sentence) or null. */
function useNewName(list: SnapshotList) {
  const { t } = useTranslation();
  const [name, setName] = useState(() => nextName(list, (n) => t('snapshots.defaultName', { n })));
  const problem = snapshotNameProblems(name, list.snapshots)[0] ?? null;
  return { name, setName, problem };
}

export function TakeDialog({
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
  const { name, setName, problem } = useNewName(list);
  const [description, setDescription] = useState('');
  return (
    <FormDialog
      id="take-title"
      title={t('snapshots.takeTitle', { name: vmName })}
      cancel={t('snapshots.cancel')}
      submit={t('snapshots.takeConfirm')}
      valid={problem === null}
      onCancel={onCancel}
      onSubmit={() => onTake(name, description)}
    >
      <Field id="snap-name" label={t('snapshots.name')} error={problem}>
        <input id="snap-name" value={name} autoFocus aria-invalid={problem !== null} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field id="snap-description" label={t('snapshots.description')}>
        <textarea id="snap-description" rows={4} value={description} onChange={(e) => setDescription(e.target.value)} />
      </Field>
    </FormDialog>
  );
}

/** Asked when the current state has changed: VirtualBox's "take a snapshot of the current state first?". */
export function RevertDialog({
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
  const { name, setName, problem } = useNewName(list);
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

export function DeleteDialog({ snapshot, onCancel, onDelete }: { snapshot: SnapshotInfo; onCancel: () => void; onDelete: () => void }) {
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
