import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { engineKinds, type EngineKind, type FirmwareKind } from '../../../core/common/config';
import type { HostInfo } from '../../../core/common/api';
import { useCoreText } from '../coreText';

/** The first sentence a schema gives for a value, or null when it is fine. */
export function firstProblem(schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } }, value: unknown): string | null {
  const r = schema.safeParse(value);
  return r.success ? null : (r.error?.issues[0]?.message ?? null);
}

/** A labelled input with its sentence next to it when the value is wrong. */
export function Field({ id, label, error, hint, children }: { id: string; label: string; error?: string | null; hint?: ReactNode; children: ReactNode }) {
  const core = useCoreText();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint}
      {error ? (
        <p className="field-error" role="alert" id={`${id}-error`}>
          {core(error)}
        </p>
      ) : null}
    </div>
  );
}

/** BIOS (SeaBIOS) or UEFI (OVMF, QEMU only); UEFI is marked when this host has no firmware for it. */
export function FirmwareSelect({ id, value, onChange, host }: { id: string; value: FirmwareKind; onChange: (f: FirmwareKind) => void; host: HostInfo }) {
  const { t } = useTranslation();
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value as FirmwareKind)}>
      <option value="bios">{t('wizard.firmwareBios')}</option>
      <option value="uefi">{host.uefi.available ? t('wizard.firmwareUefi') : t('wizard.firmwareUefiMissing')}</option>
    </select>
  );
}

export function EngineSelect({ id, value, onChange }: { id: string; value: EngineKind; onChange: (e: EngineKind) => void }) {
  const { t } = useTranslation();
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value as EngineKind)}>
      {engineKinds.map((k) => (
        <option key={k} value={k}>
          {k === 'auto' ? t('wizard.autoLabel') : k}
        </option>
      ))}
    </select>
  );
}
