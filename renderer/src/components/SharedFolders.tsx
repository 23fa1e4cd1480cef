// The VM's shared folders in its details: each folder, its tag, read-only or writable, and the
// command that mounts it in the guest.
import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';
import type { VmDetails } from '../../../core/common/api';
import { mountCommand, type ShareConfig } from '../../../core/common/shares';

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
