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

/** One figure over the repetitions of a row: median and range, plus every value for the JSON. */
export interface Stat {
  median: number;
  min: number;
  max: number;
  values: number[];
}

export function stat(values: readonly number[]): Stat {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!finite.length) return { median: NaN, min: NaN, max: NaN, values: [...values] };
  const mid = Math.floor(finite.length / 2);
  const median = finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
  return { median, min: finite[0]!, max: finite[finite.length - 1]!, values: [...values] };
}

/** Polls `done` until it holds or `timeoutMs` passed; true when it held. */
export async function until(done: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100) {
  const deadline = nowMs() + timeoutMs;
  for (;;) {
    if (await done()) return true;
    if (nowMs() >= deadline) return false;
    await sleep(everyMs);
  }
}

/** project ÷ raw, repetition by repetition. */
export const ratios = (project: readonly number[], raw: readonly number[]): Stat =>
  stat(project.map((v, i) => v / raw[i]!));
