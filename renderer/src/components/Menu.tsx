import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { actionInfo, type ToolbarAction } from '../actions';

export interface MenuEntry {
  action: ToolbarAction;
  enabled: boolean;
}

/**
 * A popup menu of actions (the toolbar's overflow, the list's context menu) at a point of the
 * window, kept inside it. Arrow keys move, Enter picks, Escape or a click elsewhere closes and
 * gives the focus back to where it was.
 */
export function ActionMenu({
  label,
  entries,
  at,
  onPick,
  onClose,
}: {
  label: string;
  entries: readonly MenuEntry[];
  at: { x: number; y: number };
  onPick: (a: ToolbarAction) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState(at);
  // Where the focus was when the menu opened (before its first item takes it), to give it back.
  const [back] = useState(() => document.activeElement as HTMLElement | null);
  useLayoutEffect(() => {
    const r = ref.current!.getBoundingClientRect();
    setPos({ x: Math.max(4, Math.min(at.x, window.innerWidth - r.width - 4)), y: Math.max(4, Math.min(at.y, window.innerHeight - r.height - 4)) });
    ref.current!.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus();
  }, [at]);
  useEffect(() => {
    const away = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) onClose();
    };
    window.addEventListener('mousedown', away);
    return () => {
      window.removeEventListener('mousedown', away);
      back?.focus?.();
    };
  }, [onClose, back]);
  const move = (e: React.KeyboardEvent) => {
    const items = [...ref.current!.querySelectorAll<HTMLButtonElement>('button:not(:disabled)')];
    const i = items.indexOf(document.activeElement as HTMLButtonElement);
    const go = (n: number) => items[(n + items.length) % items.length]?.focus();
    if (e.key === 'ArrowDown') go(i + 1);
    else if (e.key === 'ArrowUp') go(i - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(items.length - 1);
    else if (e.key === 'Escape' || e.key === 'Tab') onClose();
    else return;
    e.preventDefault();
  };
  return createPortal(
    <div ref={ref} role="menu" aria-label={label} className="menu" style={{ left: pos.x, top: pos.y }} onKeyDown={move}>
      {entries.map(({ action, enabled }) => {
        const info = actionInfo(action);
        const Icon = info.icon;
        return (
          <button
            key={action}
            type="button"
            role="menuitem"
            disabled={!enabled}
            aria-keyshortcuts={info.key ? `Alt+${info.key}` : undefined}
            onClick={() => {
              onClose();
              onPick(action);
            }}
          >
            <Icon aria-hidden="true" size={16} />
            <span className="menu-label">{t(info.label)}</span>
            {info.key ? <kbd>Alt+{info.key}</kbd> : null}
          </button>
        );
      })}
    </div>,
    document.body,
  );
}
