/**
 * The printed result: the issue's table, one block of lines per row. Every
 * figure is the median over the repetitions with its range, next to the raw
 * limit measured in the same run (interleaved with it), the ratio between
 * them, the issue's goal and whether the median meets it. A missed goal is
 * reported, never a failure of the run.
 */
import { stat, type Stat } from './stats';

export type Unit = '/s' | ' ms' | ' MB' | ' s' | ' ms CPU' | '';

export interface Figure {
  stat: Stat;
  unit: Unit;
  /** What the figure is, when the measure does not say it (e.g. which raw limit). */
  what?: string;
}

export interface Line {
  measure: string;
  project: Figure | string;
  raw: Figure | string;
  /** project ÷ raw, per repetition. */
  ratio?: Stat;
  goal: string;
  /** Whether the median meets the goal; null when the line has no goal. */
  met: boolean | null;
}

export interface RowReport {
  id: number;
  name: string;
  title: string;
  lines: Line[];
  notes: string[];
}

export const fig = (stat: Stat, unit: Unit, what?: string): Figure => ({
  stat,
  unit,
  ...(what ? { what } : {}),
});

const num = (v: number, digits?: number) => {
  if (!Number.isFinite(v)) return 'n/a';
  if (digits !== undefined) return v.toFixed(digits);
  const a = Math.abs(v);
  return v.toFixed(a >= 100 || Number.isInteger(v) ? 0 : a >= 10 ? 1 : 2);
};

function range(s: Stat, unit: string, digits?: number): string {
  const one = s.values.length <= 1 || s.min === s.max;
  return one
    ? `${num(s.median, digits)}${unit}`
    : `${num(s.median, digits)}${unit} (${num(s.min, digits)}–${num(s.max, digits)})`;
}

function cell(f: Figure | string): string {
  if (typeof f === 'string') return f;
  return `${range(f.stat, f.unit)}${f.what ? ` ${f.what}` : ''}`;
}

export const fmtRatio = (s: Stat) => range(s, '', 2);

const HEADER = ['#', 'measure', 'project: median (min–max)', 'raw limit, same run', 'ratio', 'goal', 'met?'];

export function renderTable(title: string, rows: RowReport[]): string {
  const body: string[][] = [];
  for (const r of rows)
    r.lines.forEach((l, i) =>
      body.push([
        i === 0 ? String(r.id) : '',
        i === 0 ? l.measure : `  ${l.measure}`,
        cell(l.project),
        cell(l.raw),
        l.ratio ? fmtRatio(l.ratio) : '-',
        l.goal,
        l.met === null ? '-' : l.met ? 'yes' : 'NO',
      ]),
    );
  const all = [HEADER, ...body];
  const width = HEADER.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r
      .map((v, c) => v.padEnd(width[c]!))
      .join(' | ')
      .trimEnd();
  const out = [
    `== ${title} ==`,
    line(HEADER),
    width.map((w) => '-'.repeat(w)).join('-|-'),
    ...body.map(line),
  ];
  for (const r of rows) for (const n of r.notes) out.push(`   ${r.id}: ${n}`);
  return out.join('\n');
}

interface Throughput {
  rate: number;
  latency: { p50: number; p99: number };
}

/**
 * Rows 1 and 2: a closed-loop rate next to its raw limit (the ratio carries
 * the goal), then p50 and p99 next to the raw loop's.
 */
export function throughputLines(
  runs: { raw: Throughput; project: Throughput }[],
  o: { measure: string; raw: string; minRatio: number; maxP99Ms: number; what: string },
): Line[] {
  const ratio = stat(runs.map((x) => x.project.rate / x.raw.rate));
  const p99 = stat(runs.map((x) => x.project.latency.p99));
  const of = (side: 'raw' | 'project', pick: (t: Throughput) => number) =>
    stat(runs.map((x) => pick(x[side])));
  return [
    {
      measure: o.measure,
      project: fig(
        of('project', (t) => t.rate),
        '/s',
      ),
      raw: fig(
        of('raw', (t) => t.rate),
        '/s',
        o.raw,
      ),
      ratio,
      goal: `>= ${o.minRatio}`,
      met: ratio.median >= o.minRatio,
    },
    {
      measure: `${o.what} latency p50`,
      project: fig(
        of('project', (t) => t.latency.p50),
        ' ms',
      ),
      raw: fig(
        of('raw', (t) => t.latency.p50),
        ' ms',
        'p50',
      ),
      goal: '-',
      met: null,
    },
    {
      measure: `${o.what} latency p99`,
      project: fig(p99, ' ms'),
      raw: fig(
        of('raw', (t) => t.latency.p99),
        ' ms',
        'p99',
      ),
      goal: `< ${o.maxP99Ms} ms`,
      met: p99.median < o.maxP99Ms,
    },
  ];
}
