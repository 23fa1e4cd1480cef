import { Undo2, type LucideIcon } from 'lucide-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { HostInfo } from '../../../core/common/api';
import { CPUS_MIN, MEMORY_MIN_MIB } from '../../../core/common/config';
import { NumberSlider } from './Field';

/** One device or group of settings as a card, with its icon and title. */
export function Card({ icon: Icon, title, children }: { icon: LucideIcon; title: string; children: ReactNode }) {
  const id = `card-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <section className="card" aria-labelledby={id}>
      <h3 id={id}>
        <Icon aria-hidden="true" size={16} /> {title}
      </h3>
      {children}
    </section>
  );
}

/** Memory zones like VirtualBox's: comfortable up to half the host, warning up to all of it, refused beyond. */
export function memoryZone(mib: number, host: Pick<HostInfo, 'memoryTotalMib'>): 'comfortable' | 'warning' | 'refused' {
  if (mib > host.memoryTotalMib) return 'refused';
  return mib <= host.memoryTotalMib / 2 ? 'comfortable' : 'warning';
}

/** What the memory and CPU sliders take: the host's limits, the text typed, and whether it is wrong. */
interface SliderProps {
  id: string;
  host: HostInfo;
  text: string;
  onChange: (t: string) => void;
  invalid: boolean;
}

/** The wizard's memory slider (NumberSlider, up to the host's memory) with its zone said under it, as in the wizard. */
export function MemorySlider({ id, host, text, onChange, invalid }: SliderProps) {
  const { t } = useTranslation();
  const mib = Number(text);
  const zone = text.trim() && Number.isFinite(mib) ? memoryZone(mib, host) : 'refused';
  return (
    <>
      <NumberSlider
        id={id}
        label={t('wizard.memory')}
        min={MEMORY_MIN_MIB}
        max={host.memoryTotalMib}
        step={16}
        value={mib}
        text={text}
        onChange={onChange}
        invalid={invalid}
        className={`zone-${zone}`}
      />
      {!invalid && zone !== 'refused' ? (
        <p className={`zone zone-${zone}`}>{t(zone === 'comfortable' ? 'wizard.zoneComfortable' : 'wizard.zoneWarning')}</p>
      ) : null}
    </>
  );
}

/** The wizard's CPU slider (up to the host's logical CPUs), warning past its physical cores. */
export function CpuSlider({ id, host, text, onChange, invalid }: SliderProps) {
  const { t } = useTranslation();
  const cpus = Number(text);
  return (
    <>
      <NumberSlider id={id} label={t('wizard.cpus')} min={CPUS_MIN} max={host.logicalCpus} value={cpus} text={text} onChange={onChange} invalid={invalid} />
      {!invalid && cpus > host.physicalCpus ? <p className="zone zone-warning">{t('wizard.cpuWarning', { physical: host.physicalCpus })}</p> : null}
    </>
  );
}

export interface Change {
  /** The setting's name, as its field says it. */
  what: string;
  from: string;
  to: string;
}

/**
 * What Save would change, one line per setting, each saying when it takes effect. Settings
 * change only while the VM is powered off, so every change of the machine waits for its next
 * start (VirtualBox's "needs a restart"); the name changes at once.
 */
export function PendingChanges({ changes, nameLabel, onDiscard }: { changes: readonly Change[]; nameLabel: string; onDiscard: () => void }) {
  const { t } = useTranslation();
  if (changes.length === 0) return null;
  return (
    <section className="pending" aria-label={t('gui.settings.pending')}>
      <h3>{t('gui.settings.pendingCount', { count: changes.length })}</h3>
      <ul>
        {changes.map((c) => (
          <li key={c.what}>
            <strong>{c.what}</strong>: <del>{c.from || t('details.none')}</del> → <ins>{c.to || t('details.none')}</ins>{' '}
            <span className="small">{t(c.what === nameLabel ? 'gui.settings.atOnce' : 'gui.settings.nextStart')}</span>
          </li>
        ))}
      </ul>
      <button type="button" onClick={onDiscard}>
        <Undo2 aria-hidden="true" size={16} />
        {t('gui.settings.discard')}
      </button>
    </section>
  );
}
