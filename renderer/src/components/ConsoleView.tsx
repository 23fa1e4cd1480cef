import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import type { VmSummary } from '../../../core/common/api';
import { useService } from '../useService';
import { stripTerminalQueries } from '../../../core/common/terminalQueries';
import { CONSOLE_WRITE_MAX_BYTES } from '../../../core/common/apiSchemas';
import { isGuestUp } from '../vmState';

/** Long input (a large paste) goes in parts, each once the last was taken: one write is bounded. */
async function writeInParts(service: ReturnType<typeof useService>, id: string, data: Uint8Array): Promise<void> {
  for (let at = 0; at < data.length; at += CONSOLE_WRITE_MAX_BYTES) await service.writeConsole(id, data.subarray(at, at + CONSOLE_WRITE_MAX_BYTES));
}

const dark = { background: '#1e1f22', foreground: '#dcdcdc', cursor: '#dcdcdc' };
const light = { background: '#ffffff', foreground: '#1e1f22', cursor: '#1e1f22', selectionBackground: '#b5d5ff' };

/**
 * xterm.js on the guest's serial console. Opening it shows the recent screen (the
 * guest host's ring buffer); output is acknowledged from xterm.write's callback so a
 * flooding guest is paused instead of freezing the window.
 */
export function ConsoleView({ vm }: { vm: VmSummary }) {
  const { t } = useTranslation();
  const service = useService();
  const host = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);
  const [fontSize, setFontSize] = useState(() => Number(localStorage.getItem('guesthouse.fontSize')) || 14);
  // A saved VM has no guest host to attach to either: it shows "not running", not an empty terminal.
  const live = isGuestUp(vm.state);

  useEffect(() => {
    if (!live || !host.current) return;
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    const terminal = new Terminal({
      scrollback: 10_000,
      fontSize,
      convertEol: false,
      theme: media.matches ? dark : light,
      fontFamily: 'ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace',
    });
    const fit = new FitAddon();
    terminal.loadAddon(fit);
    terminal.open(host.current);
    fit.fit();
    term.current = terminal;
    (host.current as HTMLDivElement & { terminal?: Terminal }).terminal = terminal; // for tests and accessibility tools
    const onTheme = () => (terminal.options.theme = media.matches ? dark : light);
    media.addEventListener('change', onTheme);
    const observer = new ResizeObserver(() => fit.fit());
    observer.observe(host.current);

    let disposed = false;
    let detach: (() => void) | undefined;
    let attachment: { ack(n: number): void } | undefined;
    const encoder = new TextEncoder();
    // xterm answers queries (cursor position…) through onData: none may come from the replayed backlog.
    let replaying = true;
    const input = terminal.onData((data) => {
      if (!replaying) void writeInParts(service, vm.id, encoder.encode(data)).catch(() => undefined);
    });
    void service
      .attachConsole(vm.id, (data) => terminal.write(data, () => attachment?.ack(data.length)), { flowControl: true })
      .then((a) => {
        attachment = a;
        if (disposed) return a.dispose();
        terminal.write(stripTerminalQueries(a.backlog), () => (replaying = false));
        detach = () => a.dispose();
      })
      .catch(() => undefined);
    terminal.focus();
    return () => {
      disposed = true;
      detach?.();
      input.dispose();
      observer.disconnect();
      media.removeEventListener('change', onTheme);
      terminal.dispose();
      term.current = null;
    };
    // Re-attach only when the guest (re)starts, not on every state badge change.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [vm.id, live, service]);

  useEffect(() => {
    if (term.current) term.current.options.fontSize = fontSize;
    localStorage.setItem('guesthouse.fontSize', String(fontSize));
  }, [fontSize]);

  if (!live) return <p className="notice">{t('console.notRunning', { name: vm.name })}</p>;
  return (
    <div className="console">
      <div className="console-tools">
        <button type="button" onClick={() => void navigator.clipboard?.writeText(term.current?.getSelection() ?? '')}>
          {t('console.copy')}
        </button>
        <button
          type="button"
          onClick={() =>
            void navigator.clipboard
              ?.readText()
              .then((text) => writeInParts(service, vm.id, new TextEncoder().encode(text)))
              .catch(() => undefined)
          }
        >
          {t('console.paste')}
        </button>
        <button type="button" aria-label={t('console.fontSmaller')} onClick={() => setFontSize((s) => Math.max(8, s - 1))}>
          A−
        </button>
        <button type="button" aria-label={t('console.fontBigger')} onClick={() => setFontSize((s) => Math.min(32, s + 1))}>
          A+
        </button>
      </div>
      <div className="terminal" ref={host} aria-label={t('console.label', { name: vm.name })} data-testid="terminal" />
    </div>
  );
}
