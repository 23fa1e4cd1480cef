import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ProgressEvent, VmSummary } from '../../../core/common/api';
import { useService } from '../useService';
import { ProgressBar } from './ProgressBar';

/**
 * The long operations running now (snapshots, clones, disk conversions...), from any front end
 * and on any VM, wherever the user is in the app: one bar each, gone with the operation's last
 * event. No cancel button: the service has no way to cancel any of them yet (core/common/api.ts);
 * their failures are told by the tab that asked for them.
 */
export function Activity({ vms }: { vms: readonly VmSummary[] }) {
  const { t } = useTranslation();
  const service = useService();
  const [running, setRunning] = useState<ReadonlyMap<string, ProgressEvent>>(new Map());
  useEffect(() => {
    const sub = service.onDidProgress((e) => {
      setRunning((now) => {
        const next = new Map(now);
        const key = `${e.id} ${e.operation}`;
        if (e.done) next.delete(key);
        else next.set(key, e);
        return next;
      });
    });
    return () => sub.dispose();
  }, [service]);
  if (running.size === 0) return null;
  return (
    <section className="activity" aria-label={t('gui.activity')}>
      <h2>{t('gui.activity')}</h2>
      <ul>
        {[...running].map(([key, e]) => (
          <li key={key}>
            <strong>{vms.find((v) => v.id === e.id)?.name ?? e.id}</strong>
            <ProgressBar event={e} pending={null} />
          </li>
        ))}
      </ul>
    </section>
  );
}
