import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ProgressEvent } from '../../../core/common/api';
import { useCoreText } from '../coreText';
import { useService } from '../useService';

export type Operation = ProgressEvent['operation'];
export const snapshotOperations: readonly Operation[] = ['snapshot-take', 'snapshot-revert', 'snapshot-delete', 'clone'];
export const diskOperations: readonly Operation[] = ['disk-resize', 'disk-convert', 'disk-import'];

/**
 * The last progress event of a long operation (one of `operations`) running on this VM, from
 * any front end; null when none runs. Cleared by the operation's last event, which also calls
 * `onDone` (to load what the operation changed, whoever asked for it).
 */
export function useProgress(vmId: string, operations: readonly Operation[], onDone?: () => void): ProgressEvent | null {
  const service = useService();
  const [event, setEvent] = useState<ProgressEvent | null>(null);
  const done = useRef(onDone);
  done.current = onDone;
  const ops = operations.join(' ');
  useEffect(() => {
    setEvent(null);
    const wanted = ops.split(' ');
    const sub = service.onDidProgress((e) => {
      if (e.id !== vmId || !wanted.includes(e.operation)) return;
      setEvent(e.done ? null : e);
      if (e.done) done.current?.();
    });
    return () => sub.dispose();
  }, [service, vmId, ops]);
  return event;
}

/**
 * A long operation's bar and what it is doing now: the service's step while it reports one,
 * else just which operation runs (from the moment the GUI asked for it). Indeterminate while
 * the step gives no measure.
 */
export function ProgressBar({ event, pending }: { event: ProgressEvent | null; pending: Operation | null }) {
  const { t } = useTranslation();
  const core = useCoreText();
  const operation = event?.operation ?? pending;
  if (!operation) return null;
  const percent = event?.percent ?? null;
  const label = t(`progress.ops.${operation}`);
  const step = event ? core(event.step) : t('progress.waiting');
  return (
    <div className="progress" data-testid="progress">
      <progress
        aria-label={label}
        aria-valuetext={percent === null ? step : `${Math.round(percent)}% — ${step}`}
        max={100}
        {...(percent === null ? {} : { value: percent })}
      />
      <span className="small" aria-live="polite">
        {label}: {step}
        {percent === null ? '' : ` (${t('progress.percent', { percent: Math.round(percent) })})`}
      </span>
    </div>
  );
}
