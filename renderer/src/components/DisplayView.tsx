import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import RFB from '@novnc/novnc';
import type { VmSummary } from '../../../core/common/api';
import { displayTarget } from '../client';
import { isGuestUp } from '../vmState';

type Status = 'connecting' | 'connected' | 'disconnected' | 'unavailable';

/** Consecutive failed connections (no RFB handshake) before the view waits for the user. */
const MAX_RETRIES = 10;
const RETRY_MS = 1500;

/**
 * The guest's screen through noVNC: over /display/<id> in a browser, over a MessagePort
 * in Electron. Clicking the screen gives it the keyboard; Right Ctrl or the button takes
 * the keyboard back, as VirtualBox's host key does.
 */
export function DisplayView({ vm }: { vm: VmSummary }) {
  const { t } = useTranslation();
  const outer = useRef<HTMLDivElement>(null);
  const screen = useRef<HTMLDivElement>(null);
  const rfbRef = useRef<RFB | null>(null);
  const [status, setStatus] = useState<Status>('connecting');
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  const [name, setName] = useState('');
  const [captured, setCaptured] = useState(false);
  const [fit, setFit] = useState(() => localStorage.getItem('guesthouse.displayScale') !== '1:1');
  const [fullScreen, setFullScreen] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const fitRef = useRef(fit);
  fitRef.current = fit;
  const live = isGuestUp(vm.state);

  useEffect(() => {
    const target = screen.current;
    if (!live || !target) return;
    let disposed = false;
    let rfb: RFB | null = null;
    let connected = false;
    let failures = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;
    // The guest's resolution: the canvas noVNC sizes to the framebuffer.
    const sizes = new MutationObserver(() => {
      const canvas = target.querySelector('canvas');
      if (canvas && canvas.width > 0) setSize({ width: canvas.width, height: canvas.height });
    });
    sizes.observe(target, { subtree: true, childList: true, attributes: true, attributeFilter: ['width', 'height'] });
    const onFocus = () => setCaptured(document.activeElement === target.querySelector('canvas'));
    target.addEventListener('focusin', onFocus);
    target.addEventListener('focusout', onFocus);
    // Right Ctrl is the host key: it releases the keyboard and never reaches the guest.
    const onKey = (e: KeyboardEvent) => {
      if (e.code !== 'ControlRight') return;
      e.preventDefault();
      e.stopPropagation();
      rfbRef.current?.blur();
      (document.activeElement as HTMLElement | null)?.blur();
    };
    target.addEventListener('keydown', onKey, true);

    const open = () => {
      setStatus('connecting');
      displayTarget(vm.id).then(
        (channel) => {
          if (disposed) {
            if (typeof channel !== 'string') channel.close();
            return;
          }
          const r = new RFB(target, channel, { shared: true });
          rfb = r;
          rfbRef.current = r;
          (target as HTMLDivElement & { rfb?: RFB }).rfb = r; // for tests
          r.scaleViewport = fitRef.current;
          r.focusOnClick = true;
          r.background = '#000';
          r.addEventListener('connect', () => {
            connected = true;
            failures = 0;
            setStatus('connected');
          });
          r.addEventListener('desktopname', (e) => setName(e.detail.name));
          r.addEventListener('disconnect', () => {
            if (rfb === r) rfb = null;
            if (rfbRef.current === r) rfbRef.current = null;
            setCaptured(false);
            if (disposed) return;
            setStatus('disconnected');
            // A guest host that is not listening yet, or a reset: try again for a while.
            if (!connected) failures++;
            connected = false;
            if (failures < MAX_RETRIES) retry = setTimeout(open, RETRY_MS);
          });
        },
        () => {
          if (!disposed) setStatus('unavailable');
        },
      );
    };
    open();
    return () => {
      disposed = true;
      clearTimeout(retry);
      sizes.disconnect();
      target.removeEventListener('focusin', onFocus);
      target.removeEventListener('focusout', onFocus);
      target.removeEventListener('keydown', onKey, true);
      rfb?.disconnect();
      rfbRef.current = null;
      setSize(null);
      setCaptured(false);
    };
  }, [vm.id, live, attempt]);

  useEffect(() => {
    if (rfbRef.current) rfbRef.current.scaleViewport = fit;
    localStorage.setItem('guesthouse.displayScale', fit ? 'fit' : '1:1');
  }, [fit]);

  useEffect(() => {
    const onChange = () => setFullScreen(document.fullscreenElement === outer.current);
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, []);

  if (!live) return <p className="notice">{t('display.notRunning', { name: vm.name })}</p>;
  const connectedNow = status === 'connected';
  return (
    <div className="display" ref={outer}>
      <div className="display-tools" role="toolbar" aria-label={t('display.tools')}>
        <button type="button" aria-pressed={fit} onClick={() => setFit(true)}>
          {t('display.fit')}
        </button>
        <button type="button" aria-pressed={!fit} onClick={() => setFit(false)}>
          {t('display.actualSize')}
        </button>
        <button type="button" onClick={() => void (fullScreen ? document.exitFullscreen() : outer.current?.requestFullscreen())?.catch(() => undefined)}>
          {fullScreen ? t('display.exitFullScreen') : t('display.fullScreen')}
        </button>
        <button type="button" disabled={!connectedNow} onClick={() => rfbRef.current?.sendCtrlAltDel()}>
          {t('display.ctrlAltDel')}
        </button>
        {/* A press that took the focus would release the keyboard before the click decides. */}
        {captured ? (
          <button key="release" type="button" onMouseDown={(e) => e.preventDefault()} onClick={() => rfbRef.current?.blur()}>
            {t('display.release')}
          </button>
        ) : (
          <button key="capture" type="button" disabled={!connectedNow} onMouseDown={(e) => e.preventDefault()} onClick={() => rfbRef.current?.focus()}>
            {t('display.capture')}
          </button>
        )}
        {status === 'disconnected' || status === 'unavailable' ? (
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>
            {t('display.reconnect')}
          </button>
        ) : null}
      </div>
      <div className={captured ? 'display-hint captured' : 'display-hint'} aria-live="polite" data-testid="keyboard-hint">
        {captured ? t('display.captured') : connectedNow ? t('display.clickToCapture') : '\u00a0'}
      </div>
      <div className="display-screen" ref={screen} role="application" aria-label={t('display.label', { name: vm.name })} data-testid="display" />
      <div className="display-status" role="status" data-testid="display-status">
        {t(`display.status.${status}`)}
        {connectedNow && size ? ` · ${t('display.resolution', { width: size.width, height: size.height })}` : ''}
        {connectedNow && name ? ` · ${name}` : ''}
      </div>
    </div>
  );
}
