import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { HostInfo, VmDetails, VmSummary } from '../../../core/common/api';
import {
  cpusSchema,
  diskBuses,
  displayAdapters,
  firmwareProblems,
  hostProblems,
  memoryMibSchema,
  pointerKinds,
  vmNameSchema,
  type EngineSetting,
  type FirmwareKind,
} from '../../../core/common/config';
import type { DiskBus, DisplayAdapter, NicModel } from '../../../core/common/presets';

type PointerKind = (typeof pointerKinds)[number];
import { EngineSelect, Field, FirmwareSelect, firstProblem } from './Field';
import { capabilitiesOf } from '../../../core/common/capabilities';
import type { NicAttachment } from '../../../core/common/nics';
import { NetworkCards, type Card } from './NetworkCards';
import { Forwards } from './Forwards';
import { isActionAllowed } from '../../../core/common/state';
import { problemAt, toUiError, useService, type UiError } from '../useService';
import type { FormField, SentenceData } from '../../../core/common/messages';
import { guestNics, useAdoptableVmDetails } from './Details';
import { useCoreText } from '../coreText';
import { PathInput } from './FileBrowser';
import { DiskTools } from './DiskTools';
import { SharesEditor } from './SharedFolders';
import { Cpu, HardDrive, Monitor, Network, SquareTerminal } from 'lucide-react';
import { Card as DeviceCard, CpuSlider, MemorySlider, PendingChanges, type Change } from './SettingsParts';

/**
 * Settings of a stopped VM; a running VM shows them read-only. The form appears only once the
 * stored config has loaded, and starts from it: what the user types is never overwritten by a
 * late load. It starts over only when the stored config itself changes (applied here, or in another window).
 */
export function Settings({ vm, host }: { vm: VmSummary; host: HostInfo }) {
  const { t } = useTranslation();
  const core = useCoreText();
  const { details, adopt } = useAdoptableVmDetails(vm);
  // The outcome of the last apply lives here, so it outlasts the form starting over from the stored config.
  const [outcome, setOutcome] = useState<Outcome>(null);
  // Bumped by "Discard changes": the form starts over from the stored config.
  const [resets, setResets] = useState(0);
  if (!details || details.id !== vm.id) return <p className="notice">{t('settings.loading')}</p>;
  return (
    <>
      <SettingsForm
        key={JSON.stringify([resets, details.name, { ...details.config, nics: details.config.nics?.map(({ forwards: _f, ...n }) => n) }])}
        vm={vm}
        host={host}
        details={details}
        serverError={outcome?.error ?? null}
        onOutcome={setOutcome}
        onApplied={adopt}
        onDiscard={() => setResets((n) => n + 1)}
      />
      {outcome?.status ? (
        <p className="ok" role="status">
          {outcome.status}
        </p>
      ) : null}
      {outcome?.error ? (
        <p className="field-error" role="alert">
          {core(outcome.error)}
        </p>
      ) : null}
      <Forwards vm={vm} details={details} />
      <DiskTools vm={vm} details={details} />
      <SharesEditor vm={vm} details={details} />
    </>
  );
}

type Outcome = { status: string; error?: undefined } | { error: UiError; status?: undefined } | null;

