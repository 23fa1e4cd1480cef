import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CloneRequest, SnapshotInfo, VmSummary } from '../../../core/common/api';
import { vmNameSchema } from '../../../core/common/config';
import { Field, firstProblem } from './Field';
import { FormDialog } from './Modal';

/**
 * A new VM from this one: a full clone (every disk copied) of the current state (the snapshots
 * kept if asked) or of the selected snapshot, or a linked clone (new disks backed by the
 * selected snapshot: small and quick, and the snapshot must then stay).
 */
export function CloneDialog({
  vm,
  snapshot,
  onCancel,
  onClone,
}: {
  vm: VmSummary;
  snapshot: SnapshotInfo | null;
  onCancel: () => void;
  onClone: (request: CloneRequest) => void;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState(() => t('clone.defaultName', { name: vm.name }));
  const [mode, setMode] = useState<CloneRequest['mode']>('full');
  const [keepSnapshots, setKeepSnapshots] = useState(false);
  const problem = firstProblem(vmNameSchema, name);
  const submit = () =>
    onClone({
      name,
      mode,
      ...(snapshot ? { snapshot: snapshot.id } : {}),
      ...(!snapshot && keepSnapshots ? { keepSnapshots: true } : {}),
    });
  return (
    <FormDialog
      id="clone-title"
      title={t('clone.title', { name: vm.name })}
      cancel={t('clone.cancel')}
      submit={t('clone.clone')}
      valid={problem === null}
      onCancel={onCancel}
      onSubmit={submit}
    >
      <Field id="clone-name" label={t('clone.name')} error={problem}>
        <input id="clone-name" value={name} autoFocus aria-invalid={problem !== null} onChange={(e) => setName(e.target.value)} />
      </Field>
      <p>
        <strong>{t('clone.from')}</strong> {snapshot ? t('clone.fromSnapshot', { name: snapshot.name }) : t('clone.fromCurrent')}
      </p>
      <fieldset className="field">
        <legend>{t('clone.type')}</legend>
        <label className="radio">
          <input type="radio" name="clone-mode" checked={mode === 'full'} onChange={() => setMode('full')} /> {t('clone.full')}
        </label>
        <label className="radio">
          <input type="radio" name="clone-mode" checked={mode === 'linked'} disabled={!snapshot} onChange={() => setMode('linked')} /> {t('clone.linked')}
        </label>
        {snapshot ? null : (
          <>
            <p className="hint">{t('clone.linkedNeedsSnapshot')}</p>
            {/* The current state's full clone may take the tree along; a snapshot's state starts with none. */}
            <label className="radio">
              <input type="checkbox" checked={keepSnapshots} onChange={(e) => setKeepSnapshots(e.target.checked)} /> {t('clone.keepSnapshots')}
            </label>
          </>
        )}
      </fieldset>
    </FormDialog>
  );
}
