import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmDelete } from './components/ConfirmDelete';
import { ConsoleView } from './components/ConsoleView';
import { Details, hasDisplay, useVmDetails } from './components/Details';
import { DisplayView } from './components/DisplayView';
import { BugReport } from './components/ErrorBoundary';
import { HostPanel } from './components/HostPanel';
import { LogView } from './components/LogView';
import { MachineList } from './components/MachineList';
import { NewVmWizard } from './components/NewVmWizard';
import { Settings } from './components/Settings';
import { SnapshotsView } from './components/SnapshotsView';
import { Toolbar, type ToolbarAction } from './components/Toolbar';
import { Welcome } from './components/Welcome';
import { Activity } from './components/Activity';
import { isAllowedFor, multiActions } from './actions';
import { languages, setLanguage, type Language } from './i18n';
import { toUiError, useHostInfo, useService, useVms, type UiError } from './useService';
import { useCoreText } from './coreText';
import { isGuestUp } from './vmState';
import { useDialogFocus } from './useDialogFocus';

type Tab = 'details' | 'display' | 'console' | 'settings' | 'snapshots' | 'log';

export function App({ lost }: { lost: Promise<void> }) {
  const { t, i18n } = useTranslation();
  const core = useCoreText();
  const service = useService();
  const { vms } = useVms();
  const host = useHostInfo();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  // The VMs selected in the list (several for starting or stopping them at once); selectedId's tabs are shown.
  const [selection, setSelection] = useState<string[]>([]);
  const select = (id: string | null, many?: string[]) => {
    setSelectedId(id);
    setSelection(many ?? (id ? [id] : []));
  };
  const [tab, setTab] = useState<Tab>('details');
  const [dialog, setDialog] = useState<'wizard' | 'host' | 'delete' | null>(null);
  /** The wizard was opened from "Download an OS" (its catalogue shows at once). */
  const [wizardDownload, setWizardDownload] = useState(false);
  const [error, setError] = useState<UiError | null>(null);
  const [disconnected, setDisconnected] = useState(false);
  useDialogFocus(dialog !== null, () => setDialog(null));

  useEffect(() => void lost.then(() => setDisconnected(true)), [lost]);
  const vm = vms?.find((v) => v.id === selectedId) ?? null;
  // A VM just made is selected before the list has it: the first VM is not chosen in its place meanwhile.
  const awaited = useRef<string | null>(null);
  useEffect(() => {
    if (vms && awaited.current && !vms.some((v) => v.id === awaited.current)) return;
    awaited.current = null;
    if (vms && !vm && vms.length) select(vms[0]!.id);
  }, [vms, vm]);
  const details = useVmDetails(vm);
  // Until its details arrive a VM is taken to have a screen (only display none has none).
  const withDisplay = !details || hasDisplay(details);
  // The guest's screen is where a running VM opens (its serial port stays on Console).
  const screenTab: Tab = withDisplay ? 'display' : 'console';
  const opened = details && isGuestUp(details.state) ? details.id : null;
  // Whether the user chose a tab since selecting this VM: then it is not changed for them.
  const picked = useRef(false);
  const pickTab = (k: Tab) => {
    picked.current = true;
    setTab(k);
  };
  useEffect(() => {
    picked.current = false;
  }, [selectedId]);
  useEffect(() => {
    if (opened && !picked.current) setTab((current) => (current === 'display' || current === 'console' || current === 'details' ? screenTab : current));
    // Once per VM selected (or started): later choices of tab are the user's.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [opened]);
  useEffect(() => {
    if (tab === 'display' && !withDisplay) setTab('console');
  }, [tab, withDisplay]);

  const run = useCallback(async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(toUiError(err));
    }
  }, []);

  const selectedVms = vms?.filter((v) => selection.includes(v.id) && v.id !== selectedId) ?? [];
  const selected = vm ? [vm, ...selectedVms] : [];
  const onAction = (a: ToolbarAction) => {
    if (a === 'new') {
      setWizardDownload(false);
      return setDialog('wizard');
    }
    if (a === 'host') return setDialog('host');
    if (!vm) return;
    const chosen = selected.filter((v) => isAllowedFor(a, [v]));
    if (selected.length > 1 && multiActions.includes(a)) {
      const each = { start: service.startVm, pause: service.pauseVm, resume: service.resumeVm, shutdown: service.shutdownVm, poweroff: service.powerOffVm }[
        a as 'start' | 'pause' | 'resume' | 'shutdown' | 'poweroff'
      ].bind(service);
      return void run(() => Promise.all(chosen.map((v) => each(v.id))));
    }
    if (a === 'delete') return setDialog('delete');
    if (a === 'start') setTab(screenTab);
    const work = {
      start: () => service.startVm(vm.id),
      pause: () => service.pauseVm(vm.id),
      resume: () => service.resumeVm(vm.id),
      reset: () => service.resetVm(vm.id),
      shutdown: () => service.shutdownVm(vm.id),
      poweroff: () => service.powerOffVm(vm.id),
      save: () => service.saveVm(vm.id),
      discard: () => service.discardSavedState(vm.id),
    }[a];
    void run(work);
  };

  return (
    <div className="app">
      <header>
        <h1>{t('app.title')}</h1>
        <Toolbar vms={selected} onAction={onAction} />
        <select aria-label={t('app.language')} value={i18n.language} onChange={(e) => setLanguage(e.target.value as Language)}>
          {Object.entries(languages).map(([k, label]) => (
            <option key={k} value={k}>
              {label}
            </option>
          ))}
        </select>
      </header>
      {disconnected ? (
        <div className="banner error" role="alert">
          {t('app.connectionLost')}
        </div>
      ) : null}
      {error && !error.bug ? (
        <div className="banner error" role="alert">
          <span>{core(error)}</span>
          <button type="button" onClick={() => setError(null)}>
            {t('errors.dismiss')}
          </button>
        </div>
      ) : null}
      <main>
        {vms ? <MachineList vms={vms} selectedId={selectedId} selection={selection} onSelect={select} onAction={onAction} /> : <nav className="sidebar" />}
        <section className="content">
          {vm ? (
            <>
              <div role="tablist" className="tabs">
                {(withDisplay
                  ? (['details', 'display', 'console', 'settings', 'snapshots', 'log'] as const)
                  : (['details', 'console', 'settings', 'snapshots', 'log'] as const)
                ).map((k) => (
                  <button key={k} role="tab" type="button" aria-selected={tab === k} onClick={() => pickTab(k)}>
                    {t(`tabs.${k}`)}
                  </button>
                ))}
              </div>
              <div role="tabpanel" className="panel">
                {tab === 'details' ? <Details vm={vm} /> : null}
                {tab === 'display' && withDisplay ? <DisplayView vm={vm} /> : null}
                {tab === 'console' ? <ConsoleView vm={vm} /> : null}
                {tab === 'settings' && host ? <Settings key={vm.id} vm={vm} host={host} /> : null}
                {tab === 'snapshots' ? <SnapshotsView key={vm.id} vm={vm} /> : null}
                {tab === 'log' ? <LogView vm={vm} /> : null}
              </div>
            </>
          ) : vms && vms.length === 0 ? (
            <Welcome
              onNew={() => {
                setWizardDownload(false);
                setDialog('wizard');
              }}
              onDownloadOs={() => {
                setWizardDownload(true);
                setDialog('wizard');
              }}
            />
          ) : (
            <p className="notice">{t('details.select')}</p>
          )}
        </section>
      </main>
      {dialog === 'wizard' && host && vms ? (
        <NewVmWizard
          host={host}
          vms={vms}
          download={wizardDownload}
          onCancel={() => setDialog(null)}
          onDone={(id) => {
            setDialog(null);
            awaited.current = id;
            select(id);
            setTab('details');
          }}
        />
      ) : null}
      {dialog === 'host' && host ? <HostPanel host={host} onClose={() => setDialog(null)} /> : null}
      {dialog === 'delete' && vm ? (
        <ConfirmDelete
          vm={vm}
          onCancel={() => setDialog(null)}
          onConfirm={(keepDisks) => {
            setDialog(null);
            void run(() => service.deleteVm(vm.id, { keepDisks }));
          }}
        />
      ) : null}
      <Activity vms={vms ?? []} />
      {error?.bug ? <BugReport message={error.message} onClose={() => setError(null)} closeLabel={t('errors.dismiss')} /> : null}
    </div>
  );
}
