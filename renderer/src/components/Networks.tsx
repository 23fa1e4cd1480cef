import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { NetworkInfo } from '../../../core/common/api';
import { useCoreText } from '../coreText';
import { toUiError, useFetched, useService, type UiError } from '../useService';

/** The library's private networks, loaded again whenever the VMs change (members come and go with their cards). */
export function useNetworks(): NetworkInfo[] {
  const service = useService();
  const list = useCallback(() => service.listNetworks(), [service]);
  return useFetched(list, '').value ?? [];
}

/**
 * The library's private networks (guests on one reach each other and nothing else): each with
 * its members and whether its switch runs; make one, or delete one no VM is attached to.
 */
export function Networks() {
  const { t } = useTranslation();
  const core = useCoreText();
  const service = useService();
  const list = useCallback(() => service.listNetworks(), [service]);
  const { value: networks, load } = useFetched(list, '');
  const [name, setName] = useState('');
  const [error, setError] = useState<UiError | null>(null);
  const act = (work: () => Promise<unknown>, after?: () => void) => {
    setError(null);
    work().then(
      () => (after?.(), load()),
      (err: unknown) => setError(toUiError(err)),
    );
  };
  return (
    <section className="networks" aria-label={t('networks.title')}>
      <h3>{t('networks.title')}</h3>
      <p className="small">{t('networks.hint')}</p>
      {networks?.length ? (
        <table>
          <thead>
            <tr>
              <th>{t('networks.name')}</th>
              <th>{t('networks.members')}</th>
              <th>{t('networks.switch')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {networks.map((n) => (
              <tr key={n.name}>
                <td>{n.name}</td>
                <td>{n.members.length ? n.members.join(', ') : t('networks.noMembers')}</td>
                <td>{n.switchPort === null ? t('networks.switchIdle') : t('networks.switchPort', { port: n.switchPort })}</td>
                <td>
                  <button type="button" aria-label={t('networks.delete', { name: n.name })} onClick={() => act(() => service.deleteNetwork(n.name))}>
                    {t('networks.deleteShort')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="small">{t('networks.none')}</p>
      )}
      <form
        className="network-add"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim())
            act(
              () => service.createNetwork(name.trim()),
              () => setName(''),
            );
        }}
      >
        <label htmlFor="network-name">{t('networks.newName')}</label> <input id="network-name" value={name} onChange={(e) => setName(e.target.value)} />{' '}
        <button type="submit" disabled={!name.trim()}>
          {t('networks.create')}
        </button>
      </form>
      {error ? (
        <p className="field-error" role="alert">
          {core(error)}
        </p>
      ) : null}
    </section>
  );
}
