import { useEffect, useRef, type ReactNode } from 'react';

/** A modal dialog (an alertdialog when it asks before something that cannot be undone) that Escape cancels. */
export function Modal({ id, title, alert, onCancel, children }: { id: string; title: string; alert?: boolean; onCancel: () => void; children: ReactNode }) {
  const box = useRef<HTMLElement>(null);
  // The focus starts inside (its first control), so that the keyboard is in the dialog and Escape reaches it.
  useEffect(() => {
    if (!box.current?.contains(document.activeElement))
      box.current?.querySelector<HTMLElement>('input:not([disabled]), select, textarea, button:not([disabled])')?.focus();
  }, []);
  return (
    <div
      className="dialog-backdrop"
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        // Handled here: the dialog under this one (if any) stays open.
        e.preventDefault();
        onCancel();
      }}
    >
      <section className="dialog" role={alert ? 'alertdialog' : 'dialog'} aria-modal="true" aria-labelledby={id} ref={box}>
        <h2 id={id}>{title}</h2>
        {children}
      </section>
    </div>
  );
}

/** A modal form with Cancel and its primary button, which (and Enter) submits only while the form has no problem. */
export function FormDialog({
  id,
  title,
  cancel,
  submit,
  valid,
  onCancel,
  onSubmit,
  children,
}: {
  id: string;
  title: string;
  cancel: string;
  submit: string;
  valid: boolean;
  onCancel: () => void;
  onSubmit: () => void;
  children: ReactNode;
}) {
  return (
    <Modal id={id} title={title} onCancel={onCancel}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) onSubmit();
        }}
      >
        {children}
        <div className="dialog-buttons">
          <button type="button" onClick={onCancel}>
            {cancel}
          </button>
          <button type="submit" className="primary" disabled={!valid}>
            {submit}
          </button>
        </div>
      </form>
    </Modal>
  );
}
