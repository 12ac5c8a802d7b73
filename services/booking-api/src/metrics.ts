/**
 * booking-api's metrics, all on the service registry (SPEC §7 names; deploy/prometheus alerts on
 * outbox_pending). Built once by app.ts and handed to whoever counts. Only platform's request
 * budgets (http_rate_limited_total) register their own, through apiRateLimit.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { createAccessMetrics, type AccessMetrics } from '@calsync/calcom-access';
import { createMetrics, type ServiceMetrics } from '@calsync/platform';
import type { InboundMetrics } from './domain/inbound';

/** A gauge read when Prometheus scrapes, from the source `readFrom` names once it exists (0 before). */
export interface ScrapedGauge {
  readFrom(read: () => number | Promise<number>): void;
}

function scrapedGauge(config: { name: string; help: string; registers: Registry[] }): ScrapedGauge {
  let read: () => number | Promise<number> = () => 0;
  new Gauge({
    ...config,
    async collect() {
      this.set(await read());
    },
  });
  return {
    readFrom(r) {
      read = r;
    },
  };
}

export interface BookingApiMetrics extends ServiceMetrics, InboundMetrics, AccessMetrics {
  /** Cal.com deliveries set aside in `inbound_parked`: reason `invalid` or `failing`. */
  inboundParked: Counter<'reason'>;
  /** Outbox rows set aside: reason `invalid` or `rejected`. */
  outboxParked: Counter<'reason'>;
  /** kind `outage` (NATS away, never parks) or `refused` (counts toward parking). */
  outboxPublishFailures: Counter<'kind'>;
  /** Unpublished, unparked outbox rows, counted in MySQL at each scrape (-1 when it cannot say). */
  outboxPending: ScrapedGauge;
  /** Open console event streams in this process. */
  liveConnections: ScrapedGauge;
}

export function createBookingApiMetrics(
  base: ServiceMetrics = createMetrics('booking-api'),
): BookingApiMetrics {
  const registers = [base.registry];
  return {
    ...base,
    // The breaker and budget metrics are named once, for every service that calls Cal.com.
    ...createAccessMetrics(base.registry),
    echoSuppressed: new Counter({
      name: 'sync_echo_suppressed_total',
      help: 'Cal.com webhooks for our own changes that only linked and verified (SPEC 6.2)',
      registers,
    }),
    inboundChanges: new Counter({
      name: 'inbound_changes_total',
      help: 'Cal.com deliveries by trigger and outcome (created, rescheduled, cancelled, echo, duplicate, conflict, ignored)',
      labelNames: ['trigger', 'outcome'] as const,
      registers,
    }),
    inboundParked: new Counter({
      name: 'inbound_parked_total',
      help: 'Cal.com deliveries parked in MySQL (inbound_parked) instead of applied',
      labelNames: ['reason'] as const,
      registers,
    }),
    outboxParked: new Counter({
      name: 'outbox_parked_total',
      help: 'Outbox rows set aside because they cannot be encoded or the server keeps refusing them',
      labelNames: ['reason'] as const,
      registers,
    }),
    outboxPublishFailures: new Counter({
      name: 'outbox_publish_failures_total',
      help: 'Outbox rows whose publish failed, by kind (outage: NATS away, never parks; refused: counts toward parking)',
      labelNames: ['kind'] as const,
      registers,
    }),
    outboxPending: scrapedGauge({
      name: 'outbox_pending',
      help: 'Outbox rows not yet published to JetStream',
      registers,
    }),
    liveConnections: scrapedGauge({
      name: 'live_event_connections',
      help: 'Open console event streams (GET /v1/tenants/:t/events) in this process',
      registers,
    }),
  };
}
