// The answers of an unattended install (VirtualBox 7's "unattended installation"): who the
// first user is, the machine's name, its language and time zone. They go into the answer
// file each installer reads (a Debian preseed, core/node/unattended/preseed.ts); every field is
// checked here, because each lands in a file the installer parses line by line. The password is
// not among them: it is read from a file, hashed (crypt(3) SHA-512) and never stored in clear.
import { z } from 'zod';
import { said } from './messages';

/** Names Debian's installer refuses for the first user (they are system accounts). */
const RESERVED_USERS = new Set([
  'root',
  'daemon',
  'bin',
  'sys',
  'sync',
  'games',
  'man',
  'lp',
  'mail',
  'news',
  'uucp',
  'proxy',
  'www-data',
  'backup',
  'list',
  'irc',
  'nobody',
]);

const userError = { error: said('unattended.badUser') };
const hostError = { error: said('unattended.badHostname') };
const localeError = { error: said('unattended.badLocale') };
const zoneError = { error: said('unattended.badTimezone') };
const nameError = { error: said('unattended.badFullName') };
const mirrorError = { error: said('unattended.badMirror') };

export const unattendedAnswersSchema = z.strictObject({
  /** The first user's login: lower case, as adduser takes it. */
  user: z
    .string(userError)
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, userError)
    .refine((u) => !RESERVED_USERS.has(u), userError),
  /** The first user's full name (the user name when not said). */
  fullName: z
    .string(nameError)
    .max(100, nameError)
    .regex(/^[^\n\r:\\]*$/u, nameError)
    .optional(),
  /** One DNS label. */
  hostname: z.string(hostError).regex(/^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/, hostError),
  /** Like en_US.UTF-8 (the .UTF-8 is added when left out). */
  locale: z
    .string(localeError)
    .regex(/^[a-z]{2,3}_[A-Z]{2}(\.UTF-8)?$/, localeError)
    .transform((l) => (l.endsWith('.UTF-8') ? l : `${l}.UTF-8`)),
  /** An IANA zone such as Europe/Berlin, Asia/Seoul, or UTC. */
  timezone: z.string(zoneError).regex(/^(UTC|[A-Z][A-Za-z_]+(\/[A-Z][A-Za-z0-9_+-]+){1,2})$/, zoneError),
  /** The keyboard layout (an X keymap name such as us, de, kr; from the locale's country when not said). */
  keyboard: z
    .string()
    .regex(/^[a-z]{2,8}$/)
    .optional(),
  /** The package mirror (host[:port] and folder), for offline or internal mirrors. */
  mirror: z
    .strictObject({
      host: z.string(mirrorError).regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, mirrorError),
      directory: z.string(mirrorError).regex(/^\/[A-Za-z0-9._/-]*$/, mirrorError),
    })
    .optional(),
});
export type UnattendedAnswers = z.output<typeof unattendedAnswersSchema>;

/** The X keymap for a locale when none is said: the country's, where it names one we know, else us. */
export function keymapFor(answers: Pick<UnattendedAnswers, 'locale' | 'keyboard'>): string {
  if (answers.keyboard) return answers.keyboard;
  const country = answers.locale.slice(answers.locale.indexOf('_') + 1, answers.locale.indexOf('_') + 3);
  const byCountry: Record<string, string> = {
    DE: 'de',
    FR: 'fr',
    KR: 'kr',
    JP: 'jp',
    GB: 'gb',
    ES: 'es',
    IT: 'it',
    CH: 'ch',
    SE: 'se',
    NO: 'no',
    DK: 'dk',
    FI: 'fi',
    BR: 'br',
    PT: 'pt',
    RU: 'ru',
    PL: 'pl',
    NL: 'us',
    BE: 'be',
  };
  return byCountry[country] ?? 'us';
}
