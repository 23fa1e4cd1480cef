import { useTranslation } from 'react-i18next';
import { localize } from '../../core/common/messages';

/**
 * The core's sentences (errors, reasons, host details) in the GUI's language. The core speaks
 * English over the API; its catalog (core/common/messages.ts) holds the Korean of every
 * sentence, and this turns one into the other where it is shown.
 */
export function useCoreText(): (text: string) => string {
  const { i18n } = useTranslation();
  const lang = i18n.language;
  return (text) => localize(text, lang);
}
