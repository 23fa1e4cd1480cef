import { useTranslation } from 'react-i18next';
import type { VmState } from '../../../core/common/state';
import { StateIcon } from './icons';

export function StateBadge({ state }: { state: VmState }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge-${state}`} data-state={state}>
      <StateIcon state={state} size={12} />
      {t(`state.${state}`)}
    </span>
  );
}
