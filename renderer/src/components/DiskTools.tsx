import { useCallback, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { DiskInfo, VmDetails, VmSummary } from '../../../core/common/api';
import { newDiskFormatFor } from '../../../core/common/capabilities';
import type { DiskFormat } from '../../../core/common/presets';
import { parseSize } from '../../../core/common/size';
import { isActionAllowed, type StorageAction } from '../../../core/common/state';
import { useCoreText } from '../coreText';
import { toUiError, useFetched, useService, type UiError } from '../useService';
import { PathInput, sizeText, type FileKind } from './FileBrowser';
import { ProgressBar, diskOperations, useProgress, type Operation } from './ProgressBar';

type Outcome = { status: string } | { error: UiError } | null;

/**
 * Storage tools that act at once (not on Save): each disk's virtual and actual size, grow and
 * convert (stopped VMs only), import a disk image, and the CD's ISO, which can change while
 * the VM runs. Sizes come from qemu-img through the service (listDisks).
 */
export function DiskTools({ vm, details }: { vm: VmSummary; details: VmDetails }) {
  const { t } = useTranslation();
  const core = useCoreText();
  const service = useService();
  const [pending, setPending] = useState<Operation | 'media' | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const listDisks = useCallback(() => service.listDisks(vm.id), [service, vm.id]);
  // Listed again when the VM's state or its disks change.
  const { value: disks, error: loadError, load } = useFetched(listDisks, JSON.stringify([vm.state, details.config.disks]));
  const progress = useProgress(vm.id, diskOperations, load);

  const busy = pending !== null || progress !== null;
  // The states each tool works in (core/common/state.ts): disks of a stopped VM; the CD also while it runs.
  const allowed = (a: StorageAction) => isActionAllowed(a, vm.state) && !vm.inaccessible;
  const stopped = allowed('resizeDisk') && allowed('convertDisk');
  const target = newDiskFormatFor(details.engineChoice.engine);
  const attached = new Set(details.config.disks.map((d) => d.path));
  const currentIso = details.config.optical?.isoPath ?? null;

  const perform = async (operation: Operation | 'media', work: () => Promise<unknown>, done: (result: unknown) => string) => {
    setOutcome(null);
    setPending(operation);
    try {
      setOutcome({ status: done(await work()) });
      return true;
    } catch (err) {
      setOutcome({ error: toUiError(err) });
      return false;
    } finally {
      setPending(null);
      load();
    }
  };
  const pathOf = (result: unknown) => (result as DiskInfo).path;

  return (
    <section className="disk-tools" aria-labelledby="disk-tools-title">
      <h3 id="disk-tools-title">{t('disks.title')}</h3>
      {!stopped ? <p className="small">{t('disks.stoppedOnly')}</p> : null}
      <ProgressBar event={progress} pending={pending === 'media' ? null : pending} />
      {loadError ? <p className="reason">{core(loadError)}</p> : null}
      {!disks && !loadError ? <p className="small">{t('disks.loading')}</p> : null}
      {disks ? (
        <ul className="disk-list" aria-label={t('disks.list')}>
          {disks.map((d) => (
            <DiskRow
              key={d.path}
              disk={d}
              isDisk={attached.has(d.path)}
              target={target}
              enabled={stopped && !busy}
              onGrow={(bytes) =>
                perform(
                  'disk-resize',
                  () => service.resizeDisk(vm.id, d.path, bytes),
                  (r) => t('disks.grown', { path: d.path, size: sizeText((r as DiskInfo).virtualBytes) }),
                )
              }
              onConvert={() =>
                void perform(
                  'disk-convert',
                  () => service.convertDisk(vm.id, d.path, target),
                  (r) => t('disks.converted', { path: pathOf(r) }),
                )
              }
            />
          ))}
        </ul>
      ) : null}
      <div className="field">
        <PathAction
          id="disk-import"
          label={t('disks.import')}
          kind="image"
          button={t('disks.importButton')}
          enabled={allowed('importDisk') && !busy}
          onAct={(path) =>
            perform(
              'disk-import',
              () => service.importDisk(vm.id, path),
              (r) => t('disks.imported', { path: pathOf(r) }),
            )
          }
        />
      </div>
      <div className="field">
        <p className="cd-medium" data-testid="cd-medium">
          <strong>{t('disks.cd')}</strong> {currentIso ? <code>{currentIso}</code> : <span className="small">{t('disks.empty')}</span>}
        </p>
        <PathAction
          id="cd-iso"
          label={t('disks.insert')}
          kind="iso"
          button={t('disks.insertButton')}
          enabled={allowed('insertMedia') && !busy}
          onAct={(path) =>
            perform(
              'media',
              () => service.insertMedia(vm.id, path),
              () => t('disks.inserted', { path }),
            )
          }
        >
          <button
            type="button"
            disabled={!allowed('ejectMedia') || busy || !currentIso}
            onClick={() =>
              void perform(
                'media',
                () => service.ejectMedia(vm.id),
                () => t('disks.ejected'),
              )
            }
          >
            {t('disks.eject')}
          </button>
        </PathAction>
      </div>
      {outcome && 'status' in outcome ? (
        <p className="ok" aria-live="polite" data-testid="disk-status">
          {outcome.status}
        </p>
      ) : null}
      {outcome && 'error' in outcome ? (
        <p className="field-error" role="alert">
          {core(outcome.error)}
        </p>
      ) : null}
    </section>
  );
}

/** A path to choose and a button that acts on it (import a disk, insert an ISO); the path is cleared once the act succeeds. */
function PathAction({
  id,
  label,
  kind,
  button,
  enabled,
  onAct,
  children,
}: {
  id: string;
  label: string;
  kind: FileKind;
  button: string;
  enabled: boolean;
  onAct: (path: string) => Promise<boolean>;
  children?: ReactNode;
}) {
  const [path, setPath] = useState('');
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <div className="disk-actions">
        <PathInput id={id} label={label} kind={kind} value={path} onChange={setPath} />
        <button type="button" disabled={!enabled || !path.trim()} onClick={() => void onAct(path.trim()).then((ok) => ok && setPath(''))}>
          {button}
        </button>
        {children}
      </div>
    </>
  );
}

