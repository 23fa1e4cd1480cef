import { Fragment, useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { VmDetails, VmSummary } from '../../../core/common/api';
import { executionOf } from '../../../core/common/capabilities';
import { toUiError, useService, type UiError } from '../useService';
import { Forwards } from './Forwards';
import { StateBadge } from './StateBadge';
import { OsIcon } from './icons';
import { ScreenPreview } from './ScreenPreview';
import { useCoreText } from '../coreText';
import { GuestAgentRows } from './GuestAgentRows';
import { SharedFolderRows } from './SharedFolders';

/** The selected VM's details (null while loading, or for no VM), reloaded on every change. */
export function useVmDetails(vm: VmSummary | null): VmDetails | null {
  return useAdoptableVmDetails(vm).details;
}

/**
 * The selected VM's details, and `adopt` for details a call has just answered (modifyVm does):
 * they show at once, and a load that began before them can no longer bring the older ones back.
 */
export function useAdoptableVmDetails(vm: VmSummary | null): { details: VmDetails | null; adopt: (d: VmDetails) => void } {
  const service = useService();
  const [details, setDetails] = useState<VmDetails | null>(null);
  // Each load and each adoption takes the next number; a load's answer counts only if nothing came after it.
  const latest = useRef(0);
  const id = vm?.id;
  useEffect(() => {
    if (id === undefined) return setDetails(null);
    let live = true;
    const load = () => {
      const mine = ++latest.current;
      return service.getVm(id).then(
        (d) => live && mine === latest.current && setDetails(d),
        () => undefined,
      );
    };
    void load();
    // Any change to the library (disks, paths: more than the summary shows) loads it again.
    const sub = service.onDidChangeVms(() => void load());
    return () => {
      live = false;
      sub.dispose();
    };
  }, [service, id, vm?.state, vm?.name, vm?.memoryMib, vm?.cpus, vm?.engine]);
  const adopt = useCallback((d: VmDetails) => {
    latest.current++;
    setDetails(d);
  }, []);
  return { details: details?.id === vm?.id ? details : null, adopt };
}

/**
 * What the guest's hardware looks like, read loosely: these sections are newer than some
 * VM files (absent means the engine's default).
 */
export function guestDevices(config: VmDetails['config'] | undefined): { display?: string; pointer?: string; diskBus?: string; nicModel?: string } {
  const c = config as unknown as { display?: { adapter?: unknown }; input?: { pointer?: unknown }; diskBus?: unknown } | undefined;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { display: text(c?.display?.adapter), pointer: text(c?.input?.pointer), diskBus: text(c?.diskBus), nicModel: guestNics(config)[0]?.model };
}

/** A network card as the GUI shows it. */
export interface GuestNic {
  attachment: string;
  model?: string;
  mac?: string;
  forwards: { protocol: string; hostAddress?: string; hostPort: number; guestPort: number }[];
}

/**
 * The VM's network cards, read loosely: a config from a service older than config version 4
 * has one `network` (mode, model, forwards) instead of `nics`, and no MAC.
 */
export function guestNics(config: VmDetails['config'] | undefined): GuestNic[] {
  type Loose = { attachment?: unknown; mode?: unknown; model?: unknown; mac?: unknown; forwards?: unknown };
  const c = config as unknown as { nics?: unknown; network?: Loose } | undefined;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const cards: Loose[] = Array.isArray(c?.nics) ? (c.nics as Loose[]) : c?.network ? [c.network] : [];
  return cards.map((n) => ({
    attachment: text(n?.attachment) ?? text(n?.mode) ?? 'none',
    model: text(n?.model),
    mac: text(n?.mac),
    forwards: Array.isArray(n?.forwards) ? (n.forwards as GuestNic['forwards']) : [],
  }));
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
  const nics = guestNics(c);
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
      <h2 className="details-title">
        <OsIcon os={vm.osType} size={22} /> {vm.name} <StateBadge state={vm.state} />
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
          {nics.length
            ? nics.map((n, i) => (
                <Fragment key={i}>
                  {row(t('details.network'), n.attachment + n.forwards.map((f) => ` ${f.protocol}:${f.hostPort}→${f.guestPort}`).join(''))}
                </Fragment>
              ))
            : row(t('details.network'), t('details.none'))}
          <SharedFolderRows config={c} />
          {row(t('details.folder'), <code>{d.folder}</code>)}
          {vm.state === 'running' || vm.state === 'paused' ? <GuestAgentRows guest={vm.guest ?? d.guest} /> : null}
        </dl>
      ) : null}
      {d && (vm.state === 'running' || vm.state === 'paused') ? <Forwards vm={vm} details={d} /> : null}
      {c ? (
        <section className="guest-devices" aria-label={t('details.guestSees')}>
          <h3>{t('details.guestSees')}</h3>
          <dl>
            {row(t('details.display'), named('adapters', devices.display))}
            {devices.display === 'none' ? null : row(t('details.pointer'), named('pointers', devices.pointer))}
            {row(t('details.diskBus'), named('buses', devices.diskBus))}
            {nics.some((n) => n.attachment !== 'none')
              ? nics
                  .filter((n) => n.attachment !== 'none')
                  .map((n, i) => (
                    <Fragment key={i}>
                      {row(t('details.nicModel'), named('nics', n.model))}
                      {n.mac ? row(t('details.mac'), <code>{n.mac}</code>) : null}
                    </Fragment>
                  ))
              : row(t('details.nicModel'), t('details.none'))}
          </dl>
        </section>
      ) : null}
    </div>
  );
}
