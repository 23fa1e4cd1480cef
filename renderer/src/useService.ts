import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { HostInfo, IVmService, VmSummary } from '../../core/common/api';
import type { ErrorData } from '../../core/common/errors';
import { formFields, isSentenceData, type FormField, type ProblemData } from '../../core/common/messages';

export const ServiceContext = createContext<IVmService | null>(null);

export function useService(): IVmService {
  const s = useContext(ServiceContext);
  if (!s) throw new Error('No service in context.');
  return s;
}

/** Every VM with its state, kept live by the service's events. */
export function useVms(): { vms: VmSummary[] | null; refresh: () => void } {
  const service = useService();
  const [vms, setVms] = useState<VmSummary[] | null>(null);
  const refresh = useCallback(() => {
    service.listVms().then(
      (list) => {
        // For the GUI benchmark (test/bench/gui.ts): when the page's data arrived, before React renders it.
        if (!performance.getEntriesByName('gh:vms').length) performance.mark('gh:vms');
        setVms(list);
      },
      () => undefined,
    );
  }, [service]);
  useEffect(() => {
    refresh();
    const a = service.onDidChangeState((e) => {
      setVms(
        (list) =>
          list?.map((v) => (v.id === e.id ? { ...v, state: e.state, ...(e.reason ? { stateReason: e.reason } : { stateReason: undefined }) } : v)) ?? list,
      );
    });
    const b = service.onDidChangeVms(refresh);
    return () => {
      a.dispose();
      b.dispose();
    };
  }, [service, refresh]);
  return { vms, refresh };
}

/**
 * What `fetch` gives (a VM's snapshots, its disks), fetched again whenever the VMs change or
 * `again` does, and by `load`; an older fetch's answer never overwrites a newer one's. Keep
 * `fetch` the same between renders (useCallback), or it is fetched on every render.
 */
export function useFetched<T>(fetch: () => Promise<T>, again?: unknown): { value: T | null; error: UiError | null; load: () => void } {
  const service = useService();
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const loads = useRef(0);
  const load = useCallback(() => {
    const n = ++loads.current;
    fetch().then(
      (v) => {
        if (n !== loads.current) return;
        setValue(v);
        setError(null);
      },
      (err: unknown) => n === loads.current && setError(toUiError(err)),
    );
  }, [fetch]);
  useEffect(() => {
    load();
    const sub = service.onDidChangeVms(load);
    return () => sub.dispose();
  }, [service, load, again]);
  return { value, error, load };
}

export function useHostInfo(): HostInfo | null {
  const service = useService();
  const [host, setHost] = useState<HostInfo | null>(null);
  useEffect(() => {
    service.getHostInfo().then(setHost, () => undefined);
  }, [service]);
  return host;
}

/**
 * An error as the GUI shows it: its sentence (said in the GUI's language by key, useCoreText),
 * the form field it is about, one sentence per problem, and whether it is a bug (set by the
 * core where the error was made; shown as a report, not as the user's mistake).
 */
export interface UiError extends ProblemData {
  bug: boolean;
  problems?: ProblemData[];
}

export function toUiError(err: unknown): UiError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as Partial<ErrorData>;
  const message = typeof e.message === 'string' ? e.message : String(err);
  const own = isSentenceData(e) ? { ...(e.key !== undefined ? { key: e.key } : {}), ...(e.params !== undefined ? { params: e.params } : {}) } : {};
  const field = typeof e.field === 'string' && (formFields as readonly string[]).includes(e.field) ? { field: e.field } : {};
  const problems = Array.isArray(e.problems) ? e.problems.filter((p) => isSentenceData(p)) : [];
  // An error with no flag did not come from the core as one (a browser's own): what it says is all there is.
  return { message, ...own, ...field, bug: typeof e.bug === 'boolean' ? e.bug : !(err instanceof Error), ...(problems.length ? { problems } : {}) };
}

/** The problem of an error that belongs to a form field: the one problem about it, or the error itself when it is. */
export function problemAt(error: UiError | null, field: FormField): ProblemData | null {
  if (!error) return null;
  return error.problems?.find((p) => p.field === field) ?? (error.field === field ? error : null);
}
