import { useTranslation } from 'react-i18next';
import type { VmSummary } from '../../../core/common/api';
import { useVmDetails } from './Details';

/** Says whether disks are kept before anything is deleted. */
export function ConfirmDelete({ vm, onConfirm, onCancel }: { vm: VmSummary; onConfirm: (keepDisks: boolean) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const details = useVmDetails(vm);
  const owned = details?.config.disks.filter((d) => d.owned) ?? [];
  return (
    <div className="dialog-backdrop">
      <section className="dialog" role="alertdialog" aria-modal="true" aria-labelledby="confirm-title">
        <h2 id="confirm-title">{t('confirm.deleteTitle', { name: vm.name })}</h2>
        <p>{owned.length ? t('confirm.deleteBodyDisks', { disks: owned.map((d) => d.path).join(', ') }) : t('confirm.deleteBodyNone')}</p>
        <div className="dialog-buttons">
          <button type="button" onClick={onCancel} autoFocus>
            {t('confirm.cancel')}
          </button>
          {owned.length ? (
            <>
              <button type="button" onClick={() => onConfirm(true)}>
                {t('confirm.deleteKeep')}
              </button>
              <button type="button" className="danger" onClick={() => onConfirm(false)}>
                {t('confirm.deleteAll')}
              </button>
            </>
          ) : (
            <button type="button" className="danger" onClick={() => onConfirm(false)}>
              {t('confirm.deleteNoDisks')}
            </button>
          )}
        </div>
      </section>
    </div>
  );
}
