import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { engineSettings, type EngineSetting, type FirmwareKind } from '../../../core/common/config';
import type { HostInfo } from '../../../core/common/api';
import { describeIssues } from '../../../core/common/config';
import type { SentenceData } from '../../../core/common/messages';
import type { z } from 'zod';
import { useCoreText } from '../coreText';

/** The first sentence a schema gives for a value, or null when it is fine. */
export function firstProblem(schema: z.ZodType, value: unknown): SentenceData | null {
  const r = schema.safeParse(value);
  return r.success ? null : (describeIssues(r.error)[0] ?? null);
}

/**
 * A labelled input with its sentence next to it when the value is wrong: a core sentence (said
 * in the GUI's language by its key) or a sentence the GUI already said in it.
 */
export function Field({
  id,
  label,
  error,
  hint,
  children,
}: {
  id: string;
  label: string;
  error?: SentenceData | string | null;
  hint?: ReactNode;
  children: ReactNode;
}) {
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

export function EngineSelect({ id, value, onChange }: { id: string; value: EngineSetting; onChange: (e: EngineSetting) => void }) {
  const { t } = useTranslation();
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value as EngineSetting)}>
      {engineSettings.map((k) => (
        <option key={k} value={k}>
          {k === 'auto' ? t('wizard.autoLabel') : k}
        </option>
      ))}
    </select>
  );
}

/**
 * A number to slide or type: the slider goes up to `max` (the host's most), the box takes any
 * text, so that what is too much is typed and then refused with its sentence.
 */
export function NumberSlider({
  id,
  label,
  min,
  max,
  step,
  value,
  text,
  onChange,
  invalid,
  className,
}: {
  id: string;
  label: string;
  min: number;
  max: number;
  step?: number;
  value: number;
  text: string | number;
  onChange: (text: string) => void;
  invalid?: boolean;
  className?: string;
}) {
  return (
    <div className="slider-row">
      <input
        type="range"
        min={min}
        max={max}
        step={step}
        value={Number.isFinite(value) ? Math.min(value, max) : min}
        onChange={(e) => onChange(e.target.value)}
        aria-label={label}
        className={className}
      />
      <input id={id} className="number" inputMode="numeric" value={text} onChange={(e) => onChange(e.target.value)} aria-invalid={invalid} />
    </div>
  );
}