/** One disk (or the UEFI variable store, which has sizes but no tools): sizes, grow, convert. */
function DiskRow({
  disk,
  isDisk,
  target,
  enabled,
  onGrow,
  onConvert,
}: {
  disk: DiskInfo;
  isDisk: boolean;
  target: DiskFormat;
  enabled: boolean;
  onGrow: (bytes: number) => Promise<boolean>;
  onConvert: () => void;
}) {
  const { t } = useTranslation();
  const core = useCoreText();
  const [size, setSize] = useState('');
  let bytes: number | null = null;
  let problem: UiError | null = null;
  if (size.trim()) {
    try {
      bytes = parseSize(size);
    } catch (err) {
      problem = toUiError(err);
    }
  }
  const inputId = `grow-${disk.path}`;
  return (
    <li aria-label={disk.path}>
      <div>
        <code>{disk.path}</code>{' '}
        <span className="small">
          {[
            isDisk ? null : t('disks.uefiVars'),
            disk.format,
            disk.snapshotCount ? t('disks.snapshots', { count: disk.snapshotCount }) : null,
            disk.backingFile ? t('disks.backing', { path: disk.backingFile }) : null,
          ]
            .filter(Boolean)
            .join(' · ')}
        </span>
      </div>
      <div className="disk-sizes">
        <span>{t('disks.virtual', { size: sizeText(disk.virtualBytes) })}</span>
        <span>{t('disks.actual', { size: sizeText(disk.actualBytes) })}</span>
      </div>
      {isDisk ? (
        <form
          className="disk-actions"
          onSubmit={(e) => {
            e.preventDefault();
            if (bytes !== null) void onGrow(bytes).then((ok) => ok && setSize(''));
          }}
        >
          <input
            id={inputId}
            className="number"
            aria-label={t('disks.newSize', { path: disk.path })}
            placeholder={t('disks.sizeHint')}
            value={size}
            aria-invalid={problem !== null}
            disabled={!enabled}
            onChange={(e) => setSize(e.target.value)}
          />
          <button type="submit" disabled={!enabled || bytes === null} aria-label={t('disks.growDisk', { path: disk.path })}>
            {t('disks.grow')}
          </button>
          {disk.format !== target ? (
            <button type="button" disabled={!enabled} onClick={onConvert}>
              {t('disks.convertTo', { format: target })}
            </button>
          ) : null}
        </form>
      ) : null}
      {problem ? (
        <p className="field-error" role="alert">
          {core(problem)}
        </p>
      ) : null}
    </li>
  );
}
