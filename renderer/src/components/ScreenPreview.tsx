import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { VmSummary } from '../../../core/common/api';
import { useService } from '../useService';

const REFRESH_MS = 3000;

/** Whether an element is on screen and its page is in front (no screenshots for nobody). */
function useSeen(ref: React.RefObject<HTMLElement | null>): boolean {
  const [inView, setInView] = useState(false);
  const [pageShown, setPageShown] = useState(() => document.visibilityState === 'visible');
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new IntersectionObserver((entries) => setInView(entries.some((e) => e.isIntersecting)));
    observer.observe(el);
    const onVisibility = () => setPageShown(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      observer.disconnect();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [ref]);
  return inView && pageShown;
}

/** A live thumbnail of the guest's screen, as VirtualBox's Preview: a screenshot every few seconds while it is seen. */
export function ScreenPreview({ vm, withDisplay }: { vm: VmSummary; withDisplay: boolean }) {
  const { t } = useTranslation();
  const service = useService();
  const box = useRef<HTMLElement>(null);
  const seen = useSeen(box);
  const [url, setUrl] = useState<string | null>(null);
  const current = useRef<string | null>(null);
  const live = withDisplay && (vm.state === 'running' || vm.state === 'paused');

  const show = (next: string | null) => {
    const old = current.current;
    current.current = next;
    setUrl(next);
    if (old) URL.revokeObjectURL(old);
  };

  useEffect(() => {
    if (!live) return show(null);
    if (!seen) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const png = await service.screenshot(vm.id);
        if (!stopped) show(URL.createObjectURL(new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' })));
      } catch {
        // The guest is stopping, or its screen is not up yet: the next tick tries again.
      }
      if (!stopped) timer = setTimeout(() => void tick(), REFRESH_MS);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [service, vm.id, live, seen]);

  useEffect(() => () => show(null), []);

  return (
    <section className="preview" ref={box} aria-label={t('details.preview')}>
      <h3>{t('details.preview')}</h3>
      {url ? (
        <img src={url} alt={t('details.previewAlt', { name: vm.name })} data-testid="preview" />
      ) : (
        <p className="preview-empty">{withDisplay ? t('details.previewNone') : t('details.previewNoDisplay')}</p>
      )}
    </section>
  );
}
