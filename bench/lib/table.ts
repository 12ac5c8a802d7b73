/**
 * The printed result: one table per section, each figure next to the raw limit
 * measured in the same run, the ratio between them, the target and whether it
 * was met. A benchmark never fails the run for a missed target; it reports it.
 */

export interface Row {
  metric: string;
  value: string;
  raw: string;
  ratio: string;
  target: string;
  met: string;
}

export interface Section {
  title: string;
  rows: Row[];
  notes: string[];
}

export const fmtRate = (v: number) => (Number.isFinite(v) ? `${v.toFixed(v >= 100 ? 0 : 1)}/s` : 'n/a');
export const fmtMs = (v: number) => (Number.isFinite(v) ? `${v.toFixed(v >= 100 ? 0 : 1)} ms` : 'n/a');
const fmtRatio = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(0)} %` : 'n/a');
const yesNo = (ok: boolean) => (ok ? 'yes' : 'NO');

export interface Limit {
  label: string;
  value: number;
}

/** A figure with no target of its own (context, or a raw limit). */
export function info(metric: string, value: string, raw = '-'): Row {
  return { metric, value, raw, ratio: '-', target: '-', met: '-' };
}

/** A rate that must reach `minRatio` of a raw limit measured in the same run. */
export function rateVsLimit(metric: string, value: number, limit: Limit, minRatio: number): Row {
  const ratio = value / limit.value;
  return {
    metric,
    value: fmtRate(value),
    raw: `${fmtRate(limit.value)} (${limit.label})`,
    ratio: fmtRatio(ratio),
    target: `>= ${(minRatio * 100).toFixed(0)} % of raw`,
    met: yesNo(ratio >= minRatio),
  };
}

/** A rate shown against a raw limit for context, with no target of its own. */
export function compare(metric: string, value: number, limit: Limit): Row {
  return {
    metric,
    value: fmtRate(value),
    raw: `${fmtRate(limit.value)} (${limit.label})`,
    ratio: fmtRatio(value / limit.value),
    target: '-',
    met: '-',
  };
}

/** A latency with an absolute ceiling; `raw` names what it is compared against, if anything. */
export function latencyRow(
  metric: string,
  valueMs: number,
  ceilingMs: number,
  raw = '-',
  strict = false,
): Row {
  const ok = strict ? valueMs < ceilingMs : valueMs <= ceilingMs;
  return {
    metric,
    value: fmtMs(valueMs),
    raw,
    ratio: '-',
    target: `${strict ? '<' : '<='} ${ceilingMs} ms`,
    met: yesNo(Number.isFinite(valueMs) && ok),
  };
}

/** A ratio between two measured figures of this run (e.g. three replicas over one). */
export function ratioRow(metric: string, value: number, base: Limit, minRatio: number): Row {
  const ratio = value / base.value;
  return {
    metric,
    value: fmtRate(value),
    raw: `${fmtRate(base.value)} (${base.label})`,
    ratio: `${ratio.toFixed(2)} x`,
    target: `>= ${minRatio} x`,
    met: yesNo(ratio >= minRatio),
  };
}

export function checkRow(metric: string, value: string, target: string, ok: boolean, raw = '-'): Row {
  return { metric, value, raw, ratio: '-', target, met: yesNo(ok) };
}

const HEADER: Row = {
  metric: 'metric',
  value: 'value',
  raw: 'raw limit (same run)',
  ratio: 'ratio',
  target: 'target',
  met: 'met?',
};
const COLUMNS = ['metric', 'value', 'raw', 'ratio', 'target', 'met'] as const;

export function renderSection(s: Section): string {
  const all = [HEADER, ...s.rows];
  const width = Object.fromEntries(
    COLUMNS.map((c) => [c, Math.max(...all.map((r) => r[c].length))]),
  ) as Record<(typeof COLUMNS)[number], number>;
  const line = (r: Row) =>
    COLUMNS.map((c) => r[c].padEnd(width[c]))
      .join(' | ')
      .trimEnd();
  const rule = COLUMNS.map((c) => '-'.repeat(width[c])).join('-|-');
  const out = [`== ${s.title} ==`, line(HEADER), rule, ...s.rows.map(line)];
  for (const n of s.notes) out.push(`   note: ${n}`);
  return out.join('\n');
}
