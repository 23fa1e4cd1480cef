import { Component, type ReactNode } from 'react';
import i18next from 'i18next';

/** A bug in the UI shows a report with its details, never a blank window. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return <BugReport message={error.message} stack={error.stack} onClose={() => location.reload()} closeLabel={i18next.t('errors.reload')} />;
  }
}

export function BugReport({ message, stack, onClose, closeLabel }: { message: string; stack?: string | undefined; onClose: () => void; closeLabel: string }) {
  return (
    <div className="dialog-backdrop">
      <section className="dialog bug" role="alertdialog" aria-labelledby="bug-title">
        <h2 id="bug-title">{i18next.t('errors.bugTitle')}</h2>
        <p>{i18next.t('errors.bugBody')}</p>
        <details open>
          <summary>{i18next.t('errors.details')}</summary>
          <pre>{`${message}\n${stack ?? ''}\n${navigator.userAgent}`}</pre>
        </details>
        <div className="dialog-buttons">
          <button type="button" onClick={onClose}>
            {closeLabel}
          </button>
        </div>
      </section>
    </div>
  );
}
