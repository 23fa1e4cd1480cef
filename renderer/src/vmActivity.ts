import { useEffect, useRef, useState } from 'react';
import type { VmSummary } from '../../core/common/api';

const LAST_USED_KEY = 'guesthouse.lastUsed';

function readLastUsed(): Record<string, number> {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(LAST_USED_KEY) ?? '{}');
    return v && typeof v === 'object' ? (v as Record<string, number>) : {};
  } catch {
    return {};
  }
}

/**
 * When each VM entered its state and when it last ran, as this window saw it: the service's
 * summaries carry neither, so "since" is known for changes seen since the page loaded (else
 * unknown), and "last used" is kept in this browser's storage, stamped whenever a VM is seen running.
 */
export function useVmActivity(vms: readonly VmSummary[]): { since: ReadonlyMap<string, number>; lastUsed: Readonly<Record<string, number>>; now: number } {
  const seen = useRef(new Map<string, string>());
  const since = useRef(new Map<string, number>());
  const [lastUsed, setLastUsed] = useState(readLastUsed);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = Date.now();
    let used: Record<string, number> | null = null;
    for (const v of vms) {
      const before = seen.current.get(v.id);
      if (before !== undefined && before !== v.state) since.current.set(v.id, t);
      seen.current.set(v.id, v.state);
      if (v.state === 'running' || before === 'running') (used ??= { ...readLastUsed() })[v.id] = t;
    }
    if (used) {
      localStorage.setItem(LAST_USED_KEY, JSON.stringify(used));
      setLastUsed(used);
    }
    setNow(t);
  }, [vms]);
  // The relative times ("2 minutes ago") move on by themselves.
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return { since: since.current, lastUsed, now };
}

/** "5 minutes ago" in the GUI's language. */
export function ago(then: number, now: number, lang: string): string {
  const s = Math.round((then - now) / 1000);
  const f = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  if (s > -60) return f.format(Math.min(0, s), 'second');
  if (s > -3600) return f.format(Math.round(s / 60), 'minute');
  if (s > -86400) return f.format(Math.round(s / 3600), 'hour');
  return f.format(Math.round(s / 86400), 'day');
}
