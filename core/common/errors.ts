import { m } from './messages';

/**
 * Expected failures a user can cause or fix. The message is the user's sentence;
 * anything that is not a GuesthouseError is a bug and is reported as such.
 */
export type ErrorCode =
  | 'invalid-input'
  | 'invalid-state'
  | 'not-found'
  | 'already-exists'
  | 'locked'
  | 'engine-missing'
  | 'engine-failed'
  | 'config-version'
  | 'timeout'
  | 'service-unavailable'
  | 'internal';

export class GuesthouseError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** One sentence per problem, for input that failed validation. */
    readonly problems: readonly string[] = [],
  ) {
    super(message);
    this.name = 'GuesthouseError';
  }
}

/** Plain data form of an error, for crossing process and network boundaries. */
export interface ErrorData {
  code: ErrorCode;
  message: string;
  problems?: string[];
}

export function toErrorData(err: unknown): ErrorData {
  if (err instanceof GuesthouseError) {
    return { code: err.code, message: err.message, ...(err.problems.length ? { problems: [...err.problems] } : {}) };
  }
  const detail = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message: m('request.internal', { detail }) };
}

export function fromErrorData(data: ErrorData): GuesthouseError {
  return new GuesthouseError(data.code, data.message, data.problems ?? []);
}

/** Throws one GuesthouseError carrying every problem (one sentence each), if there are any. */
export function throwProblems(problems: readonly string[], what: string): void {
  if (problems.length === 0) return;
  const message = problems.length === 1 ? problems[0]! : m('request.problems', { what, count: problems.length, list: problems.join(' ') });
  throw new GuesthouseError('invalid-input', message, problems);
}
