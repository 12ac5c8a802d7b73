/**
 * The durable pull consumer on CALCOM_INBOUND (contracts' consumers.inboundApplier):
 * nats.js's bounded-concurrency consume loop. Each message ends in exactly one of
 * ack (applied or deliberately ignored), nak(delay) (a DB hiccup: try again) or
 * term (invalid). start() returns at once and keeps trying to attach while NATS
 * is unavailable; stop() stops taking messages and waits for the ones in hand.
 */
import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { decodeInboundEvent, type ConsumerDefinition } from '@calsync/contracts';
import { ensureConsumer, sleep, subjectLabel, type Logger, type ServiceMetrics } from '@calsync/platform';
import type { InboundApplier } from '../domain/inbound';

export interface InboundConsumerOptions {
  js: JetStreamClient;
  def: ConsumerDefinition;
  applier: InboundApplier;
  logger: Logger;
  metrics: ServiceMetrics;
  concurrency?: number;
  /** First redelivery delay after an unexpected failure (DB down); doubles per delivery, at most 60 s. */
  retryDelayMs?: number;
}

export function createInboundConsumer(opts: InboundConsumerOptions) {
  const { js, def, logger } = opts;
  const concurrency = opts.concurrency ?? 16;
  const inFlight = new Set<Promise<void>>();
  const chains = new Map<string, Promise<void>>();
  const abort = new AbortController();
  let messages: ConsumerMessages | undefined;
  let running: Promise<void> | undefined;
  let slotFreed: (() => void) | undefined;

  async function attach(): Promise<ConsumerMessages> {
    for (let delay = 500; ; delay = Math.min(delay * 2, 10_000)) {
      try {
        await ensureConsumer(await js.jetstreamManager(), def);
        const consumer = await js.consumers.get(def.stream, def.durable);
        return await consumer.consume({ max_messages: concurrency });
      } catch (err) {
        if (abort.signal.aborted) throw err;
        logger.warn('Inbound consumer not attached yet; retrying', { durable: def.durable, error: err });
        await sleep(delay, abort.signal).catch(() => undefined);
        if (abort.signal.aborted) throw err;
      }
    }
  }

  async function loop(): Promise<void> {
    messages = await attach();
    if (abort.signal.aborted) return;
    logger.info('Inbound consumer started', { durable: def.durable });
    for await (const m of messages) {
      while (inFlight.size >= concurrency) await new Promise<void>((r) => (slotFreed = r));
      const decoded = decodeInboundEvent(m);
      // Deliveries about one event type apply in stream order (a cancel must not overtake its booking);
      // different event types and tenants run side by side.
      const key = decoded.ok ? `${decoded.value.tenantId}:${decoded.value.payload.eventTypeId ?? ''}` : '';
      const p = (chains.get(key) ?? Promise.resolve())
        .then(() => handle(m, decoded))
        .catch((err: unknown) => {
          logger.error('Inbound message handling failed', { subject: m.subject, error: err });
        })
        .finally(() => {
          inFlight.delete(p);
          if (chains.get(key) === p) chains.delete(key);
          const f = slotFreed;
          slotFreed = undefined;
          f?.();
        });
      chains.set(key, p);
      inFlight.add(p);
    }
  }

  async function handle(m: JsMsg, decoded: ReturnType<typeof decodeInboundEvent>): Promise<void> {
    opts.metrics.eventsConsumed.inc({
      subject: subjectLabel(m.subject),
      origin: decoded.meta.origin ?? 'unknown',
    });
    if (!decoded.ok) {
      opts.metrics.invalidMessages.inc({ stream: def.stream });
      logger.warn('Invalid inbound event terminated', { subject: m.subject, reason: decoded.reason });
      m.term();
      return;
    }
    const evt = decoded.value;
    try {
      await opts.applier.apply(evt, { traceparent: decoded.meta.traceparent });
      m.ack();
    } catch (err) {
      logger.error('Applying a Cal.com change failed; will retry', {
        tenant: evt.tenantId,
        trigger: evt.trigger,
        uid: evt.payload.uid,
        origin: 'calcom',
        traceId: decoded.meta.traceparent?.slice(3, 35),
        delivery: m.info.deliveryCount,
        error: err,
      });
      // max_deliver bounds the tries; the doubling spreads them over minutes of outage.
      const base = opts.retryDelayMs ?? 2_000;
      m.nak(Math.min(base * 2 ** Math.max(m.info.deliveryCount - 1, 0), 60_000));
    }
  }

  return {
    start(): void {
      if (running) return;
      running = loop().catch((err: unknown) => {
        if (!abort.signal.aborted) logger.error('Inbound consume loop ended', { error: err });
      });
    },
    async stop(): Promise<void> {
      abort.abort();
      if (messages) {
        await messages.close().catch(() => undefined);
        await running;
      } else {
        // Still attaching (NATS unreachable): nothing is in hand; do not wait out a request timeout.
        await Promise.race([running, sleep(1_000)]);
      }
      await Promise.allSettled([...inFlight]);
    },
  };
}
export type InboundConsumer = ReturnType<typeof createInboundConsumer>;
