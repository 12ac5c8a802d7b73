/**
 * What the outbox relay does with one claimed batch after publishing it: a pure
 * decision, so the rules are tested without a server.
 *
 * - An outage (NATS away) parks nothing: rows are kept and retried, in order.
 * - A row that cannot be encoded is parked at once (retrying cannot fix it).
 * - A row the server refuses for itself (not an outage) is retried, and parked
 *   once it has been refused `maxRejections` times.
 * - Rows are marked published up to the first row that is retried, so a retry
 *   re-sends what follows it (the stream de-duplicates by Nats-Msg-Id) and
 *   commit order is kept; parked rows do not hold the rest back.
 */

export type PublishOutcome =
  | { kind: 'published' }
  | { kind: 'invalid'; error: unknown }
  | { kind: 'failed'; error: unknown; outage: boolean };

export interface PlannedRow {
  seq: number;
  /** Refusals so far (outbox.publish_attempts). */
  publish_attempts: number;
}

export interface ParkedRow {
  seq: number;
  reason: 'invalid' | 'rejected';
  error: string;
}

export interface BatchPlan {
  published: number[];
  parked: ParkedRow[];
  /** Rows whose refusal count goes up. */
  failed: number[];
  /** Set when something is retried: the relay backs off. */
  retryBecause?: unknown;
}

export const errorText = (err: unknown): string =>
  (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 1000);

export function planBatch(rows: PlannedRow[], outcomes: PublishOutcome[], maxRejections: number): BatchPlan {
  const outage = outcomes.find((o) => o.kind === 'failed' && o.outage);
  const plan: BatchPlan = { published: [], parked: [], failed: [] };
  let blocked = false;
  rows.forEach((row, i) => {
    const o = outcomes[i] ?? { kind: 'failed', error: new Error('no outcome'), outage: false };
    switch (o.kind) {
      case 'published':
        if (!blocked) plan.published.push(row.seq);
        return;
      case 'invalid':
        if (outage) blocked = true;
        else plan.parked.push({ seq: row.seq, reason: 'invalid', error: errorText(o.error) });
        return;
      case 'failed':
        if (!o.outage) plan.failed.push(row.seq);
        if (!outage && !o.outage && row.publish_attempts + 1 >= maxRejections) {
          plan.parked.push({ seq: row.seq, reason: 'rejected', error: errorText(o.error) });
          return;
        }
        blocked = true;
        plan.retryBecause ??= o.error;
    }
  });
  if (outage && outage.kind === 'failed') plan.retryBecause = outage.error;
  return plan;
}
