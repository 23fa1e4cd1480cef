import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmDelete } from './components/ConfirmDelete';
import { ConsoleView } from './components/ConsoleView';
import { Details } from './components/Details';
import { BugReport } from './components/ErrorBoundary';
import { HostPanel } from './components/HostPanel';
import { LogView } from './components/LogView';
import { MachineList } from './components/MachineList';
import { NewVmWizard } from './components/NewVmWizard';
import { Settings } from './components/Settings';
import { Toolbar, type ToolbarAction } from './components/Toolbar';
import { languages, setLanguage, type Language } from './i18n';
import { toUiError, useHostInfo, useService, useVms, type UiError } from './useService';
import { useCoreText } from './coreText';

type Tab = 'details' | 'console' | 'settings' | 'log';

export function App({ lost }: { lost: Promise<void> }) {
  const { t, i18n } = useTranslation();
  const core = useCoreText();
  const service = useService();
  const { vms } = useVms();
  const host = useHostInfo();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>('details');
  const [dialog, setDialog] = useState<'wizard' | 'host' | 'delete' | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [disconnected, setDisconnected] = useState(false);

  useEffect(() => void lost.then(() => setDisconnected(true)), [lost]);
  const vm = vms?.find((v) => v.id === selectedId) ?? null;
  useEffect(() => {
    if (vms && !vm && vms.length) setSelectedId(vms[0]!.id);
  }, [vms, vm]);

  const run = useCallback(async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(toUiError(err));
    }
  }, []);

  const onAction = (a: ToolbarAction) => {
    if (a === 'new') return setDialog('wizard');
    if (a === 'host') return setDialog('host');
    if (!vm) return;
    if (a === 'delete') return setDialog('delete');
    if (a === 'start') setTab('console');
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
        <Toolbar vm={vm} onAction={onAction} />
        <select aria-label={t('app.language')} value={i18n.language} onChange={(e) => setLanguage(e.target.value as Language)}>
          {Object.entries(languages).map(([k, label]) => (
            <option key={k} value={k}>
              {label}
            </option>
          ))}
        </select>
      </header>
      {disconnected ? <div className="banner error" role="alert">{t('app.connectionLost')}</div> : null}
      {error && !error.bug ? (
        <div className="banner error" role="alert">
          <span>{core(error.message)}</span>
          <button type="button" onClick={() => setError(null)}>
            {t('errors.dismiss')}
          </button>
        </div>
      ) : null}
      <main>
        {vms ? <MachineList vms={vms} selectedId={selectedId} onSelect={setSelectedId} /> : <nav className="sidebar" />}
        <section className="content">
          {vm ? (
            <>
              <div role="tablist" className="tabs">
                {(['details', 'console', 'settings', 'log'] as const).map((k) => (
                  <button key={k} role="tab" type="button" aria-selected={tab === k} onClick={() => setTab(k)}>
                    {t(`tabs.${k}`)}
                  </button>
                ))}
              </div>
              <div role="tabpanel" className="panel">
                {tab === 'details' ? <Details vm={vm} /> : null}
                {tab === 'console' ? <ConsoleView vm={vm} /> : null}
                {tab === 'settings' && host ? <Settings key={vm.id} vm={vm} host={host} /> : null}
                {tab === 'log' ? <LogView vm={vm} /> : null}
              </div>
            </>
          ) : (
            <p className="notice">{t('details.select')}</p>
          )}
        </section>
      </main>
      {dialog === 'wizard' && host && vms ? (
        <NewVmWizard
          host={host}
          vms={vms}
          onCancel={() => setDialog(null)}
          onDone={(id) => {
            setDialog(null);
            setSelectedId(id);
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
      {error?.bug ? <BugReport message={error.message} onClose={() => setError(null)} closeLabel={t('errors.dismiss')} /> : null}
    </div>
  );
}
