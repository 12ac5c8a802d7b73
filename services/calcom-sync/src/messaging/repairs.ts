/**
 * Reconciliation repairs a missed Cal.com webhook by publishing the delivery it
 * should have received (origin calcom) to CALCOM_INBOUND, so booking-api's one
 * inbound applier handles it like any webhook.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { encodeMessage, type Topology } from '@calsync/contracts';
import { publishEnvelope, sha256Hex, subjectLabel, type Clock, type ServiceMetrics } from '@calsync/platform';
import type { RepairPublisher } from '../domain/ports';

export function createRepairPublisher(deps: {
  js: JetStreamClient;
  topology: Topology;
  clock: Clock;
  serviceMetrics: ServiceMetrics;
}): RepairPublisher {
  return async (tenantId, trigger, payload) => {
    const now = deps.clock.now().toISOString();
    // The same drift found twice publishes once (Nats-Msg-Id) and is idempotent in the applier anyway.
    const deliveryId = sha256Hex(
      `reconcile:${tenantId}:${trigger}:${payload.uid ?? ''}:${payload.status ?? ''}`,
    );
    const env = encodeMessage(
      'calcomInbound',
      deps.topology,
      { version: 1, deliveryId, tenantId, trigger, createdAt: now, receivedAt: now, payload },
      { msgId: deliveryId, origin: 'calcom' },
    );
    await publishEnvelope(deps.js, env);
    deps.serviceMetrics.eventsPublished.inc({ subject: subjectLabel(env.subject), origin: 'calcom' });
  };
}
