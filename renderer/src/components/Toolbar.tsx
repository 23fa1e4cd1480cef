import { Ellipsis } from 'lucide-react';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { VmSummary } from '../../../core/common/api';
import { actionInfo, isAllowedFor, shortcuts, vmActionsFor, type ToolbarAction } from '../actions';
import { ActionMenu } from './Menu';

export type { ToolbarAction } from '../actions';

const GAP = 6;
const SEPARATOR = 9 + GAP;

/**
 * The actions for the selected VMs, each with its icon, its word and its Alt shortcut (in the
 * tooltip and the menu). Enabled only where the state allows it (core/common/state.ts, through
 * actions.ts). The actions that no longer fit the window's width move, from the end, into the
 * "More actions" menu: nothing is ever cut off.
 */
export function Toolbar({ vms, onAction }: { vms: readonly VmSummary[]; onAction: (a: ToolbarAction) => void }) {
  const { t } = useTranslation();
  const items: ToolbarAction[] = ['new', ...vmActionsFor(vms), 'host'];
  const allowed = (a: ToolbarAction) => isAllowedFor(a, vms);
  const bar = useRef<HTMLDivElement>(null);
  const measure = useRef<HTMLDivElement>(null);
  const more = useRef<HTMLButtonElement>(null);
  const [fit, setFit] = useState(items.length);
  const [menuAt, setMenuAt] = useState<{ x: number; y: number } | null>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLElement && e.target.closest('input, textarea, select, .xterm')) return;
      const key = e.key.toLowerCase();
      if (e.altKey && shortcuts[key]) {
        let a = shortcuts[key];
        if (a === 'pause' && vms[0]?.state === 'paused') a = 'resume';
        if (allowed(a)) onAction(a);
        e.preventDefault();
      } else if (e.key === 'Delete' && !e.altKey && allowed('delete')) onAction('delete');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  // How many actions fit: measured on an invisible copy of all of them, again whenever the bar or the words change size.
  useLayoutEffect(() => {
    const compute = () => {
      if (!bar.current || !measure.current) return;
      const room = bar.current.clientWidth;
      const widths = [...measure.current.children].map(
        (c, i) => c.getBoundingClientRect().width + GAP + (i > 0 && actionInfo(items[i]!).group ? SEPARATOR : 0),
      );
      const total = widths.reduce((a, b) => a + b, 0);
      if (total <= room) return setFit(widths.length);
      const moreWidth = (more.current?.getBoundingClientRect().width ?? 36) + GAP;
      let used = moreWidth;
      let n = 0;
      while (n < widths.length && used + widths[n]! <= room) used += widths[n++]!;
      setFit(n);
    };
    compute();
    const observer = new ResizeObserver(compute);
    observer.observe(bar.current!);
    observer.observe(measure.current!);
    return () => observer.disconnect();
    // The items' words are in the measured copy, which the observer watches.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [items.join(' ')]);

  const button = (a: ToolbarAction, hidden = false) => {
    const info = actionInfo(a);
    const Icon = info.icon;
    const label = t(info.label);
    return (
      <button
        key={a}
        type="button"
        className={`tool tool-${a}`}
        disabled={!allowed(a)}
        onClick={() => onAction(a)}
        title={info.key ? `${label} (Alt+${info.key})` : label}
        aria-keyshortcuts={info.key ? `Alt+${info.key}` : undefined}
        tabIndex={hidden ? -1 : undefined}
      >
        <Icon aria-hidden="true" size={16} />
        <span>{label}</span>
      </button>
    );
  };
  const shown = items.slice(0, fit);
  const overflow = items.slice(fit);
  return (
    <div className="toolbar" role="toolbar" aria-label={t('gui.actions')} ref={bar}>
      {shown.map((a, i) => (
        <span key={a} className="tool-slot">
          {i > 0 && actionInfo(a).group ? <span className="sep" aria-hidden="true" /> : null}
          {button(a)}
        </span>
      ))}
      {overflow.length ? (
        <button
          ref={more}
          type="button"
          className="tool tool-more"
          aria-haspopup="menu"
          aria-expanded={menuAt !== null}
          aria-label={t('gui.moreActions')}
          title={t('gui.moreActions')}
          onClick={(e) => {
            const r = e.currentTarget.getBoundingClientRect();
            setMenuAt(menuAt ? null : { x: r.right - 220, y: r.bottom + 4 });
          }}
        >
          <Ellipsis aria-hidden="true" size={16} />
        </button>
      ) : null}
      {menuAt ? (
        <ActionMenu
          label={t('gui.moreActions')}
          entries={overflow.map((a) => ({ action: a, enabled: allowed(a) }))}
          at={menuAt}
          onPick={onAction}
          onClose={() => setMenuAt(null)}
        />
      ) : null}
      <div className="toolbar-measure" ref={measure} aria-hidden="true" inert>
        {items.map((a) => button(a, true))}
      </div>
    </div>
  );
}