function SettingsForm({
  vm,
  host,
  details,
  serverError,
  onOutcome,
  onApplied,
  onDiscard,
}: {
  vm: VmSummary;
  host: HostInfo;
  details: VmDetails;
  serverError: UiError | null;
  onOutcome: (o: Outcome) => void;
  /** The details the service answered with: the form starts over from them before "Saved." shows, so an edit made right after is not lost to a late reload. */
  onApplied: (d: VmDetails) => void;
  onDiscard: () => void;
}) {
  const { t } = useTranslation();
  const service = useService();
  const editable = isActionAllowed('modify', vm.state);
  const c = details.config;
  const [name, setName] = useState(details.name);
  const [memory, setMemory] = useState(String(c.memoryMib));
  const [cpus, setCpus] = useState(String(c.cpus));
  const [engine, setEngine] = useState<EngineSetting>(c.engine);
  const [firmware, setFirmware] = useState<FirmwareKind>(c.firmware);
  const [iso, setIso] = useState(c.optical?.isoPath ?? '');
  const [append, setAppend] = useState(c.directBoot?.append ?? '');
  // The network cards, in order: what each is attached to and its model (forwards change apart, at once: Forwards.tsx).
  const [cards, setCards] = useState<Card[]>(() =>
    guestNics(c).map((n) => ({ attachment: n.attachment as NicAttachment, model: n.model as NicModel, mac: n.mac })),
  );
  // What the guest sees (config version 2; read defensively for a config the GUI got from an older service).
  const [display, setDisplay] = useState<DisplayAdapter>(c.display?.adapter ?? 'vga');
  const [pointer, setPointer] = useState<PointerKind>(c.input?.pointer ?? 'tablet');
  const [diskBus, setDiskBus] = useState<DiskBus>(c.diskBus ?? 'virtio');
  const [kernel, setKernel] = useState(c.directBoot?.kernelPath ?? '');
  const [initrd, setInitrd] = useState(c.directBoot?.initrdPath ?? '');
  // Storage: disks to take off when applied (their files stay), one existing file to attach, one new disk.
  const [detach, setDetach] = useState<readonly string[]>([]);
  const [attachPath, setAttachPath] = useState('');
  const [newDiskGib, setNewDiskGib] = useState('');

  const memoryMib = Number(memory);
  const cpuCount = Number(cpus);
  const maxCards = capabilitiesOf(details.engineChoice.engine ?? 'qemu').maxNics.max;
  const errors = {
    name: firstProblem(vmNameSchema, name),
    memory:
      firstProblem(memoryMibSchema, memory.trim() ? memoryMib : Number.NaN) ??
      hostProblems({ memoryMib }, host)[0] ??
      firmwareProblems({ firmware, memoryMib })[0] ??
      null,
    cpus: firstProblem(cpusSchema, cpus.trim() ? cpuCount : Number.NaN) ?? hostProblems({ cpus: cpuCount }, host)[0] ?? null,
    newDisk: newDiskGib.trim() && !(Number(newDiskGib) * 1024 >= 1) ? t('settings.newDiskBad') : null,
    kernel: c.directBoot && !kernel.trim() ? t('settings.kernelNeeded') : null,
  };
  const valid = Object.values(errors).every((e) => !e);
  const nicText = (list: readonly { attachment: string; model?: string | undefined }[]) => list.map((n) => `${n.attachment} (${n.model ?? ''})`).join(', ');
  const changes: Change[] = (
    [
      [t('settings.name'), details.name, name],
      [t('wizard.memory'), String(c.memoryMib), memory],
      [t('wizard.cpus'), String(c.cpus), cpus],
      [t('wizard.engine'), c.engine, engine],
      [t('wizard.firmware'), c.firmware, firmware],
      [t('wizard.iso'), c.optical?.isoPath ?? '', iso],
      [t('details.display'), c.display?.adapter ?? 'vga', display],
      [t('details.pointer'), c.input?.pointer ?? 'tablet', pointer],
      [t('details.diskBus'), c.diskBus ?? 'virtio', diskBus],
      [t('settings.cards'), nicText(guestNics(c)), nicText(cards)],
      [t('wizard.kernel'), c.directBoot?.kernelPath ?? '', c.directBoot ? kernel : ''],
      [t('wizard.initrd'), c.directBoot?.initrdPath ?? '', c.directBoot ? initrd : ''],
      [t('wizard.append'), c.directBoot?.append ?? '', c.directBoot ? append : ''],
      [t('settings.detach'), '', detach.join(', ')],
      [t('settings.attachDisk'), '', attachPath.trim()],
      [t('settings.newDisk'), '', newDiskGib.trim()],
    ] as const
  )
    .filter(([, from, to]) => from !== to)
    .map(([what, from, to]) => ({ what, from, to }));

  const applySettings = async () => {
    onOutcome(null);
    try {
      const applied = await service.modifyVm(vm.id, {
        name,
        memoryMib,
        cpus: cpuCount,
        engine,
        firmware,
        isoPath: iso ? iso : null,
        ...(c.directBoot ? { kernelPath: kernel.trim(), initrdPath: initrd.trim() || null, append } : {}),
        ...(detach.length ? { detachDisks: [...detach] } : {}),
        ...(attachPath.trim() ? { diskPath: attachPath.trim() } : {}),
        ...(newDiskGib.trim() ? { diskSizeBytes: Math.round(Number(newDiskGib) * 2 ** 30) } : {}),
        // Each kept card is named by its MAC, so taking one out leaves the others their MAC and forwards.
        nets: cards.length ? cards.map(({ attachment, model, mac }) => ({ attachment, model, ...(mac ? { mac } : {}) })) : [{ attachment: 'none' as const }],
        display,
        pointer,
        diskBus,
      });
      onApplied(applied);
      onOutcome({ status: t('settings.saved') });
    } catch (err) {
      onOutcome({ error: toUiError(err) });
    }
  };

  /** A select over one enumerated setting, each option named in the GUI's language. */
  const choice = <K extends string>(id: string, value: K, options: readonly K[], onChange: (k: K) => void, label: (k: K) => string) => (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value as K)}>
      {options.map((k) => (
        <option key={k} value={k}>
          {label(k)}
        </option>
      ))}
    </select>
  );

  /** A field with its own sentence when the value is wrong, else the one the service gave it at the last apply. */
  const field = (id: string, label: string, input: React.ReactNode, err?: SentenceData | string | null, about?: FormField, hint?: React.ReactNode) => (
    <Field id={id} label={label} error={err ?? (about ? problemAt(serverError, about) : null)} hint={hint}>
      {input}
    </Field>
  );
  return (
    <form
      className="settings"
      onChange={() => onOutcome(null)}
      onSubmit={(e) => {
        e.preventDefault();
        if (editable && valid) void applySettings();
      }}
    >
      {!editable ? <p className="notice">{t('settings.readOnly')}</p> : null}
      <fieldset disabled={!editable}>
        <DeviceCard icon={Cpu} title={t('gui.settings.system')}>
          {field('set-name', t('settings.name'), <input id="set-name" value={name} onChange={(e) => setName(e.target.value)} />, errors.name, 'name')}
          {field(
            'set-memory',
            t('wizard.memory'),
            <MemorySlider id="set-memory" host={host} text={memory} onChange={setMemory} invalid={Boolean(errors.memory)} />,
            errors.memory,
            'memory',
          )}
          {field(
            'set-cpus',
            t('wizard.cpus'),
            <CpuSlider id="set-cpus" host={host} text={cpus} onChange={setCpus} invalid={Boolean(errors.cpus)} />,
            errors.cpus,
            'cpus',
          )}
          {field('set-engine', t('wizard.engine'), <EngineSelect id="set-engine" value={engine} onChange={setEngine} />, null, 'engine')}
          {field(
            'set-firmware',
            t('wizard.firmware'),
            <FirmwareSelect id="set-firmware" value={firmware} onChange={setFirmware} host={host} />,
            null,
            'firmware',
          )}
        </DeviceCard>
        <DeviceCard icon={Network} title={t('settings.network')}>
          <NetworkCards cards={cards} max={maxCards} onChange={setCards} />
        </DeviceCard>
        <DeviceCard icon={Monitor} title={t('tabs.display')}>
          {field(
            'set-display',
            t('details.display'),
            choice('set-display', display, displayAdapters, setDisplay, (k) => t(`details.adapters.${k}`)),
            null,
            'display',
          )}
          {display !== 'none'
            ? field(
                'set-pointer',
                t('details.pointer'),
                choice('set-pointer', pointer, pointerKinds, setPointer, (k) => t(`details.pointers.${k}`)),
                null,
                'pointer',
              )
            : null}
        </DeviceCard>
        <DeviceCard icon={HardDrive} title={t('gui.settings.storage')}>
          {field(
            'set-disk-bus',
            t('details.diskBus'),
            choice('set-disk-bus', diskBus, diskBuses, setDiskBus, (k) => t(`details.buses.${k}`)),
            null,
            'diskBus',
          )}
          {field('set-iso', t('wizard.iso'), <PathInput id="set-iso" label={t('wizard.iso')} kind="iso" value={iso} onChange={setIso} />, null, 'iso')}
          {c.directBoot ? (
            <DeviceCard icon={SquareTerminal} title={t('gui.settings.boot')}>
              {field(
                'set-kernel',
                t('wizard.kernel'),
                <PathInput id="set-kernel" label={t('wizard.kernel')} kind="any" value={kernel} onChange={setKernel} />,
                errors.kernel,
                'kernel',
              )}
              {field(
                'set-initrd',
                t('wizard.initrd'),
                <PathInput id="set-initrd" label={t('wizard.initrd')} kind="any" value={initrd} onChange={setInitrd} />,
                null,
                'initrd',
              )}
              {field('set-append', t('wizard.append'), <input id="set-append" value={append} onChange={(e) => setAppend(e.target.value)} />, null, 'append')}
            </DeviceCard>
          ) : null}
          <fieldset className="field storage">
            <legend>{t('settings.storage')}</legend>
            {c.disks.length === 0 ? <p className="small">{t('settings.noDisks')}</p> : null}
            <ul className="disks" aria-label={t('settings.storage')}>
              {c.disks.map((d) => {
                const marked = detach.includes(d.path);
                return (
                  <li key={d.path} className={marked ? 'detached' : undefined}>
                    <code>{d.path}</code> ({d.format}){marked ? ` — ${t('settings.detachNote')}` : ''}{' '}
                    <button
                      type="button"
                      aria-label={t(marked ? 'settings.keepDisk' : 'settings.detachDisk', { path: d.path })}
                      onClick={() => setDetach(marked ? detach.filter((p) => p !== d.path) : [...detach, d.path])}
                    >
                      {t(marked ? 'settings.keep' : 'settings.detach')}
                    </button>
                  </li>
                );
              })}
            </ul>
            {field(
              'set-attach-disk',
              t('settings.attachDisk'),
              <PathInput
                id="set-attach-disk"
                label={t('settings.attachDisk')}
                kind="disk"
                value={attachPath}
                placeholder="/path/to/disk.qcow2"
                onChange={setAttachPath}
              />,
              null,
              attachPath.trim() ? 'disk' : undefined,
            )}
            {field(
              'set-new-disk',
              t('settings.newDisk'),
              <input id="set-new-disk" className="number" value={newDiskGib} onChange={(e) => setNewDiskGib(e.target.value)} />,
              errors.newDisk,
              attachPath.trim() ? undefined : 'disk',
            )}
          </fieldset>
        </DeviceCard>
        <div className="settings-actions">
          <PendingChanges changes={changes} nameLabel={t('settings.name')} onDiscard={onDiscard} />
          <button type="submit" className="primary" disabled={!valid}>
            {t('settings.save')}
          </button>
        </div>
      </fieldset>
    </form>
  );
}
