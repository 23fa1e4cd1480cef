import { Download, Plus, Server } from 'lucide-react';
import { useTranslation } from 'react-i18next';

/**
 * The first screen, while there are no VMs: make one, download an OS, add a host.
 * "Download an OS" (the wizard's download issue) and "Add a host" (the libvirt hosts issue)
 * are not built yet: each shows only once its handler is passed in, so those issues only
 * have to wire theirs here.
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
