import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CreateVmRequest, HostInfo, VmSummary } from '../../../core/common/api';
import { capabilitiesOf } from '../../../core/common/capabilities';
import type { FormField, SentenceData } from '../../../core/common/messages';
import {
  firmwareProblems,
  hostProblems,
  memoryMibSchema,
  cpusSchema,
  osPresets,
  osTypes,
  vmNameSchema,
  type EngineSetting,
  type FirmwareKind,
  type OsType,
} from '../../../core/common/config';
import { EngineSelect, Field, FirmwareSelect, firstProblem } from './Field';
import { CpuSlider, MemorySlider } from './SettingsParts';

import { problemAt, toUiError, useService, type UiError } from '../useService';
import { useCoreText } from '../coreText';
import { PathInput } from './FileBrowser';
import { DownloadOs, MediaFound, useMediaDetection } from './InstallMedia';

type DiskChoice = 'new' | 'existing' | 'none';

export function describeEngine(
  host: HostInfo,
  engine: EngineSetting,
  t: (k: string, o?: Record<string, string>) => string,
  core: (sentence: SentenceData) => string,
): string {
  const chosen = engine === 'auto' ? host.autoEngine.engine : engine;
  if (!chosen) return t('wizard.noEngine', { reason: core(host.autoEngine.reason) });
  const accel = host.accelerators.find((a) => a.usable && a.kind !== 'tcg');
  const caps = capabilitiesOf(chosen);
  // An engine with no accelerator to choose runs guest code its own way (v86: its WebAssembly JIT).
  if (!caps.accelerators.length) return t('wizard.willUse', { engine: caps.label, accelerator: t('wizard.v86') });
  return t('wizard.willUse', { engine: caps.label, accelerator: accel ? accel.kind.toUpperCase() : t('wizard.tcg') });
}

