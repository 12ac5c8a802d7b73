/** The gateway's own metrics, on the service registry (names SPEC §7 and deploy/prometheus rely on). */
import { Counter, Gauge, Histogram } from 'prom-client';
import { createMetrics, type ServiceMetrics } from '@calsync/platform';
import type { RejectionReason } from './domain/receiver';

/**
 * The `reason` values of webhook_rejections_total. The one list: the alert rules and the
 * dashboard (deploy/) use only these (metrics.test.ts), and the counter takes nothing else.
 */
export const WEBHOOK_REJECTION_REASONS = [
  'too_large',
  'unsupported_media_type',
  'unknown_tenant',
  'secret_not_configured',
  'missing_signature',
  'no_secret_signature',
  'invalid_signature',
  'malformed',
  'cross_tenant',
  'replayed',
  'unavailable',
  /** Over the client's or tenant's budget (http/rate-limit.ts). */
  'rate_limited',
  /** Signed and well-formed, but a trigger we do not handle (answered 202). */
  'unknown_trigger',
] as const satisfies readonly (RejectionReason | 'rate_limited' | 'unknown_trigger')[];

export type WebhookRejectionReason = (typeof WEBHOOK_REJECTION_REASONS)[number];

export interface GatewayMetrics extends ServiceMetrics {
  rejections: Omit<Counter, 'inc'> & { inc(labels: { reason: WebhookRejectionReason }): void };
  /** outcome: published, duplicate, ping, ignored; trigger: a booking trigger, PING or other. */
  deliveries: Counter<'trigger' | 'outcome'>;
  publishDuration: Histogram<'outcome'>;
  /** Delivery records waiting to be written to MySQL (db/delivery-recorder.ts). */
  recordsPending: Gauge;
  /** Delivery records never written: `buffer_full` or `write_failed` (retries used up). */
  recordsDropped: Counter<'reason'>;
}

export function createGatewayMetrics(
  base: ServiceMetrics = createMetrics('webhook-gateway'),
): GatewayMetrics {
  const registers = [base.registry];
  const recordsDropped = new Counter({
    name: 'webhook_delivery_records_dropped_total',
    help: 'Delivery records never written to MySQL, by reason (buffer_full, write_failed)',
    labelNames: ['reason'] as const,
    registers,
  });
  // Both series exist from the start, so a rate() over them is never empty.
  for (const reason of ['buffer_full', 'write_failed']) recordsDropped.inc({ reason }, 0);
  return {
    ...base,
    rejections: new Counter({
      name: 'webhook_rejections_total',
      help: 'Cal.com webhook deliveries refused or ignored, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    deliveries: new Counter({
      name: 'webhook_deliveries_total',
      help: 'Cal.com webhook deliveries answered 2xx, by trigger and outcome',
      labelNames: ['trigger', 'outcome'] as const,
      registers,
    }),
    publishDuration: new Histogram({
      name: 'webhook_publish_duration_seconds',
      help: 'Time from publish to JetStream ack for a verified delivery',
      labelNames: ['outcome'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    recordsPending: new Gauge({
      name: 'webhook_delivery_records_pending',
      help: 'Published or refused deliveries not yet recorded in MySQL (written behind the answer)',
      registers,
    }),
    recordsDropped,
  };
}
