import { useTranslation } from 'react-i18next';
import type { VmState } from '../../../core/common/state';

export function StateBadge({ state }: { state: VmState }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge-${state}`} data-state={state}>
      {t(`state.${state}`)}
    </span>
  );
}
