/** Publishes each sync outcome on SYNC_RESULTS (after the DB write committed). */
import type { JetStreamClient } from '@nats-io/jetstream';
import { encodeMessage, type Topology } from '@calsync/contracts';
import {
  publishEnvelope,
  subjectLabel,
  type Clock,
  type Logger,
  type ServiceMetrics,
} from '@calsync/platform';
import type { PublishedResult } from '../domain/context';

export function createResultPublisher(deps: {
  js: JetStreamClient;
  topology: Topology;
  clock: Clock;
  logger: Logger;
  serviceMetrics: ServiceMetrics;
}) {
  return async function publishResult(r: PublishedResult): Promise<void> {
    const env = encodeMessage(
      'syncResult',
      deps.topology,
      {
        version: 1,
        tenantId: r.tenantId,
        appointmentId: r.appointmentId,
        outcome: r.outcome,
        action: r.action,
        sourceEventId: r.sourceEventId,
        calcomBookingUid: r.calcomBookingUid,
        errorCode: r.errorCode,
        errorMessage: r.errorMessage,
        attempts: r.attempts,
        occurredAt: deps.clock.now().toISOString(),
      },
      { msgId: `${r.appointmentId}:${r.version}:${r.outcome}`, origin: r.origin, traceparent: r.traceparent },
    );
    try {
      await publishEnvelope(deps.js, env);
      deps.serviceMetrics.eventsPublished.inc({ subject: subjectLabel(env.subject), origin: r.origin });
    } catch (err) {
      // MySQL holds the outcome; a waiter that misses this reads the row when it times out.
      deps.logger.warn('Could not publish the sync result', {
        tenant: r.tenantId,
        appointmentId: r.appointmentId,
        outcome: r.outcome,
        error: err,
      });
    }
  };
}
