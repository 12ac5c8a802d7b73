/** Metrics of the inbound applier, in booking-api's registry (SPEC §7 names). */
import { Counter, type Registry } from 'prom-client';
import type { InboundMetrics } from '../domain/inbound';

export function createInboundMetrics(registry: Registry): InboundMetrics {
  return {
    echoSuppressed: new Counter({
      name: 'sync_echo_suppressed_total',
      help: 'Cal.com webhooks for our own changes that only linked and verified (SPEC 6.2)',
      registers: [registry],
    }),
    applied: new Counter({
      name: 'inbound_changes_total',
      help: 'Cal.com deliveries by trigger and outcome (created, rescheduled, cancelled, echo, duplicate, conflict, ignored)',
      labelNames: ['trigger', 'outcome'] as const,
      registers: [registry],
    }),
  };
}
