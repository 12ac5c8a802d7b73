/**
 * Rows 1 and 2: one service's closed loop measured in turn with its raw limit. Both are
 * warmed up first (not reported; profiles start after it), then every repetition measures
 * the raw loop and right after it the project's, so a slow minute of the shared machine
 * hits both sides.
 */
import type { RawRun } from '../raw-limits';
import type { GroupContext } from '../lib/group';
import { profileFromNow } from '../lib/infra';

export interface Loop {
  /** One closed loop of `ms`, finished (a project's waits for what its loop left behind). */
  measure(ms: number): Promise<RawRun>;
}

export async function interleave(
  { log, reps }: Pick<GroupContext, 'log' | 'reps'>,
  o: {
    name: string;
    raw: Loop;
    project: Loop;
    /** For the progress lines: `raw MySQL`, `booking-api`. */
    labels: { raw: string; project: string };
    warmUpMs: { raw: number; project: number };
    ms: number;
  },
): Promise<{ runs: { raw: RawRun; project: RawRun }[]; failed: number }> {
  log(`${o.name}: warming up`);
  await o.raw.measure(o.warmUpMs.raw);
  await o.project.measure(o.warmUpMs.project);
  profileFromNow();
  const runs: { raw: RawRun; project: RawRun }[] = [];
  for (let rep = 1; rep <= reps; rep++) {
    log(`${o.name}: rep ${rep}/${reps}: ${o.labels.raw}, then ${o.labels.project}, ${o.ms / 1000} s each`);
    const raw = await o.raw.measure(o.ms);
    runs.push({ raw, project: await o.project.measure(o.ms) });
  }
  return { runs, failed: runs.reduce((n, x) => n + x.project.failed, 0) };
}
