// The VM's shared folders: in its details each folder, its tag, read-only or writable, and the
// command that mounts it in the guest; in Settings an editor that adds and removes them.
import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ModifyVmRequest, VmDetails, VmSummary } from '../../../core/common/api';
import { mountCommand, type ShareConfig } from '../../../core/common/shares';
import { isActionAllowed } from '../../../core/common/state';
import { useCoreText } from '../coreText';
import { toUiError, useService, type UiError } from '../useService';

/** The VM's shared folders, read loosely: a config older than version 5 has none. */
export function guestShares(config: VmDetails['config'] | undefined): ShareConfig[] {
  const shares = (config as unknown as { shares?: unknown } | undefined)?.shares;
  if (!Array.isArray(shares)) return [];
  return (shares as Partial<ShareConfig>[])
    .filter((s) => typeof s?.tag === 'string' && typeof s.path === 'string')
    .map((s) => ({ tag: s.tag!, path: s.path!, readOnly: s.readOnly === true }));
}

/** One row per shared folder (inside the details' list), with its mount command. */
export function SharedFolderRows({ config }: { config: VmDetails['config'] | undefined }) {
  const { t } = useTranslation();
  return guestShares(config).map((s) => (
    <Fragment key={s.tag}>
      <dt>{t('details.share')}</dt>
      <dd data-testid="share">
        <code>{s.path}</code> — {t('details.shareAs', { tag: s.tag })} ({s.readOnly ? t('details.shareReadOnly') : t('details.shareWritable')})
        <br />
        <span className="small">{t('details.shareMount')}</span> <code data-testid="mount-command">{mountCommand(s.tag)}</code>
      </dd>
    </Fragment>
  ));
}

type Outcome = { status: string } | { error: UiError } | null;

/**
 * Shared folders in Settings, applied at once (not on Save) while the VM is stopped: each share
 * with Remove, and a folder to add with its tag (the folder's name when left empty) and read-only.
 */
export function SharesEditor({ vm, details }: { vm: VmSummary; details: VmDetails }) {
  const { t } = useTranslation();
  const core = useCoreText();
  const service = useService();
  const [folder, setFolder] = useState('');
  const [tag, setTag] = useState('');
  const [readOnly, setReadOnly] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const editable = isActionAllowed('modify', vm.state) && !vm.inaccessible;
  const shares = guestShares(details.config);

  const change = async (request: ModifyVmRequest, status: string) => {
    setOutcome(null);
    setBusy(true);
    try {
      await service.modifyVm(vm.id, request);
      setOutcome({ status });
      return true;
    } catch (err) {
      setOutcome({ error: toUiError(err) });
      return false;
    } finally {
      setBusy(false);
    }
  };
  const add = async () => {
    const share = { path: folder.trim(), ...(tag.trim() ? { tag: tag.trim() } : {}), readOnly };
    if (await change({ shares: [share] }, t('shares.added', { path: share.path }))) {
      setFolder('');
      setTag('');
      setReadOnly(false);
    }
  };

  return (
    <section className="shares" aria-labelledby="shares-title">
      <h3 id="shares-title">{t('shares.title')}</h3>
      {!editable ? <p className="small">{t('shares.stoppedOnly')}</p> : null}
      {shares.length === 0 ? <p className="small">{t('shares.none')}</p> : null}
      <ul aria-label={t('shares.title')}>
        {shares.map((s) => (
          <li key={s.tag}>
            <code>{s.path}</code> — {t('details.shareAs', { tag: s.tag })} ({s.readOnly ? t('details.shareReadOnly') : t('details.shareWritable')}){' '}
            <button
              type="button"
              disabled={!editable || busy}
              aria-label={t('shares.removeLabel', { tag: s.tag })}
              onClick={() => void change({ unshare: [s.tag] }, t('shares.removed', { tag: s.tag }))}
            >
              {t('shares.remove')}
            </button>
          </li>
        ))}
      </ul>
      <fieldset disabled={!editable || busy}>
        <label htmlFor="share-folder">{t('shares.folder')}</label>{' '}
        <input id="share-folder" value={folder} placeholder="/path/to/folder" onChange={(e) => setFolder(e.target.value)} />{' '}
        <label htmlFor="share-tag">{t('shares.tag')}</label> <input id="share-tag" className="number" value={tag} onChange={(e) => setTag(e.target.value)} />{' '}
        <label>
          <input type="checkbox" checked={readOnly} onChange={(e) => setReadOnly(e.target.checked)} /> {t('details.shareReadOnly')}
        </label>{' '}
        <button type="button" disabled={!folder.trim()} onClick={() => void add()}>
          {t('shares.add')}
        </button>
      </fieldset>
      {outcome && 'status' in outcome ? (
        <p className="ok" role="status">
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
