import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { HostInfo, HostSettings } from '../../../core/common/api';
import { acceleratorKinds } from '../../../core/common/engines';
import { useCoreText } from '../coreText';
import { toUiError, useService } from '../useService';
import { Networks } from './Networks';

export function HostPanel({ host: initial, onClose }: { host: HostInfo; onClose: () => void }) {
  const { t } = useTranslation();
  const core = useCoreText();
  const service = useService();
  const [host, setHost] = useState(initial);
  const [status, setStatus] = useState<string | null>(null);
  const applyAccelerator = (accelerator: HostSettings['accelerator']) => {
    setStatus(null);
    service.setHostSettings({ ...host.settings, accelerator }).then(
      (next) => {
        setHost(next);
        setStatus(t('host.accelSaved'));
      },
      (err: unknown) => setStatus(core(toUiError(err))),
    );
  };
  const accel = host.accelerators.filter((a) => a.kind !== 'tcg');
  const usable = accel.filter((a) => a.usable);
  return (
    <div className="dialog-backdrop" onClick={onClose}>
      <section className="dialog host" role="dialog" aria-modal="true" aria-labelledby="host-title" onClick={(e) => e.stopPropagation()}>
        <h2 id="host-title">{t('host.title')}</h2>
        <dl>
          <dt>{t('host.cpu')}</dt>
          <dd>
            {host.cpuModel} — {t('host.cpus', { logical: host.logicalCpus, physical: host.physicalCpus })}
          </dd>
          <dt>{t('host.memory')}</dt>
          <dd>
            <meter min={0} max={host.memoryTotalMib} value={host.memoryTotalMib - host.memoryFreeMib} />{' '}
            {t('host.memoryUsed', { used: host.memoryTotalMib - host.memoryFreeMib, total: host.memoryTotalMib })}
          </dd>
          <dt>{t('host.accelerator')}</dt>
          <dd>
            {usable.length ? usable.map((a) => a.kind.toUpperCase()).join(', ') : t('host.none')}
            <ul className="small">
              {accel.map((a) => (
                <li key={a.kind}>
                  {a.kind.toUpperCase()}: {core(a.detail)}
                </li>
              ))}
            </ul>
            <p data-testid="accel-choice">
              {t('host.accelAuto')}: <strong>{host.acceleratorChoice.accelerator.toUpperCase()}</strong> — {core(host.acceleratorChoice.reason)}
            </p>
            <label className="small">
              {t('host.accelSetting')}{' '}
              <select value={host.settings.accelerator} onChange={(e) => applyAccelerator(e.target.value as HostSettings['accelerator'])}>
                <option value="auto">{t('host.accelProbe')}</option>
                {acceleratorKinds.map((k) => (
                  <option key={k} value={k}>
                    {k.toUpperCase()}
                  </option>
                ))}
              </select>
            </label>
            {status ? (
              <p role="status" className="small">
                {status}
              </p>
            ) : null}
          </dd>
          <dt>{t('host.engines')}</dt>
          <dd>
            {host.qemu.binaries.length ? (
              <ul className="small">
                {host.qemu.binaries.map((b) => (
                  <li key={b.path}>
                    QEMU {b.version} — <code>{b.path}</code>
                  </li>
                ))}
                {host.qemu.img ? (
                  <li>
                    qemu-img {host.qemu.img.version} — <code>{host.qemu.img.path}</code>
                  </li>
                ) : null}
              </ul>
            ) : (
              <p>{t('host.qemuMissing')}</p>
            )}
            {host.qemu.installHint ? <p className="guidance">{core(host.qemu.installHint)}</p> : null}
            <p>v86: {core(host.v86.detail)}</p>
            <p>UEFI: {core(host.uefi.detail)}</p>
            <p>
              {t('host.auto')}: <strong>{host.autoEngine.engine ?? '—'}</strong> — {core(host.autoEngine.reason)}
            </p>
          </dd>
          <dt>{t('host.library')}</dt>
          <dd>
            <code>{host.libraryPath}</code>
          </dd>
        </dl>
        <Networks />
        <div className="dialog-buttons">
          <button type="button" onClick={onClose} autoFocus>
            {t('host.close')}
          </button>
        </div>
      </section>
    </div>
  );
}
