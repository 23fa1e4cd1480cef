import { createContext, useCallback, useContext, useEffect, useState } from 'react';
import type { HostInfo, IVmService, VmSummary } from '../../core/common/api';

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
    service.listVms().then(setVms, () => undefined);
  }, [service]);
  useEffect(() => {
    refresh();
    const a = service.onDidChangeState((e) => {
      setVms((list) => list?.map((v) => (v.id === e.id ? { ...v, state: e.state, ...(e.reason ? { stateReason: e.reason } : { stateReason: undefined }) } : v)) ?? list);
    });
    const b = service.onDidChangeVms(refresh);
    return () => {
      a.dispose();
      b.dispose();
    };
  }, [service, refresh]);
  return { vms, refresh };
}

export function useHostInfo(): HostInfo | null {
  const service = useService();
  const [host, setHost] = useState<HostInfo | null>(null);
  useEffect(() => {
    service.getHostInfo().then(setHost, () => undefined);
  }, [service]);
  return host;
}

/** Expected errors carry the user's sentence; anything else is a bug to report. */
export interface UiError {
  message: string;
  bug: boolean;
  problems?: string[];
}

export function toUiError(err: unknown): UiError {
  const e = err as { code?: string; message?: string; problems?: string[] };
  const message = e?.message ?? String(err);
  const bug = e?.code === 'internal' || message.startsWith('Guesthouse hit an internal error') || !(e?.code || /[.!?]$/.test(message));
  return { message, bug, ...(e?.problems ? { problems: e.problems } : {}) };
}
