/**
 * Sentences: every sentence the core says to a user is a catalog key with its parameters
 * (`m`). The catalogs are in ./i18n (en.ts, the core's own language, and ko.ts); the GUI's
 * own strings live in renderer/src/locales.
 *
 * A `Sentence` keeps its key and parameters beside its English text. The English is what the
 * CLI prints and logs keep; the key and parameters cross every process boundary with it (as
 * `SentenceData`), so a front end in another language fills the same key from its catalog
 * (renderer/src/coreText.ts) instead of reading the English back. Parameters may be sentences
 * themselves (a reason inside "… crashed: {{reason}}"), said in the same language in turn.
 * Words that are not ours (QEMU's own messages) travel as plain strings or as data without a
 * key, and are shown as they are. Interpolation is i18next's `{{name}}`, so the templates read
 * the same as the GUI's.
 */
import { en, type MessageKey } from './i18n/en';
import { ko } from './i18n/ko';

export { en, ko, type MessageKey };

export const catalogs = { en, ko } as const;
export type Locale = keyof typeof catalogs;

/** The fields of the VM forms (new VM, settings) a problem can belong to, so the GUI shows it there. */
export const formFields = [
  'name',
  'osType',
  'memory',
  'cpus',
  'disk',
  'iso',
  'kernel',
  'initrd',
  'append',
  'engine',
  'accelerator',
  'firmware',
  'network',
  'forwards',
  'shares',
  'display',
  'pointer',
  'diskBus',
  'nicModel',
  'shutdownTimeout',
] as const;
export type FormField = (typeof formFields)[number];

/**
 * A sentence as plain data, as it crosses process boundaries: `message` in English, and the
 * key and parameters that say it in any catalog language. No key: words that are not ours.
 */
export interface SentenceData {
  message: string;
  key?: MessageKey;
  params?: { readonly [name: string]: ParamData };
}
/** A parameter: a value said as it is, a sentence (or a word of the catalog), or sentences said one after another. */
export type ParamData = string | number | SentenceData | readonly SentenceData[];

/** A sentence about one field of a form (a problem with the user's input). */
export interface ProblemData extends SentenceData {
  field?: FormField;
}

/** A sentence's parameters (a sentence from another process, as data, may be one). */
export type MessageParams = { readonly [name: string]: ParamData };

/** One sentence of the catalog: its key and parameters, its English text, and the form field it is about, if any. */
export class Sentence implements ProblemData {
  readonly message: string;
  readonly field?: FormField;

  constructor(
    readonly key: MessageKey,
    readonly params: MessageParams = {},
    field?: FormField,
  ) {
    this.message = format(en[key], params);
    if (field) this.field = field;
  }

  /** The same sentence, said about a field of the form. */
  about(field: FormField): Sentence {
    return new Sentence(this.key, this.params, field);
  }

  /** The English text, where a string is wanted (CLI output, logs, Error messages). */
  toString(): string {
    return this.message;
  }
}

/** A sentence of the catalog; its text is English. */
export function m(key: MessageKey, params?: MessageParams): Sentence {
  return new Sentence(key, params);
}

/**
 * zod keeps an issue's message as a string only. A schema's sentence is given as `said(key,
 * params)`, which keeps the sentence by its English text, so the code that describes a
 * schema's issues hands on the sentence itself (key and parameters) rather than its English.
 */
const schemaSentences = new Map<string, Sentence>();

/** A schema's sentence, as zod's `error` (its English text), kept for schemaSentence. */
export function said(key: MessageKey, params?: MessageParams): string {
  const sentence = m(key, params);
  schemaSentences.set(sentence.message, sentence);
  return sentence.message;
}

/** The sentence a schema issue's message was made from with `said`, if it was. */
export function schemaSentence(message: string): Sentence | undefined {
  return schemaSentences.get(message);
}

/** Several sentences as one, said one after another. */
export function sentences(first: Sentence, ...more: readonly SentenceData[]): Sentence {
  return more.length ? m('text.sentences', { list: [first, ...more] }) : first;
}

/** A parameter as text: a sentence's English, sentences one after another, anything else as it is. */
function paramText(value: ParamData): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (isSentenceList(value)) return value.map((s) => s.message).join(' ');
  return value.message;
}

function isSentenceList(value: ParamData): value is readonly SentenceData[] {
  return Array.isArray(value);
}

/** Fills a template's `{{name}}` placeholders. */
export function format(template: string, params: MessageParams = {}): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? paramText(params[name]!) : whole));
}

/** A catalog sentence straight in a given language (for text the core shows itself, like the quit question). */
export function say(locale: Locale, key: MessageKey, params?: MessageParams): string {
  return format(catalogs[locale][key], params);
}

/** The catalog for a language tag ("ko-KR", "ko_KR.UTF-8" → ko); English for every other. */
export function localeOf(tag: string | undefined): Locale {
  const base = (tag ?? '').toLowerCase().split(/[-_.]/)[0];
  return base === 'ko' ? 'ko' : 'en';
}

/** Whether `key` names a sentence of the catalog (data from elsewhere may name one this build does not have). */
export function isMessageKey(key: unknown): key is MessageKey {
  return typeof key === 'string' && Object.hasOwn(en, key);
}

/**
 * Whether a value is a sentence as data: a message, and if it has a key, a known key with
 * parameters that are values, sentences or lists of sentences. Checked where sentences arrive
 * from another process, so a malformed one is refused rather than shown half.
 */
export function isSentenceData(value: unknown, depth = 0): value is SentenceData {
  if (typeof value !== 'object' || value === null || depth > 8) return false;
  const v = value as { message?: unknown; key?: unknown; params?: unknown };
  if (typeof v.message !== 'string') return false;
  if (v.key !== undefined && !isMessageKey(v.key)) return false;
  if (v.params === undefined) return true;
  if (typeof v.params !== 'object' || v.params === null || Array.isArray(v.params)) return false;
  return Object.values(v.params).every(
    (p) => typeof p === 'string' || typeof p === 'number' || (Array.isArray(p) ? p.every((s) => isSentenceData(s, depth + 1)) : isSentenceData(p, depth + 1)),
  );
}

/**
 * A core sentence (an error, a reason, a host detail) in the GUI's language: the core sends
 * each sentence with its catalog key and parameters, and this fills
 * the same key from the language's catalog, saying sentences among the parameters in turn.
 * Words without a key (QEMU's own, text the GUI made itself) are shown as they are, and so is
 * a sentence whose key this build does not know.
 */
export function coreText(sentence: SentenceData | string, language: string): string {
  if (typeof sentence === 'string') return sentence;
  const locale = localeOf(language);
  if (!isMessageKey(sentence.key)) return sentence.message;
  const params = Object.fromEntries(Object.entries(sentence.params ?? {}).map(([name, value]) => [name, paramTextIn(value, language)]));
  return format(catalogs[locale][sentence.key], params);
}

function paramTextIn(value: ParamData, language: string): string | number {
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (Array.isArray(value)) return (value as readonly SentenceData[]).map((s) => coreText(s, language)).join(' ');
  return coreText(value as SentenceData, language);
}
