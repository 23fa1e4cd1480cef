import { useEffect, useRef } from 'react';

const FOCUSABLE = 'input:not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled]), [tabindex="0"]';

/**
 * Keyboard care for the app's own dialogs (the wizard, the host panel, Delete): while `open`,
 * the focus starts on the dialog's first control, Escape closes it (only when no other dialog
 * is open over it), and when it closes the focus goes back to where it was.
 */
export function useDialogFocus(open: boolean, onEscape: () => void): void {
  const escape = useRef(onEscape);
  escape.current = onEscape;
  useEffect(() => {
    if (!open) return;
    const back = document.activeElement as HTMLElement | null;
    const dialogs = () => document.querySelectorAll<HTMLElement>('[aria-modal="true"]');
    const first = [...dialogs()].at(-1);
    if (first && !first.contains(document.activeElement)) first.querySelector<HTMLElement>(FOCUSABLE)?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented && dialogs().length === 1) escape.current();
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      if (back?.isConnected) back.focus();
    };
  }, [open]);
}
