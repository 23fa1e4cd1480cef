import { Fragment, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { VmSummary } from '../../../core/common/api';
import { plainText } from '../../../core/common/terminalQueries';
import { toUiError, useService, type UiError } from '../useService';
import { useCoreText } from '../coreText';

/**
 * The VM's logs (console, engine, guest host), as `guesthouse log` shows them, as plain text
 * (no escape sequences), with a search that marks each match and steps through them, and "Save
 * as" to a file.
 */
export function LogView({ vm }: { vm: VmSummary }) {
  const { t } = useTranslation();
  const core = useCoreText();
  const service = useService();
  const [text, setText] = useState<string | UiError | null>(null);
  const [query, setQuery] = useState('');
  const [current, setCurrent] = useState(0);
  const pre = useRef<HTMLPreElement>(null);
  const load = useCallback(() => {
    service.readLog(vm.id).then(
      (log) => setText(plainText(log)),
      (err: unknown) => setText(toUiError(err)),
    );
  }, [service, vm.id]);
  useEffect(load, [load, vm.state]);

  const plain = typeof text === 'string' ? text : null;
  // The log cut at each match (case-insensitive), so the matches can be marked.
  const pieces = useMemo(() => {
    if (plain === null || !query) return null;
    const out: { text: string; match: boolean }[] = [];
    const lower = plain.toLowerCase();
    const q = query.toLowerCase();
    let at = 0;
    for (let i = lower.indexOf(q); i >= 0; i = lower.indexOf(q, i + q.length)) {
      out.push({ text: plain.slice(at, i), match: false }, { text: plain.slice(i, i + q.length), match: true });
      at = i + q.length;
    }
    out.push({ text: plain.slice(at), match: false });
    return out;
  }, [plain, query]);
  const matches = pieces ? pieces.filter((p) => p.match).length : 0;
  useEffect(() => {
    pre.current?.querySelector('mark.current')?.scrollIntoView({ block: 'center' });
  }, [current, pieces]);

  const step = (by: number) => matches && setCurrent((c) => (c + by + matches) % matches);
  const save = () => {
    if (plain === null) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([plain], { type: 'text/plain' }));
    a.download = `${vm.name}.log`;
    a.click();
    URL.revokeObjectURL(a.href);
  };
  let n = -1;
  return (
    <div className="log">
      <div className="log-tools" role="toolbar" aria-label={t('log.tools')}>
        <button type="button" onClick={load}>
          {t('log.refresh')}
        </button>
        <input
          type="search"
          aria-label={t('log.search')}
          placeholder={t('log.search')}
          value={query}
          onChange={(e) => (setQuery(e.target.value), setCurrent(0))}
          onKeyDown={(e) => e.key === 'Enter' && (e.preventDefault(), step(e.shiftKey ? -1 : 1))}
        />
        <button type="button" disabled={!matches} onClick={() => step(-1)}>
          {t('log.previous')}
        </button>
        <button type="button" disabled={!matches} onClick={() => step(1)}>
          {t('log.next')}
        </button>
        {query ? (
          <span className="small" role="status">
            {t('log.matches', { count: matches })}
          </span>
        ) : null}
        <button type="button" disabled={plain === null} onClick={save}>
          {t('log.save')}
        </button>
      </div>
      <pre ref={pre} role="region" tabIndex={0} aria-label={t('tabs.log')}>
        {pieces
          ? pieces.map((p, i) =>
              p.match ? (
                <mark key={i} className={++n === current ? 'current' : undefined}>
                  {p.text}
                </mark>
              ) : (
                <Fragment key={i}>{p.text}</Fragment>
              ),
            )
          : core(text)}
      </pre>
    </div>
  );
}
