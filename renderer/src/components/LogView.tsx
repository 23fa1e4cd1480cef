import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { VmSummary } from '../../../core/common/api';
import { toUiError, useService, type UiError } from '../useService';
import { useCoreText } from '../coreText';

/** The VM's logs (console, engine, guest host), as `guesthouse log` shows them. */
export function LogView({ vm }: { vm: VmSummary }) {
  const { t } = useTranslation();
  const core = useCoreText();
  const service = useService();
  const [text, setText] = useState<string | UiError | null>(null);
  const load = useCallback(() => {
    service.readLog(vm.id).then(setText, (err: unknown) => setText(toUiError(err)));
  }, [service, vm.id]);
  useEffect(load, [load, vm.state]);
  return (
    <div className="log">
      <button type="button" onClick={load}>
        {t('log.refresh')}
      </button>
      <pre aria-label={t('tabs.log')}>{core(text)}</pre>
    </div>
  );
}
