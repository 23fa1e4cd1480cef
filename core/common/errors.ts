import { isSentenceData, m, formFields, type FormField, type MessageKey, type ProblemData, type Sentence, type SentenceData } from './messages';

/**
 * Expected failures a user can cause or fix. The message is the user's sentence;
 * anything that is not a GuesthouseError is a bug and is reported as such.
 */
export const errorCodes = [
  'invalid-input',
  'invalid-state',
  'not-found',
  'already-exists',
  'locked',
  'engine-missing',
  'engine-failed',
  'config-version',
  'timeout',
  'service-unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

/**
 * An error with the user's sentence: `message` is its English text (for the CLI and logs), and
 * `key`/`params` say it in the GUI's language; `field` is the form field it is about, if any.
 * Input that failed validation carries one sentence per problem in `problems`.
 */
export class GuesthouseError extends Error implements ProblemData {
  readonly key?: MessageKey;
  readonly params?: SentenceData['params'];
  readonly field?: FormField;

  constructor(
    readonly code: ErrorCode,
    message: Sentence | ProblemData | string,
    /** One sentence per problem, for input that failed validation. */
    readonly problems: readonly ProblemData[] = [],
  ) {
    super(typeof message === 'string' ? message : message.message);
    this.name = 'GuesthouseError';
    if (typeof message !== 'string') {
      if (message.key !== undefined) this.key = message.key;
      if (message.params !== undefined) this.params = message.params;
      if (message.field !== undefined) this.field = message.field;
    }
  }

  /** A bug (an internal error), not something the user did or can fix. */
  get bug(): boolean {
    return this.code === 'internal';
  }
}

/**
 * Plain data form of an error, for crossing process and network boundaries: the English
 * `message`, the key and parameters to say it in another language, the form field it is about,
 * and `bug`, set where the error is made (an internal error, not the user's to fix).
 */
export interface ErrorData extends ProblemData {
  code: ErrorCode;
  bug: boolean;
  problems?: ProblemData[];
}

/** A sentence's data alone (a Sentence or an error carries more than goes on the wire). */
function problemData(p: ProblemData): ProblemData {
  return {
    message: p.message,
    ...(p.key !== undefined ? { key: p.key } : {}),
    ...(p.params !== undefined && Object.keys(p.params).length ? { params: p.params } : {}),
    ...(p.field !== undefined ? { field: p.field } : {}),
  };
}

export function toErrorData(err: unknown): ErrorData {
  if (err instanceof GuesthouseError) {
    return { code: err.code, ...problemData(err), bug: err.bug, ...(err.problems.length ? { problems: err.problems.map(problemData) } : {}) };
  }
  const detail = err instanceof Error ? err.message : String(err);
  return { code: 'internal', ...problemData(m('request.internal', { detail })), bug: true };
}

/** What an error says, as a sentence (a reason a VM stopped, say): its own for a GuesthouseError, an internal error's for anything else. */
export function sentenceOf(err: unknown): SentenceData {
  const { message, key, params } = toErrorData(err);
  return { message, ...(key !== undefined ? { key } : {}), ...(params !== undefined ? { params } : {}) };
}

const isProblemData = (v: unknown): v is ProblemData =>
  isSentenceData(v) && ((v as ProblemData).field === undefined || formFields.includes((v as ProblemData).field!));

/**
 * The error an ErrorData from another process stands for. Data that is not an ErrorData (a
 * peer of another version, a broken one) becomes an internal error saying what came.
 */
export function fromErrorData(data: ErrorData): GuesthouseError {
  const problems = Array.isArray(data?.problems) ? data.problems : [];
  if (!isProblemData(data) || !(errorCodes as readonly string[]).includes(data.code) || !problems.every(isProblemData)) {
    return new GuesthouseError('internal', m('request.internal', { detail: JSON.stringify(data) ?? String(data) }));
  }
  return new GuesthouseError(data.code, data, problems);
}

/** What a list of problems is about, in throwProblems' sentence. */
export type ProblemsOf = 'new VM' | 'change' | 'VM' | 'request' | 'delete options' | 'shutdown options' | 'host settings';
const problemsOf: Readonly<Record<ProblemsOf, MessageKey>> = {
  'new VM': 'term.newVm',
  change: 'term.change',
  VM: 'term.vm',
  request: 'term.request',
  'delete options': 'term.deleteOptions',
  'shutdown options': 'term.shutdownOptions',
  'host settings': 'term.hostSettings',
};

/** Throws one GuesthouseError carrying every problem (one sentence each), if there are any. */
export function throwProblems(problems: readonly Sentence[], what: ProblemsOf | Sentence): void {
  if (problems.length === 0) return;
  const message =
    problems.length === 1
      ? problems[0]!
      : m('request.problems', { what: typeof what === 'string' ? m(problemsOf[what]) : what, count: problems.length, list: problems });
  throw new GuesthouseError('invalid-input', message, problems);
}
