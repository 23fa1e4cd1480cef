import { useTranslation } from 'react-i18next';
import { coreText, type SentenceData } from '../../core/common/messages';

export { coreText };

/** `coreText` in the GUI's current language; nothing for nothing. */
export function useCoreText(): (sentence: SentenceData | string | null | undefined) => string {
  const { i18n } = useTranslation();
  const lang = i18n.language;
  return (sentence) => (sentence == null ? '' : coreText(sentence, lang));
}
