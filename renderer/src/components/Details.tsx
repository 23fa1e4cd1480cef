import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { VmDetails, VmSummary } from '../../../core/common/api';
import { executionOf } from '../../../core/common/capabilities';
import { toUiError, useService, type UiError } from '../useService';
import { StateBadge } from './StateBadge';
import { ScreenPreview } from './ScreenPreview';
import { useCoreText } from '../coreText';

/** The selected VM's details (null while loading, or for no VM), reloaded on every change. */
export function useVmDetails(vm: VmSummary | null): VmDetails | null {
  const service = useService();
  const [details, setDetails] = useState<VmDetails | null>(null);
  const id = vm?.id;
  useEffect(() => {
    if (id === undefined) return setDetails(null);
    let live = true;
    const load = () =>
      service.getVm(id).then(
        (d) => live && setDetails(d),
        () => undefined,
      );
    void load();
    // Any change to the library (disks, paths: more than the summary shows) loads it again.
    const sub = service.onDidChangeVms(() => void load());
    return () => {
      live = false;
      sub.dispose();
    };
  }, [service, id, vm?.state, vm?.name, vm?.memoryMib, vm?.cpus, vm?.engine]);
  return details?.id === vm?.id ? details : null;
}

/**
 * What the guest's hardware looks like, read loosely: these sections are newer than some
 * VM files (absent means the engine's default).
 */
export function guestDevices(config: VmDetails['config'] | undefined): { display?: string; pointer?: string; diskBus?: string; nicModel?: string } {
  const c = config as unknown as
    { display?: { adapter?: unknown }; input?: { pointer?: unknown }; diskBus?: unknown; network?: { model?: unknown } } | undefined;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { display: text(c?.display?.adapter), pointer: text(c?.input?.pointer), diskBus: text(c?.diskBus), nicModel: text(c?.network?.model) };
}

/** Whether a VM has a screen: every VM but one whose display adapter is none. */
export function hasDisplay(details: VmDetails | null): boolean {
  return guestDevices(details?.config).display !== 'none';
}

/** For a VM whose config cannot be read: puts back the one from before its last change, or says why not. */
function Repair({ vm }: { vm: VmSummary }) {
  const { t } = useTranslation();
  const core = useCoreText();
  const service = useService();
  const [problem, setProblem] = useState<UiError | null>(null);
  const repair = () => {
    setProblem(null);
    service.repairVm(vm.id).catch((err: unknown) => setProblem(toUiError(err)));
  };
  return (
    <div className="inaccessible" data-testid="inaccessible">
      <p>
        <strong>{t('details.inaccessible')}</strong> {t('details.repairHint')}
      </p>
      <button type="button" onClick={repair}>
        {t('details.repair')}
      </button>
      {problem ? <p className="reason">{core(problem)}</p> : null}
    </div>
  );
}

export function Details({ vm }: { vm: VmSummary }) {
  const { t } = useTranslation();
  const core = useCoreText();
  const d = useVmDetails(vm);
  const c = d?.config;
  const devices = guestDevices(c);
  // A value this GUI has no name for yet is shown as the VM file spells it.
  const named = (group: string, v: string | undefined) => (v ? t(`details.${group}.${v}`, { defaultValue: v }) : t('details.default'));
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
      {vm.inaccessible ? <Repair vm={vm} /> : null}
      {d ? <ScreenPreview vm={vm} withDisplay={hasDisplay(d)} /> : null}
      {c ? (
        <dl>
          {row(t('details.os'), c.identity.osType)}
          {row(
            t('details.engine'),
            d.runtime
              ? t('details.runningOn', { engine: d.runtime.engine, accelerator: core(executionOf(d.runtime.engine, d.runtime.accelerator)) })
              : c.engine,
          )}
          {row(
            t('details.runsOn'),
            <>
              <strong>{d.engineChoice.engine ?? t('details.nothing')}</strong> — {core(d.engineChoice.reason)}
              <ul className="small" data-testid="engine-notes">
                {d.engineNotes.map((n) => (
                  <li key={n.message}>{core(n)}</li>
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
      {c ? (
        <section className="guest-devices" aria-label={t('details.guestSees')}>
          <h3>{t('details.guestSees')}</h3>
          <dl>
            {row(t('details.display'), named('adapters', devices.display))}
            {devices.display === 'none' ? null : row(t('details.pointer'), named('pointers', devices.pointer))}
            {row(t('details.diskBus'), named('buses', devices.diskBus))}
            {row(t('details.nicModel'), c.network.mode === 'none' ? t('details.none') : named('nics', devices.nicModel))}
          </dl>
        </section>
      ) : null}
    </div>
  );
}
