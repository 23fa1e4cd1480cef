/**
 * Schemas for the guest host's messages, without zod: what a guest host loads is paid once per
 * guest (zod alone is ~80 ms and ~7 MiB there), so both ends of that protocol check with these.
 * A shape is a TypeScript type (`Infer`) and a check that says, one sentence per problem, why
 * a value does not fit (the same sentences as the zod schemas' issues: "The keys is not valid
 * (it must be a list).").
 */
import { m, type Sentence } from './messages';

/** A value's shape: `problems` is empty when the value (called `name` in a sentence) fits. */
export interface Shape<T> {
  problems(value: unknown, name: string): Sentence[];
  /** Types only: what a value that fits is. */
  readonly type?: T;
}
/** A field that may be left out. */
export interface OptionalShape<T> extends Shape<T | undefined> {
  readonly optional: true;
}
export type Infer<S> = S extends Shape<infer T> ? T : never;

type Fields = Record<string, Shape<unknown>>;
type OptionalKeys<F extends Fields> = { [K in keyof F]: F[K] extends OptionalShape<unknown> ? K : never }[keyof F];
type Flat<T> = { [K in keyof T]: T[K] };
/** The object a set of fields describes: optional fields are optional properties. */
export type ObjectOf<F extends Fields> = Flat<
  { [K in Exclude<keyof F, OptionalKeys<F>>]: Infer<F[K]> } & { [K in OptionalKeys<F>]?: Exclude<Infer<F[K]>, undefined> }
>;

const invalid = (name: string, detail: Sentence): Sentence[] => [m('request.field', { field: name, detail })];
const mustBe = (name: string, expected: string) => invalid(name, m('field.type', { expected }));
const shape = <T>(problems: (value: unknown, name: string) => Sentence[]): Shape<T> => ({ problems });

export const text = (options: { min?: number } = {}): Shape<string> =>
  shape((v, name) => {
    if (typeof v !== 'string') return mustBe(name, 'text');
    return options.min !== undefined && v.length < options.min ? invalid(name, m('field.min', { min: `${options.min} characters` })) : [];
  });

export const int = (options: { min?: number } = {}): Shape<number> =>
  shape((v, name) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) return mustBe(name, 'a whole number');
    return options.min !== undefined && v < options.min ? invalid(name, m('field.min', { min: options.min })) : [];
  });

export const number: Shape<number> = shape((v, name) => (typeof v === 'number' && Number.isFinite(v) ? [] : mustBe(name, 'a number')));
export const bool: Shape<boolean> = shape((v, name) => (typeof v === 'boolean' ? [] : mustBe(name, 'true or false')));
export const bytes: Shape<Uint8Array> = shape((v, name) => (v instanceof Uint8Array ? [] : mustBe(name, 'bytes')));
/** Anything: a part checked where it is used, or by a schema of its own (a VM's config). */
export const anything = <T>(): Shape<T> => shape(() => []);

export const oneOf = <const V extends readonly (string | null)[]>(values: V): Shape<V[number]> =>
  shape((v, name) => ((values as readonly unknown[]).includes(v) ? [] : invalid(name, m('field.oneOf', { list: values.map(String).join(', ') }))));

export const list = <T>(item: Shape<T>): Shape<T[]> =>
  shape((v, name) => {
    if (!Array.isArray(v)) return mustBe(name, 'a list');
    for (const x of v) {
      const problems = item.problems(x, name);
      if (problems.length) return problems;
    }
    return [];
  });

export const optional = <T>(inner: Shape<T>): OptionalShape<T> => ({
  optional: true,
  problems: (v, name) => (v === undefined ? [] : inner.problems(v, name)),
});

export const nullable = <T>(inner: Shape<T>): Shape<T | null> => shape((v, name) => (v === null ? [] : inner.problems(v, name)));

/** A plain object with these fields and no others; `said`: the one sentence for any problem with it. */
export function object<F extends Fields>(fields: F, said?: Sentence): Shape<ObjectOf<F>> {
  return shape((v, name) => {
    const problems = objectProblems(fields, v, name);
    return said && problems.length ? [said] : problems;
  });
}

function objectProblems(fields: Fields, v: unknown, name: string): Sentence[] {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) return mustBe(name, 'an object');
  const record = v as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !Object.hasOwn(fields, key));
  const problems = unknown.length ? [m(unknown.length > 1 ? 'config.unknownSettings' : 'config.unknownSetting', { keys: unknown.join(', ') })] : [];
  for (const [key, field] of Object.entries(fields)) {
    // A field left out is checked as undefined: only an optional one fits.
    problems.push(...field.problems(Object.hasOwn(record, key) ? record[key] : undefined, key));
  }
  return problems;
}

/** A value a predicate accepts; `expected` says what it must be ("a sentence"). */
export const check = <T>(accepts: (v: unknown) => v is T, expected: string): Shape<T> => shape((v, name) => (accepts(v) ? [] : mustBe(name, expected)));
