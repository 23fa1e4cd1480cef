import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';
import type { GuestInfo } from '../../../core/common/api';
import { useCoreText } from '../coreText';

/**
 * What the guest agent says of a running guest, as rows of the details list: whether it answers,
 * the OS, and each interface with an address (its card, net0…, where the MAC is one of the VM's),
 * and the clock note when the guest cannot set its clock. Refreshed as the service publishes it.
 */
export function GuestAgentRows({ guest }: { guest: GuestInfo | undefined }) {
  const { t } = useTranslation();
  const core = useCoreText();
  if (!guest) return null;
  return (
    <>
      <dt>{t('details.guestAgent')}</dt>
      <dd data-testid="guest-agent">
        {guest.agent ? t('details.agentAnswers') : t('details.agentSilent')}
        {guest.clockNote ? <p className="small">{core(guest.clockNote)}</p> : null}
      </dd>
      {guest.os ? (
        <>
          <dt>{t('details.guestOs')}</dt>
          <dd>{`${guest.os.name} ${guest.os.version}`.trim()}</dd>
        </>
      ) : null}
      {guest.nics
        .filter((n) => n.addresses.length && n.name !== 'lo')
        .map((n) => (
          <Fragment key={n.name}>
            <dt>{t('details.guestIp', { nic: n.card ? `${n.name}, ${n.card}` : n.name })}</dt>
            <dd data-testid={`guest-ip-${n.name}`}>
              <code>{n.addresses.join(', ')}</code>
            </dd>
          </Fragment>
        ))}
    </>
  );
}
