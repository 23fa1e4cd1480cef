import { useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import type { FileListing } from '../../../core/common/api';
import { useCoreText } from '../coreText';
import { toUiError, useService, type UiError } from '../useService';

/** What a path field takes: the file endings it offers first (all files stay one tick away). */
export const fileKinds = {
  iso: ['.iso'],
  disk: ['.qcow2', '.raw', '.img'],
  /** Disk images Guesthouse can import (convert into the VM's folder). */
  image: ['.qcow2', '.raw', '.img', '.vmdk', '.vdi', '.vhdx'],
  any: null,
} as const;
export type FileKind = keyof typeof fileKinds;

/** The folder part of a path as the service's host writes it (/ or \). */
export function folderOf(p: string): string | null {
  const cut = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return cut > 0 ? p.slice(0, cut) : null;
}

/** A file's size for the picker: bytes, or KiB…TiB with one decimal. */
export function sizeText(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  for (; v >= 1024 && i < units.length - 1; i++) v /= 1024;
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/**
 * A path input with a Browse… button. The picker lists folders on the host the service
 * runs on (IVmService.browseFiles), so it is the same in the desktop app and in a browser
 * managing another machine.
 */
export function PathInput({
  id,
  label,
  value,
  onChange,
  kind,
  placeholder,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  kind: FileKind;
  placeholder?: string;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <div className="path-input">
      <input id={id} value={value} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} />
      <button type="button" aria-label={t('browse.button', { label })} onClick={() => setOpen(true)}>
        {t('browse.browse')}
      </button>
      {open ? (
        <FileBrowser
          title={label}
          start={value ? folderOf(value) : null}
          kind={kind}
          onPick={(p) => {
            onChange(p);
            setOpen(false);
          }}
          onCancel={() => setOpen(false)}
        />
      ) : null}
    </div>
  );
}

function FileBrowser({
  title,
  start,
  kind,
  onPick,
  onCancel,
}: {
  title: string;
  start: string | null;
  kind: FileKind;
  onPick: (path: string) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const core = useCoreText();
  const service = useService();
  const [listing, setListing] = useState<FileListing | null>(null);
  const [goTo, setGoTo] = useState('');
  const [error, setError] = useState<UiError | null>(null);
  const [allFiles, setAllFiles] = useState(fileKinds[kind] === null);

  const open = (folder: string | null, fallBack = false): Promise<void> =>
    service.browseFiles(folder).then(
      (l) => {
        setListing(l);
        setGoTo(l.folder);
        setError(null);
      },
      (err: unknown) => (fallBack ? open(null) : setError(toUiError(err))),
    );
  useEffect(() => {
    // Where the field's file is, else the home folder.
    void open(start, start !== null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const endings = fileKinds[kind];
  const shown = (listing?.entries ?? []).filter((e) => e.kind === 'folder' || allFiles || !endings || endings.some((x) => e.name.toLowerCase().endsWith(x)));
  return createPortal(
    <div className="dialog-backdrop">
      <div className="dialog browser" role="dialog" aria-modal="true" aria-labelledby="browse-title">
        <h2 id="browse-title">{t('browse.title', { label: title })}</h2>
        <div className="browse-go">
          <input
            aria-label={t('browse.folder')}
            value={goTo}
            onChange={(e) => setGoTo(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                void open(goTo);
              }
            }}
          />
          <button type="button" onClick={() => void open(goTo)}>
            {t('browse.go')}
          </button>
        </div>
        {error ? (
          <p className="field-error" role="alert">
            {core(error)}
          </p>
        ) : null}
        <ul className="files" aria-label={t('browse.entries')}>
          {listing?.parent ? (
            <li>
              <button type="button" onClick={() => void open(listing.parent)}>
                📁 ..
              </button>
            </li>
          ) : null}
          {shown.map((e) => (
            <li key={e.path}>
              <button type="button" onClick={() => (e.kind === 'folder' ? void open(e.path) : onPick(e.path))}>
                {e.kind === 'folder' ? '📁' : '📄'} {e.name}
              </button>
              {e.kind === 'file' ? <span className="small"> {sizeText(e.sizeBytes)}</span> : null}
            </li>
          ))}
        </ul>
        {listing?.truncated ? <p className="small">{t('browse.truncated')}</p> : null}
        <div className="dialog-buttons">
          {endings ? (
            <label className="small">
              <input type="checkbox" checked={allFiles} onChange={(e) => setAllFiles(e.target.checked)} /> {t('browse.allFiles')}
            </label>
          ) : null}
          <button type="button" onClick={onCancel}>
            {t('browse.cancel')}
          </button>
        </div>
      </div>
    </div>,
    document.body,
  );
}
