import type { ReactNode } from 'react';

/** A modal dialog (an alertdialog when it asks before something that cannot be undone) that Escape cancels. */
export function Modal({ id, title, alert, onCancel, children }: { id: string; title: string; alert?: boolean; onCancel: () => void; children: ReactNode }) {
  return (
    <div className="dialog-backdrop" onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <section className="dialog" role={alert ? 'alertdialog' : 'dialog'} aria-modal="true" aria-labelledby={id}>
        <h2 id={id}>{title}</h2>
        {children}
      </section>
    </div>
  );
}
