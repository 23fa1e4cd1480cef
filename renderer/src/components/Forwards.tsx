import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { VmDetails, VmSummary } from '../../../core/common/api';
import { forwardName, portSchema, takesForwards, forwardNameSchema } from '../../../core/common/nics';
import { forwardExposure } from '../../../core/common/forward';
import { isActionAllowed } from '../../../core/common/state';
import { useCoreText } from '../coreText';
import { toUiError, useService, type UiError } from '../useService';
import { Field, firstProblem } from './Field';

/**
 * A VM's port forwards as a table of rules, changed at once (not on Save): in the running
 * guest's network while it runs, in its config while it is stopped. A forward listening beyond
 * loopback says so before it is added.
 */
export function Forwards({ vm, details }: { vm: VmSummary; details: VmDetails }) {
  const { t } = useTranslation();
  const core = useCoreText();
  const service = useService();
  const cards = details.config.nics.filter(takesForwards);
  const [name, setName] = useState('');
  const [protocol, setProtocol] = useState<'tcp' | 'udp'>('tcp');
  const [address, setAddress] = useState('127.0.0.1');
  const [hostPort, setHostPort] = useState('');
  const [guestPort, setGuestPort] = useState('');
  const [nic, setNic] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<UiError | null>(null);
  const allowed = isActionAllowed('addForward', vm.state) && !vm.inaccessible;

  const port = (text: string) => (text.trim() ? firstProblem(portSchema, Number(text)) : null);
  const problems = {
    name: name.trim() ? firstProblem(forwardNameSchema, name.trim()) : null,
    hostPort: port(hostPort),
    guestPort: port(guestPort),
  };
  const ready = hostPort.trim() && guestPort.trim() && Object.values(problems).every((p) => !p);
  const exposed = forwardExposure({ hostAddress: address.trim() || '127.0.0.1', hostPort: Number(hostPort) || 0 });

  const act = async (work: () => Promise<unknown>, after?: () => void) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      after?.();
    } catch (err) {
      setError(toUiError(err));
    } finally {
      setBusy(false);
    }
  };
  const add = () =>
    act(
      () =>
        service.addForward(vm.id, {
          protocol,
          hostAddress: address.trim() || '127.0.0.1',
          hostPort: Number(hostPort),
          guestPort: Number(guestPort),
          ...(name.trim() && { name: name.trim() }),
          ...(nic && { nic }),
        }),
      () => (setName(''), setHostPort(''), setGuestPort('')),
    );

  const rows = details.config.nics.flatMap((n) => n.forwards.map((f) => ({ nic: n.id, f })));
  return (
    <section className="forwards" aria-label={t('forwards.title')}>
      <h3>{t('forwards.title')}</h3>
      {!cards.length ? (
        <p className="small">{t('forwards.noCard')}</p>
      ) : (
        <>
          <p className="small">{t(vm.state === 'running' || vm.state === 'paused' ? 'forwards.live' : 'forwards.stopped')}</p>
          {rows.length ? (
            <table>
              <thead>
                <tr>
                  <th>{t('forwards.name')}</th>
                  <th>{t('forwards.card')}</th>
                  <th>{t('forwards.protocol')}</th>
                  <th>{t('forwards.hostAddress')}</th>
                  <th>{t('forwards.hostPort')}</th>
                  <th>{t('forwards.guestPort')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {rows.map(({ nic: id, f }) => (
                  <tr key={`${id}-${forwardName(f)}`}>
                    <td>{forwardName(f)}</td>
                    <td>{id}</td>
                    <td>{f.protocol}</td>
                    <td>{f.hostAddress}</td>
                    <td>{f.hostPort}</td>
                    <td>{f.guestPort}</td>
                    <td>
                      <button
                        type="button"
                        disabled={!allowed || busy}
                        aria-label={t('forwards.remove', { name: forwardName(f) })}
                        onClick={() => void act(() => service.removeForward(vm.id, forwardName(f)))}
                      >
                        {t('forwards.removeShort')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="small">{t('forwards.none')}</p>
          )}
          <form
            className="forward-add"
            onSubmit={(e) => {
              e.preventDefault();
              if (ready && allowed && !busy) void add();
            }}
          >
            <fieldset disabled={!allowed || busy}>
              <Field id="fwd-name" label={t('forwards.name')} error={problems.name}>
                <input id="fwd-name" value={name} placeholder={`${protocol}-${hostPort || 'PORT'}`} onChange={(e) => setName(e.target.value)} />
              </Field>
              {cards.length > 1 ? (
                <Field id="fwd-nic" label={t('forwards.card')}>
                  <select id="fwd-nic" value={nic} onChange={(e) => setNic(e.target.value)}>
                    {cards.map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.id}
                      </option>
                    ))}
                  </select>
                </Field>
              ) : null}
              <Field id="fwd-protocol" label={t('forwards.protocol')}>
                <select id="fwd-protocol" value={protocol} onChange={(e) => setProtocol(e.target.value as 'tcp' | 'udp')}>
                  <option value="tcp">tcp</option>
                  <option value="udp">udp</option>
                </select>
              </Field>
              <Field id="fwd-address" label={t('forwards.hostAddress')}>
                <input id="fwd-address" value={address} onChange={(e) => setAddress(e.target.value)} />
              </Field>
              <Field id="fwd-host-port" label={t('forwards.hostPort')} error={problems.hostPort}>
                <input id="fwd-host-port" className="number" value={hostPort} onChange={(e) => setHostPort(e.target.value)} />
              </Field>
              <Field id="fwd-guest-port" label={t('forwards.guestPort')} error={problems.guestPort}>
                <input id="fwd-guest-port" className="number" value={guestPort} onChange={(e) => setGuestPort(e.target.value)} />
              </Field>
              {exposed ? (
                <p className="warning" role="note">
                  {core(exposed)}
                </p>
              ) : null}
              <button type="submit" disabled={!ready}>
                {t('forwards.add')}
              </button>
            </fieldset>
          </form>
        </>
      )}
      {error ? (
        <p className="field-error" role="alert">
          {core(error)}
        </p>
      ) : null}
    </section>
  );
}
