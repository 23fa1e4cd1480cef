import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { VmSummary } from '../../../core/common/api';
import { isActionAllowed, type VmAction } from '../../../core/common/state';

export type ToolbarAction = 'new' | 'start' | 'pause' | 'resume' | 'reset' | 'shutdown' | 'poweroff' | 'save' | 'discard' | 'delete' | 'host';

const shortcuts: Record<string, ToolbarAction> = { n: 'new', s: 'start', p: 'pause', r: 'reset', h: 'shutdown', o: 'poweroff', v: 'save', i: 'host' };

/** Buttons are enabled only in states where the action is allowed (core/common/state.ts). */
export function Toolbar({ vm, onAction }: { vm: VmSummary | null; onAction: (a: ToolbarAction) => void }) {
  const { t } = useTranslation();
  const allowed = (a: VmAction) => vm !== null && isActionAllowed(a, vm.state);
  const paused = vm?.state === 'paused';

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLElement && e.target.closest('input, textarea, select, .xterm')) return;
      if (e.altKey && shortcuts[e.key.toLowerCase()]) {
        let a = shortcuts[e.key.toLowerCase()]!;
        if (a === 'pause' && paused) a = 'resume';
        if (a === 'new' || a === 'host' || allowed(a as VmAction)) onAction(a);
        e.preventDefault();
      } else if (e.key === 'Delete' && allowed('delete')) onAction('delete');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const button = (a: ToolbarAction, label: string, enabled: boolean, key?: string) => (
    <button type="button" className={`tool tool-${a}`} disabled={!enabled} onClick={() => onAction(a)} title={key ? `${label} (Alt+${key})` : label}>
      {label}
    </button>
  );
  return (
    <div className="toolbar" role="toolbar">
      {button('new', t('toolbar.new'), true, 'N')}
      <span className="sep" />
      {button('start', t('toolbar.start'), allowed('start'), 'S')}
      {paused ? button('resume', t('toolbar.resume'), allowed('resume'), 'P') : button('pause', t('toolbar.pause'), allowed('pause'), 'P')}
      {button('reset', t('toolbar.reset'), allowed('reset'), 'R')}
      {button('shutdown', t('toolbar.shutdown'), allowed('shutdown'), 'H')}
      {button('poweroff', t('toolbar.powerOff'), allowed('poweroff'), 'O')}
      {vm?.state === 'saved' ? button('discard', t('toolbar.discard'), allowed('discard')) : button('save', t('toolbar.save'), allowed('save'), 'V')}
      <span className="sep" />
      {button('delete', t('toolbar.delete'), allowed('delete'))}
      <span className="grow" />
      {button('host', t('toolbar.host'), true, 'I')}
    </div>
  );
}
