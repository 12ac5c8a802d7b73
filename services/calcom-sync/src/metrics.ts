/** calcom-sync's metrics (SPEC §7), on the service's own registry. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { createAccessMetrics } from '@calsync/calcom-access';

/**
 * The `outcome` values of sync_attempts_total, by what they mean. The one list: the alert
 * rules and the dashboard (deploy/) group outcomes exactly so, and metrics.test.ts fails when
 * they use a value that is not here or group them differently.
 */
export const SYNC_ATTEMPT_OUTCOMES = {
  /** A Cal.com call that did what was asked, or found it already done. */
  succeeded: ['success', 'already_cancelled', 'already_rescheduled'],
  /** A Cal.com call that failed: retried later (`retryable_error`) or sent to review (the rest). */
  failed: ['retryable_error', 'slot_taken', 'validation', 'not_found', 'unauthorized', 'calcom_error'],
  /** No call was made (SPEC §6.1, §6.6, §6.7): neither an attempt nor a failure. */
  notAttempted: ['loop_prevented', 'breaker_open', 'rate_limited'],
} as const;

export type SyncAttemptOutcome = (typeof SYNC_ATTEMPT_OUTCOMES)[keyof typeof SYNC_ATTEMPT_OUTCOMES][number];

/** The listed failure for a Cal.com error code; an unlisted one counts as `calcom_error`. */
export function failedOutcome(code: string): SyncAttemptOutcome {
  const failed: readonly string[] = SYNC_ATTEMPT_OUTCOMES.failed;
  return failed.includes(code) ? (code as SyncAttemptOutcome) : 'calcom_error';
}

/** A counter that only takes the label values its type lists. */
type TypedCounter<L extends Record<string, string>> = Omit<Counter, 'inc'> & {
  inc(labels: L, value?: number): void;
};

export function createSyncMetrics(registry: Registry) {
  const registers = [registry];
  const attempts: TypedCounter<{ action: string; outcome: SyncAttemptOutcome }> = new Counter({
    name: 'sync_attempts_total',
    help: 'Cal.com sync calls and skips by action and outcome',
    labelNames: ['action', 'outcome'] as const,
    registers,
  });
  return {
    attempts,
    latency: new Histogram({
      name: 'sync_latency_seconds',
      help: 'Local commit (event occurredAt) to Cal.com confirmed',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    }),
    loopPrevented: new Counter({
      name: 'sync_loop_prevented_total',
      help: 'Events with origin calcom that were not pushed back to Cal.com',
      registers,
    }),
    // The breaker and budget metrics are named once, for every service that calls Cal.com.
    ...createAccessMetrics(registry),
    reviewQueue: new Gauge({
      name: 'manual_review_queue_size',
      help: 'Appointments waiting for manual review',
      labelNames: ['tenant'] as const,
      registers,
    }),
    consumerPending: new Gauge({
      name: 'sync_consumer_pending_messages',
      help: 'Consumer lag: messages not yet delivered to calcom-sync (num_pending)',
      registers,
    }),
    consumerAckPending: new Gauge({
      name: 'sync_consumer_ack_pending_messages',
      help: 'Messages delivered to calcom-sync and not yet acknowledged',
      registers,
    }),
    redeliveries: new Counter({
      name: 'sync_redeliveries_total',
      help: 'Messages delivered more than once (delivery count > 1)',
      registers,
    }),
    drift: new Counter({
      name: 'reconcile_drift_total',
      help: 'Differences between Cal.com and local state found by reconciliation',
      labelNames: ['kind'] as const,
      registers,
    }),
  };
}

export type SyncMetrics = ReturnType<typeof createSyncMetrics>;
