import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { HostInfo, VmSummary } from '../../../core/common/api';
import { cpusSchema, hostProblems, memoryMibSchema, vmNameSchema, type EngineKind } from '../../../core/common/config';
import { EngineSelect, Field, firstProblem } from './Field';
import { formatForward, parseForward } from '../../../core/common/forward';
import { isActionAllowed } from '../../../core/common/state';
import { toUiError, useService, type UiError } from '../useService';
import { useVmDetails } from './Details';

/** Settings of a stopped VM; a running VM shows them read-only. */
export function Settings({ vm, host }: { vm: VmSummary; host: HostInfo }) {
  const { t } = useTranslation();
  const service = useService();
  const details = useVmDetails(vm);
  const editable = isActionAllowed('modify', vm.state);
  const [name, setName] = useState(vm.name);
  const [memory, setMemory] = useState(String(vm.memoryMib));
  const [cpus, setCpus] = useState(String(vm.cpus));
  const [engine, setEngine] = useState<EngineKind>(vm.engine);
  const [iso, setIso] = useState('');
  const [append, setAppend] = useState('');
  const [network, setNetwork] = useState<'nat' | 'none'>('nat');
  const [forwards, setForwards] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<UiError | null>(null);

  useEffect(() => {
    if (!details) return;
    setName(details.name);
    setMemory(String(details.config.memoryMib));
    setCpus(String(details.config.cpus));
    setEngine(details.config.engine);
    setIso(details.config.optical?.isoPath ?? '');
    setAppend(details.config.directBoot?.append ?? '');
    setNetwork(details.config.network.mode);
    setForwards(details.config.network.forwards.map(formatForward).join(', '));
  }, [details]);

  const memoryMib = Number(memory);
  const cpuCount = Number(cpus);
  const forwardList = forwards.split(/[\s,]+/).filter(Boolean);
  let forwardError: string | null = null;
  const parsedForwards = forwardList.flatMap((f) => {
    try {
      return [parseForward(f)];
    } catch (err) {
      forwardError ??= (err as Error).message;
      return [];
    }
  });
  const errors = {
    forwards: forwardError,
    name: firstProblem(vmNameSchema, name),
    memory: firstProblem(memoryMibSchema, memory.trim() ? memoryMib : Number.NaN) ?? hostProblems({ memoryMib, cpus: 1 }, host)[0] ?? null,
    cpus: firstProblem(cpusSchema, cpus.trim() ? cpuCount : Number.NaN) ?? hostProblems({ memoryMib: 16, cpus: cpuCount }, host)[0] ?? null,
  };
  const valid = Object.values(errors).every((e) => !e);

  const save = async () => {
    setError(null);
    setStatus(null);
    try {
      await service.modifyVm(vm.id, {
        name,
        memoryMib,
        cpus: cpuCount,
        engine,
        isoPath: iso ? iso : null,
        ...(details?.config.directBoot ? { append } : {}),
        network,
        forwards: parsedForwards,
      });
      setStatus(t('settings.saved'));
    } catch (err) {
      setError(toUiError(err));
    }
  };

  const field = (id: string, label: string, input: React.ReactNode, err?: string | null) => (
    <Field id={id} label={label} error={err}>
      {input}
    </Field>
  );
  return (
    <form
      className="settings"
      onSubmit={(e) => {
        e.preventDefault();
        if (editable && valid) void save();
      }}
    >
      {!editable ? <p className="notice">{t('settings.readOnly')}</p> : null}
      <fieldset disabled={!editable}>
        {field('set-name', t('settings.name'), <input id="set-name" value={name} onChange={(e) => setName(e.target.value)} />, errors.name)}
        {field('set-memory', t('wizard.memory'), <input id="set-memory" className="number" value={memory} onChange={(e) => setMemory(e.target.value)} />, errors.memory)}
        {field('set-cpus', t('wizard.cpus'), <input id="set-cpus" className="number" value={cpus} onChange={(e) => setCpus(e.target.value)} />, errors.cpus)}
        {field(
          'set-engine',
          t('wizard.engine'),
          <EngineSelect id="set-engine" value={engine} onChange={setEngine} />,
        )}
        {field(
          'set-network',
          t('settings.network'),
          <select id="set-network" value={network} onChange={(e) => setNetwork(e.target.value as 'nat' | 'none')}>
            <option value="nat">{t('settings.nat')}</option>
            <option value="none">{t('settings.noNetwork')}</option>
          </select>,
        )}
        {network === 'nat'
          ? field('set-forwards', t('settings.forwards'), <input id="set-forwards" value={forwards} placeholder="tcp:2222:22, tcp:8080:80" onChange={(e) => setForwards(e.target.value)} />, errors.forwards)
          : null}
        {field('set-iso', t('wizard.iso'), <input id="set-iso" value={iso} onChange={(e) => setIso(e.target.value)} />)}
        {details?.config.directBoot ? field('set-append', t('wizard.append'), <input id="set-append" value={append} onChange={(e) => setAppend(e.target.value)} />) : null}
        <button type="submit" className="primary" disabled={!valid}>
          {t('settings.save')}
        </button>
      </fieldset>
      {status ? <p className="ok" role="status">{status}</p> : null}
      {error ? <p className="field-error" role="alert">{error.message}</p> : null}
    </form>
  );
}