export function NewVmWizard({
  host,
  vms,
  onDone,
  onCancel,
  download = false,
}: {
  host: HostInfo;
  vms: VmSummary[];
  onDone: (id: string) => void;
  onCancel: () => void;
  /** Opened from "Download an OS": the catalogue shows at once. */
  download?: boolean;
}) {
  const { t } = useTranslation();
  const core = useCoreText();
  const service = useService();
  const [name, setName] = useState('');
  const [os, setOs] = useState<OsType>('linux-x64');
  const [memory, setMemory] = useState(String(osPresets['linux-x64'].memoryMib));
  const [cpus, setCpus] = useState(osPresets['linux-x64'].cpus);
  const [disk, setDisk] = useState<DiskChoice>('new');
  const [diskGib, setDiskGib] = useState(String(osPresets['linux-x64'].diskBytes / 2 ** 30));
  const [diskPath, setDiskPath] = useState('');
  const [iso, setIso] = useState('');
  const [advanced, setAdvanced] = useState(false);
  const [kernel, setKernel] = useState('');
  const [initrd, setInitrd] = useState('');
  const [append, setAppend] = useState('');
  const [engine, setEngine] = useState<EngineSetting>('auto');
  const [firmware, setFirmware] = useState<FirmwareKind>('bios');
  const [busy, setBusy] = useState(false);
  const [serverError, setServerError] = useState<UiError | null>(null);

  const memoryMib = memory.trim() === '' ? Number.NaN : Number(memory);
  const errors = useMemo(() => {
    const e: Record<string, SentenceData | string | null> = {};
    e.name = name === '' ? null : firstProblem(vmNameSchema, name);
    if (!e.name && vms.some((v) => v.name.toLowerCase() === name.toLowerCase())) e.name = t('wizard.nameTaken', { name });
    e.memory = firstProblem(memoryMibSchema, memoryMib) ?? hostProblems({ memoryMib }, host)[0] ?? firmwareProblems({ firmware, memoryMib })[0] ?? null;
    e.cpus = firstProblem(cpusSchema, cpus) ?? hostProblems({ cpus }, host)[0] ?? null;
    e.diskSize = disk === 'new' && !(Number(diskGib) > 0) ? t('wizard.diskSizeBad') : null;
    return e;
  }, [name, memoryMib, cpus, disk, diskGib, vms, host, firmware, t]);
  const problemFor = (field: FormField) => problemAt(serverError, field);
  const valid = name !== '' && Object.values(errors).every((e) => !e);

  const pickOs = (o: OsType) => {
    setOs(o);
    setMemory(String(Math.min(osPresets[o].memoryMib, Math.floor(host.memoryTotalMib / 2))));
    setCpus(Math.min(osPresets[o].cpus, host.logicalCpus));
    setDiskGib(String(osPresets[o].diskBytes / 2 ** 30));
  };

  // An ISO chosen: what it holds sets the OS type (and with it memory, CPUs, disk) and the firmware.
  const detected = useMediaDetection(iso, (info) => {
    pickOs(info.osType);
    setFirmware(info.firmware);
  });

  const finish = async () => {
    setBusy(true);
    setServerError(null);
    const request: CreateVmRequest = {
      name,
      osType: os,
      memoryMib,
      cpus,
      engine,
      firmware,
      ...(disk === 'new' ? { diskSizeBytes: Math.round(Number(diskGib) * 2 ** 30) } : {}),
      ...(disk === 'existing' && diskPath ? { diskPath } : {}),
      ...(iso ? { isoPath: iso } : {}),
      ...(advanced && kernel ? { kernelPath: kernel, ...(initrd ? { initrdPath: initrd } : {}), ...(append ? { append } : {}) } : {}),
    };
    try {
      const vm = await service.createVm(request);
      onDone(vm.id);
    } catch (err) {
      setServerError(toUiError(err));
    } finally {
      setBusy(false);
    }
  };

  const field = (id: string, label: string, input: React.ReactNode, error?: SentenceData | string | null, hint?: React.ReactNode) => (
    <Field id={id} label={label} error={error} hint={hint}>
      {input}
    </Field>
  );

  return (
    <div className="dialog-backdrop">
      <form
        className="dialog wizard"
        role="dialog"
        aria-modal="true"
        aria-labelledby="wizard-title"
        onSubmit={(e) => {
          e.preventDefault();
          if (valid && !busy) void finish();
        }}
      >
        <h2 id="wizard-title">{t('wizard.title')}</h2>
        {field(
          'vm-name',
          t('wizard.name'),
          <input id="vm-name" autoFocus value={name} onChange={(e) => setName(e.target.value)} aria-invalid={Boolean(errors.name)} />,
          errors.name ?? problemFor('name'),
        )}
        {field(
          'vm-os',
          t('wizard.os'),
          <select id="vm-os" value={os} onChange={(e) => pickOs(e.target.value as OsType)}>
            {osTypes.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>,
        )}
        {field(
          'vm-memory',
          t('wizard.memory'),
          <MemorySlider id="vm-memory" host={host} text={memory} onChange={setMemory} invalid={Boolean(errors.memory)} />,
          errors.memory ?? problemFor('memory'),
        )}
        {field(
          'vm-cpus',
          t('wizard.cpus'),
          <CpuSlider
            id="vm-cpus"
            host={host}
            text={Number.isNaN(cpus) ? '' : String(cpus)}
            onChange={(v) => setCpus(v === '' ? Number.NaN : Number(v))}
            invalid={Boolean(errors.cpus)}
          />,
          errors.cpus ?? problemFor('cpus'),
        )}
        <fieldset className="field">
          <legend>{t('wizard.disk')}</legend>
          {(['new', 'existing', 'none'] as const).map((d) => (
            <label key={d} className="radio">
              <input type="radio" name="disk" checked={disk === d} onChange={() => setDisk(d)} />
              {t(d === 'new' ? 'wizard.diskNew' : d === 'existing' ? 'wizard.diskExisting' : 'wizard.diskNone')}
            </label>
          ))}
          {disk === 'new'
            ? field(
                'vm-disk-size',
                t('wizard.diskSize'),
                <input id="vm-disk-size" className="number" value={diskGib} onChange={(e) => setDiskGib(e.target.value)} />,
                errors.diskSize ?? problemFor('disk'),
              )
            : null}
          {disk === 'existing'
            ? field(
                'vm-disk-path',
                t('wizard.diskPath'),
                <PathInput id="vm-disk-path" label={t('wizard.diskPath')} kind="disk" value={diskPath} onChange={setDiskPath} />,
                problemFor('disk'),
              )
            : null}
        </fieldset>
        <fieldset className="field">
          <legend>{t('wizard.boot')}</legend>
          {field(
            'vm-iso',
            t('wizard.iso'),
            <PathInput id="vm-iso" label={t('wizard.iso')} kind="iso" value={iso} onChange={setIso} placeholder="/path/to/installer.iso" />,
            problemFor('iso'),
            <MediaFound {...detected} />,
          )}
          <DownloadOs hostArch={host.arch} onDownloaded={setIso} initiallyOpen={download} />
          <label className="radio">
            <input type="checkbox" checked={advanced} onChange={(e) => setAdvanced(e.target.checked)} />
            {t('wizard.advanced')}
          </label>
          {advanced ? (
            <>
              {field(
                'vm-kernel',
                t('wizard.kernel'),
                <PathInput id="vm-kernel" label={t('wizard.kernel')} kind="any" value={kernel} onChange={setKernel} />,
                problemFor('kernel'),
              )}
              {field(
                'vm-initrd',
                t('wizard.initrd'),
                <PathInput id="vm-initrd" label={t('wizard.initrd')} kind="any" value={initrd} onChange={setInitrd} />,
                problemFor('initrd'),
              )}
              {field(
                'vm-append',
                t('wizard.append'),
                <input id="vm-append" value={append} onChange={(e) => setAppend(e.target.value)} />,
                problemFor('append'),
              )}
            </>
          ) : null}
        </fieldset>
        {field(
          'vm-engine',
          t('wizard.engine'),
          <EngineSelect id="vm-engine" value={engine} onChange={setEngine} />,
          problemFor('engine'),
          <p className="hint" data-testid="engine-choice">
            {describeEngine(host, engine, t, core)}
          </p>,
        )}
        {field(
          'vm-firmware',
          t('wizard.firmware'),
          <FirmwareSelect id="vm-firmware" value={firmware} onChange={setFirmware} host={host} />,
          problemFor('firmware'),
        )}
        {serverError ? (
          <p className="field-error" role="alert">
            {core(serverError)}
          </p>
        ) : null}
        <div className="dialog-buttons">
          <button type="button" onClick={onCancel}>
            {t('wizard.cancel')}
          </button>
          <button type="submit" className="primary" disabled={!valid || busy}>
            {busy ? t('wizard.creating') : t('wizard.finish')}
          </button>
        </div>
      </form>
    </div>
  );
}
