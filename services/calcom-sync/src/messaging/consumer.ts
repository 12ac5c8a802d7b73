/**
 * The durable pull consumer on APPOINTMENTS: platform's bounded-concurrency
 * consume loop. At most `concurrency` messages are worked on at once; each ends
 * in exactly one of ack, nak(delay) or term. Attempts are counted in MySQL, so
 * the consumer has no max_deliver (see contracts' consumers.calcomSync).
 */
import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { decodeMessage, type ConsumerDefinition } from '@calsync/contracts';
import { runBoundedLoop, subjectLabel, type Logger, type ServiceMetrics } from '@calsync/platform';
import type { Disposition } from '../domain/context';
import type { AppointmentSyncer } from '../domain/sync-appointment';
import type { SyncMetrics } from '../metrics';

export interface ConsumerOptions {
  js: JetStreamClient;
  def: ConsumerDefinition;
  syncer: Pick<AppointmentSyncer, 'handle'>;
  concurrency: number;
  logger: Logger;
  metrics: SyncMetrics;
  serviceMetrics: ServiceMetrics;
  /** How often to tell the server we are still working on a message (ack-wait). */
  heartbeatMs?: number;
}

export interface RunningConsumer {
  /** Stops taking messages and waits for the ones in hand. */
  stop(): Promise<void>;
  /** num_pending / num_ack_pending of the durable (consumer lag). */
  lag(): Promise<{ pending: number; ackPending: number }>;
}

export async function startConsumer(opts: ConsumerOptions): Promise<RunningConsumer> {
  const { js, def, logger } = opts;
  const consumer = await js.consumers.get(def.stream, def.durable);
  let stopping = false;
  const messages: ConsumerMessages = await consumer.consume({ max_messages: opts.concurrency });
  const loop = runBoundedLoop(messages, {
    concurrency: opts.concurrency,
    prepare: () => undefined,
    handle: (m) => handle(m),
    onError: (err, m) =>
      logger.error('Appointment event handling failed', { subject: m.subject, error: err }),
  });
  const ended = loop.done.catch((err: unknown) => {
    if (!stopping) logger.error('Consume loop ended', { error: err });
  });

  async function handle(m: JsMsg): Promise<void> {
    const heartbeat = setInterval(() => m.working(), opts.heartbeatMs ?? Math.max(def.ackWaitMs / 3, 1000));
    try {
      const decoded = decodeMessage('appointment', m);
      const origin = decoded.meta.origin ?? 'unknown';
      opts.serviceMetrics.eventsConsumed.inc({ subject: subjectLabel(m.subject), origin });
      if (m.info.deliveryCount > 1) opts.metrics.redeliveries.inc();
      if (!decoded.ok) {
        opts.serviceMetrics.invalidMessages.inc({ stream: def.stream });
        logger.warn('Invalid appointment event terminated', { subject: m.subject, reason: decoded.reason });
        m.term();
        return;
      }
      let d: Disposition;
      try {
        d = await opts.syncer.handle(decoded.value, {
          origin: decoded.meta.origin,
          traceparent: decoded.meta.traceparent,
        });
      } catch (err) {
        // A DB or NATS hiccup outside a Cal.com call: come back later, no attempt counted.
        logger.error('Sync failed unexpectedly; will retry', {
          tenant: decoded.value.tenantId,
          appointmentId: decoded.value.appointmentId,
          error: err,
        });
        d = { kind: 'nak', delayMs: 2000 };
      }
      if (d.kind === 'ack') m.ack();
      else if (d.kind === 'term') m.term();
      else m.nak(d.delayMs);
    } finally {
      clearInterval(heartbeat);
    }
  }

  return {
    async stop() {
      stopping = true;
      await messages.close().catch(() => undefined);
      await ended;
      await loop.settle();
    },
    async lag() {
      // Asked of the server each time: info(true) is the snapshot taken at start and never moves.
      const info = await consumer.info(false);
      return { pending: info.num_pending, ackPending: info.num_ack_pending };
    },
  };
}
