import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { VmDetails, VmSummary } from '../../../core/common/api';
import { useService } from '../useService';
import { StateBadge } from './StateBadge';
import { useCoreText } from '../coreText';

export function useVmDetails(vm: VmSummary): VmDetails | null {
  const service = useService();
  const [details, setDetails] = useState<VmDetails | null>(null);
  useEffect(() => {
    let live = true;
    const load = () => service.getVm(vm.id).then((d) => live && setDetails(d), () => undefined);
    void load();
    // Any change to the library (disks, paths: more than the summary shows) loads it again.
    const sub = service.onDidChangeVms(() => void load());
    return () => {
      live = false;
      sub.dispose();
    };
  }, [service, vm.id, vm.state, vm.name, vm.memoryMib, vm.cpus, vm.engine]);
  return details;
}

export function Details({ vm }: { vm: VmSummary }) {
  const { t } = useTranslation();
  const core = useCoreText();
  const d = useVmDetails(vm);
  const c = d?.config;
  const row = (label: string, value: React.ReactNode) => (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </>
  );
  return (
    <div className="details">
      <h2>
        {vm.name} <StateBadge state={vm.state} />
      </h2>
      {vm.stateReason ? <p className="reason">{core(vm.stateReason)}</p> : null}
      {c ? (
        <dl>
          {row(t('details.os'), c.identity.osType)}
          {row(t('details.engine'), d.runtime ? t('details.runningOn', { engine: d.runtime.engine, accelerator: d.runtime.accelerator }) : c.engine)}
          {row(
            t('details.runsOn'),
            <>
              <strong>{d.engineChoice.engine ?? t('details.nothing')}</strong> — {core(d.engineChoice.reason)}
              <ul className="small" data-testid="engine-notes">
                {d.engineNotes.map((n) => (
                  <li key={n}>{core(n)}</li>
                ))}
              </ul>
            </>,
          )}
          {row(t('details.memory'), `${c.memoryMib} MiB`)}
          {row(t('details.cpus'), c.cpus)}
          {row(t('wizard.firmware'), c.firmware === 'uefi' ? t('wizard.firmwareUefi') : t('wizard.firmwareBios'))}
          {row(t('details.disks'), c.disks.length ? c.disks.map((x) => `${x.path} (${x.format})`).join(', ') : t('details.none'))}
          {row(t('details.optical'), c.optical?.isoPath ?? t('details.none'))}
          {c.directBoot ? row(t('details.kernel'), c.directBoot.kernelPath) : null}
          {c.directBoot?.initrdPath ? row(t('details.initrd'), c.directBoot.initrdPath) : null}
          {c.directBoot?.append ? row(t('details.append'), <code>{c.directBoot.append}</code>) : null}
          {row(t('details.network'), c.network.mode + c.network.forwards.map((f) => ` ${f.protocol}:${f.hostPort}→${f.guestPort}`).join(''))}
          {row(t('details.folder'), <code>{d.folder}</code>)}
        </dl>
      ) : null}
    </div>
  );
}
