// The new-VM wizard's installer medium: what the chosen ISO holds (detectMedia, its one line
// shown and its preset handed to the wizard), and "Download an OS" from the catalogue with a
// progress bar (speed and time left, from the service's os-download progress events).
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MediaInfo, OsCatalogueItem } from '../../../core/common/api';
import { useCoreText } from '../coreText';
import { toUiError, useService, type UiError } from '../useService';
import { ProgressBar, useProgress } from './ProgressBar';

/** What `iso` holds, read a moment after the path stops changing; null while none is known. */
export function useMediaDetection(iso: string, onFound: (info: MediaInfo) => void): { info: MediaInfo | null; checking: boolean } {
  const service = useService();
  const [info, setInfo] = useState<MediaInfo | null>(null);
  const [checking, setChecking] = useState(false);
  useEffect(() => {
    setInfo(null);
    if (!iso.trim()) return;
    let live = true;
    const timer = setTimeout(() => {
      setChecking(true);
      service.detectMedia(iso).then(
        (found) => {
          if (!live) return;
          setInfo(found);
          setChecking(false);
          onFound(found);
        },
        () => live && setChecking(false), // not an ISO (yet): the create call says what is wrong
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // onFound is the wizard's setter bundle, new each render: the path alone decides.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [service, iso]);
  return { info, checking };
}

export function MediaFound({ info, checking }: { info: MediaInfo | null; checking: boolean }) {
  const { t } = useTranslation();
  const core = useCoreText();
  if (checking) return <p className="hint">{t('wizard.isoChecking')}</p>;
  if (!info) return null;
  return (
    <p className="hint" data-testid="media-detected" aria-live="polite">
      {t('wizard.isoDetected', { description: core(info.description) })}
    </p>
  );
}

/** "Download an OS": pick one of the catalogue, download it with a progress bar, and hand its path to the wizard. */
export function DownloadOs({
  onDownloaded,
  hostArch,
  initiallyOpen = false,
}: {
  onDownloaded: (path: string) => void;
  hostArch: string;
  initiallyOpen?: boolean;
}) {
  const { t } = useTranslation();
  const core = useCoreText();
  const service = useService();
  const [open, setOpen] = useState(initiallyOpen);
  const [items, setItems] = useState<OsCatalogueItem[]>([]);
  const [picked, setPicked] = useState('');
  const [running, setRunning] = useState<string | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const event = useProgress(running ?? '', ['os-download']);
  useEffect(() => {
    if (!open) return;
    service.listOs().then(
      (list) => {
        setItems(list);
        setPicked((p) => p || list[0]?.id || '');
      },
      (err: unknown) => setError(toUiError(err)),
    );
  }, [open, service]);
  const runsHere = (o: OsCatalogueItem) => o.arch === 'i386' || o.arch === (hostArch === 'arm64' ? 'aarch64' : 'x86_64');
  const start = async () => {
    setError(null);
    setRunning(picked);
    try {
      const done = await service.downloadOs(picked);
      onDownloaded(done.path);
      setOpen(false);
    } catch (err) {
      setError(toUiError(err));
    } finally {
      setRunning(null);
    }
  };
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {t('wizard.downloadOs')}
      </button>
    );
  return (
    <div className="download-os" data-testid="download-os">
      <label htmlFor="os-pick">{t('wizard.downloadPick')}</label>
      <select id="os-pick" value={picked} disabled={running !== null} onChange={(e) => setPicked(e.target.value)}>
        {items.map((o) => (
          <option key={o.id} value={o.id}>
            {`${o.name} ${o.version} ${o.arch} ${o.edition} (~${Math.round(o.approxBytes / 2 ** 20)} MiB)`}
            {o.downloaded ? ` — ${t('wizard.downloadDone')}` : ''}
            {runsHere(o) ? '' : ` ${t('wizard.downloadOther')}`}
          </option>
        ))}
      </select>
      {running ? (
        <>
          <ProgressBar event={event} pending="os-download" />
          <button type="button" onClick={() => void service.cancelDownload(running).catch(() => undefined)}>
            {t('wizard.downloadCancel')}
          </button>
        </>
      ) : (
        <>
          <button type="button" className="primary" disabled={!picked} onClick={() => void start()}>
            {t('wizard.downloadStart')}
          </button>
          <button type="button" onClick={() => setOpen(false)}>
            {t('wizard.downloadClose')}
          </button>
        </>
      )}
      {error ? (
        <p className="field-error" role="alert">
          {core(error)}
        </p>
      ) : null}
    </div>
  );
}
