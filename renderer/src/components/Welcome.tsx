import { Download, Plus, Server } from 'lucide-react';
import { useTranslation } from 'react-i18next';

/**
 * The first screen, while there are no VMs: make one, download an OS (the wizard with its
 * catalogue open), add a host. "Add a host" shows once its handler is passed in: the GUI's
 * add-host dialog (libvirt hosts issue) is not built yet.
 */
export function Welcome({ onNew, onDownloadOs, onAddHost }: { onNew: () => void; onDownloadOs?: () => void; onAddHost?: () => void }) {
  const { t } = useTranslation();
  return (
    <section className="welcome" aria-labelledby="welcome-title">
      <h2 id="welcome-title">{t('gui.welcome.title')}</h2>
      <p>{t('gui.welcome.intro')}</p>
      <div className="welcome-actions">
        <button type="button" className="welcome-card" onClick={onNew}>
          <Plus aria-hidden="true" size={28} />
          <strong>{t('gui.welcome.new')}</strong>
          <span className="small">{t('gui.welcome.newHint')}</span>
        </button>
        {onDownloadOs ? (
          <button type="button" className="welcome-card" onClick={onDownloadOs}>
            <Download aria-hidden="true" size={28} />
            <strong>{t('gui.welcome.download')}</strong>
            <span className="small">{t('gui.welcome.downloadHint')}</span>
          </button>
        ) : null}
        {onAddHost ? (
          <button type="button" className="welcome-card" onClick={onAddHost}>
            <Server aria-hidden="true" size={28} />
            <strong>{t('gui.welcome.addHost')}</strong>
            <span className="small">{t('gui.welcome.addHostHint')}</span>
          </button>
        ) : null}
      </div>
    </section>
  );
}
