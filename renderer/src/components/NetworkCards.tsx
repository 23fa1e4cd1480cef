import { useTranslation } from 'react-i18next';
import { nicAttachments, nicModels, privateNetworkOf, type NicAttachment } from '../../../core/common/nics';
import { useNetworks } from './Networks';
import type { NicModel } from '../../../core/common/presets';

/** One card as the settings form holds it until Save: what it is attached to, its model, and its MAC once it has one. */
export interface Card {
  attachment: NicAttachment;
  model: NicModel;
  mac?: string | undefined;
}

/**
 * The VM's network cards as the settings form edits them: each with its attachment and model,
 * a new one (up to `max`, the engine's limit) and a way to take one off. Applied with the form.
 */
export function NetworkCards({ cards, max, onChange }: { cards: Card[]; max: number; onChange: (cards: Card[]) => void }) {
  const { t } = useTranslation();
  const set = (i: number, change: Partial<Card>) => onChange(cards.map((c, j) => (j === i ? { ...c, ...change } : c)));
  // The library's private networks, and any a card names that is not (any more) among them.
  const networks = new Set([...useNetworks().map((n) => n.name), ...cards.map((c) => privateNetworkOf(c.attachment)).filter((n) => n !== null)]);
  const label = (a: NicAttachment) => {
    const network = privateNetworkOf(a);
    return network === null ? t(`settings.attachments.${a}`) : t('settings.attachments.private', { network });
  };
  const choices: NicAttachment[] = [...nicAttachments, ...[...networks].map((n): NicAttachment => `private:${n}`)];
  return (
    <fieldset className="field nics">
      <legend>{t('settings.cards')}</legend>
      {cards.length === 0 ? <p className="small">{t('settings.noCards')}</p> : null}
      {cards.map((card, i) => (
        <div className="nic-card" key={i} role="group" aria-label={t('settings.card', { n: i + 1 })}>
          <strong>{t('settings.card', { n: i + 1 })}</strong>{' '}
          {card.mac ? <code className="small">{card.mac}</code> : <span className="small">{t('settings.newCard')}</span>}
          <label htmlFor={`set-network-${i}`}>{t('settings.network')}</label>
          <select id={`set-network-${i}`} value={card.attachment} onChange={(e) => set(i, { attachment: e.target.value as NicAttachment })}>
            {choices.map((a) => (
              <option key={a} value={a}>
                {label(a)}
              </option>
            ))}
          </select>
          <label htmlFor={`set-nic-${i}`}>{t('details.nicModel')}</label>
          <select id={`set-nic-${i}`} value={card.model} onChange={(e) => set(i, { model: e.target.value as NicModel })}>
            {nicModels.map((k) => (
              <option key={k} value={k}>
                {t(`details.nics.${k}`)}
              </option>
            ))}
          </select>
          <button type="button" aria-label={t('settings.removeCard', { n: i + 1 })} onClick={() => onChange(cards.filter((_, j) => j !== i))}>
            {t('settings.remove')}
          </button>
        </div>
      ))}
      <button
        type="button"
        disabled={cards.length >= max}
        title={cards.length >= max ? t('settings.cardsMax', { max }) : undefined}
        onClick={() => onChange([...cards, { attachment: 'nat', model: cards[0]?.model ?? 'virtio' }])}
      >
        {t('settings.addCard')}
      </button>
    </fieldset>
  );
}
