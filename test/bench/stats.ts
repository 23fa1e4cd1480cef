/** Summaries for A/B benchmark pairs: min / median / max, and the ratio pair by pair. */
export interface Summary {
  min: number;
  median: number;
  max: number;
  n: number;
}

export function summarize(values: number[]): Summary {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length === 0 ? Number.NaN : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { min: s[0] ?? Number.NaN, median, max: s[s.length - 1] ?? Number.NaN, n: s.length };
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return Number.NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export interface PairResult {
  name: string;
  unit: string;
  a: string;
  b: string;
  aValues: number[];
  bValues: number[];
  /** a/b per pair (so the machine's drift during the run cancels out). */
  ratios: number[];
  target?: string;
  note?: string;
}

export function pairResult(name: string, unit: string, a: string, b: string, pairs: [number, number][], target?: string, note?: string): PairResult {
  return {
    name,
    unit,
    a,
    b,
    aValues: pairs.map((p) => p[0]),
    bValues: pairs.map((p) => p[1]),
    ratios: pairs.map(([x, y]) => x / y),
    ...(target ? { target } : {}),
    ...(note ? { note } : {}),
  };
}

const fmt = (n: number) => (Number.isFinite(n) ? (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(3)) : '–');
const triple = (s: Summary) => `${fmt(s.min)} / ${fmt(s.median)} / ${fmt(s.max)}`;

/** One Markdown row per A/B comparison. */
export function markdownPairs(results: PairResult[]): string {
  const rows = [
    '| benchmark | unit | Guesthouse (min / median / max) | baseline (min / median / max) | ratio per pair (min / median / max) | target |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    rows.push(
      `| ${r.name} | ${r.unit} | ${triple(summarize(r.aValues))} | ${triple(summarize(r.bValues))} | ${triple(summarize(r.ratios))} | ${r.target ?? ''} |`,
    );
  }
  const notes = results.filter((r) => r.note).map((r) => `- ${r.name}: ${r.note}`);
  return [...rows, ...(notes.length ? ['', ...notes] : [])].join('\n');
}
