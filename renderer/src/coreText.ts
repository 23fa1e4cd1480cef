import { useTranslation } from 'react-i18next';
import { catalogs, format, isMessageKey, localeOf, type ParamData, type SentenceData } from '../../core/common/messages';

/**
 * A core sentence (an error, a reason, a host detail) in the GUI's language: the core sends
 * each sentence with its catalog key and parameters (core/common/messages.ts), and this fills
 * the same key from the language's catalog, saying sentences among the parameters in turn.
 * Words without a key (QEMU's own, text the GUI made itself) are shown as they are, and so is
 * a sentence whose key this build does not know.
 */
export function coreText(sentence: SentenceData | string, language: string): string {
  if (typeof sentence === 'string') return sentence;
  const locale = localeOf(language);
  if (!isMessageKey(sentence.key)) return sentence.message;
  const params = Object.fromEntries(Object.entries(sentence.params ?? {}).map(([name, value]) => [name, paramText(value, language)]));
  return format(catalogs[locale][sentence.key], params);
}

function paramText(value: ParamData, language: string): string | number {
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (Array.isArray(value)) return (value as readonly SentenceData[]).map((s) => coreText(s, language)).join(' ');
  return coreText(value as SentenceData, language);
}

/** `coreText` in the GUI's current language; nothing for nothing. */
export function useCoreText(): (sentence: SentenceData | string | null | undefined) => string {
  const { i18n } = useTranslation();
  const lang = i18n.language;
  return (sentence) => (sentence == null ? '' : coreText(sentence, lang));
}
