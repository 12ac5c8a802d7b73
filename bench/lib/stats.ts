/** Latency samples and rates. Percentiles are nearest-rank over the sorted samples. */

/** Monotonic milliseconds (process.hrtime), for durations inside this process. */
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
  };
}

export const perSecond = (count: number, elapsedMs: number): number =>
  elapsedMs > 0 ? (count * 1000) / elapsedMs : 0;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
