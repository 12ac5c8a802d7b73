/**
 * The durable pull consumer on CALCOM_INBOUND (contracts' consumers.inboundApplier):
 * platform's bounded, per-event-type ordered loop (runBoundedLoop). The gateway has already answered
 * Cal.com 200, so nothing is ever dropped: each message ends in ack (applied or
 * deliberately ignored), or ack after it was parked in MySQL (invalid, or failing
 * `parkAfter` times for a reason that is not an outage), or nak(delay) — an
 * outage (outageOf) is redelivered without limit (max_deliver -1) with capped
 * backoff, and a reschedule that overtook the delivery of the booking it moves
 * (OutOfOrderDelivery) comes back shortly, for at most `reorderWindowMs`. start() returns at once and keeps trying to attach while NATS is
 * unavailable; stop() stops taking messages and waits for the ones in hand.
 */
import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { decodeMessage, type ConsumerDefinition, type Decoded, type MessageOf } from '@calsync/contracts';
import {
  ensureConsumer,
  runBoundedLoop,
  type BoundedLoop,
  outageOf,
  sleep,
  subjectLabel,
  type Clock,
  type Logger,
} from '@calsync/platform';
import type { InboundParking } from '../db/inbound-parked-repo';
import { OutOfOrderDelivery, type InboundApplier } from '../domain/inbound';
import type { BookingApiMetrics } from '../metrics';

export interface InboundConsumerOptions {
  js: JetStreamClient;
  def: ConsumerDefinition;
  applier: InboundApplier;
  parking: InboundParking;
  logger: Logger;
  metrics: Pick<BookingApiMetrics, 'eventsConsumed' | 'invalidMessages' | 'inboundParked'>;
  /** Times the reorder window and the parked rows. */
  clock: Clock;
  concurrency?: number;
  /** First redelivery delay after a failure; doubles per delivery up to maxRetryDelayMs. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Non-outage failures of one message (in this process) before it is parked. */
  parkAfter?: number;
  /**
   * How long a delivery that overtook its predecessor (OutOfOrderDelivery) is put back to wait
   * for it, from its first deferral; then it is applied as is. Default 30 s: longer than the
   * redelivery of a delivery that failed in a short MySQL outage.
   */
  reorderWindowMs?: number;
  /** Delay before a deferred delivery comes back. */
  reorderRetryMs?: number;
}

/** Bound on the per-message failure counts kept in memory. */
const MAX_TRACKED = 10_000;

/** Sets a per-message entry, dropping the oldest beyond MAX_TRACKED. */
function remember(map: Map<number, number>, seq: number, value: number): void {
  map.delete(seq);
  if (map.size >= MAX_TRACKED) map.delete(map.keys().next().value!);
  map.set(seq, value);
}

export function createInboundConsumer(opts: InboundConsumerOptions) {
  const { js, def, logger } = opts;
  const concurrency = opts.concurrency ?? 16;
  const abort = new AbortController();
  let messages: ConsumerMessages | undefined;
  let running: Promise<void> | undefined;
  let loop: BoundedLoop | undefined;
  const parkAfter = opts.parkAfter ?? 5;
  // Counted here, not from deliveryCount: deliveries spent waiting out an outage are not strikes.
  const strikes = new Map<number, number>();
  // When each deferred delivery was first put back (by stream sequence), to bound its wait.
  const deferredSince = new Map<number, number>();
  const reorderWindowMs = opts.reorderWindowMs ?? 30_000;

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

  async function consumeAll(): Promise<void> {
    messages = await attach();
    if (abort.signal.aborted) return;
    logger.info('Inbound consumer started', { durable: def.durable });
    loop = runBoundedLoop(messages, {
      concurrency,
      prepare: (m) => decodeMessage('calcomInbound', m),
      // Deliveries about one event type apply in stream order (a cancel must not overtake its booking);
      // different event types and tenants run side by side.
      keyOf: (d) => (d.ok ? `${d.value.tenantId}:${d.value.payload.eventTypeId ?? ''}` : ''),
      handle,
      onError: (err, m) =>
        logger.error('Inbound message handling failed', { subject: m.subject, error: err }),
    });
    await loop.done;
  }

  async function handle(m: JsMsg, decoded: Decoded<MessageOf<'calcomInbound'>>): Promise<void> {
    opts.metrics.eventsConsumed.inc({
      subject: subjectLabel(m.subject),
      origin: decoded.meta.origin ?? 'unknown',
    });
    if (!decoded.ok) {
      opts.metrics.invalidMessages.inc({ stream: def.stream });
      logger.warn('Invalid inbound event parked', { subject: m.subject, reason: decoded.reason });
      await park(m, null, 'invalid', decoded.reason);
      return;
    }
    const evt = decoded.value;
    const seq = m.info.streamSequence;
    const since = deferredSince.get(seq);
    try {
      await opts.applier.apply(evt, {
        traceparent: decoded.meta.traceparent,
        mayDefer: since === undefined || opts.clock.now().getTime() - since < reorderWindowMs,
      });
      strikes.delete(seq);
      deferredSince.delete(seq);
      m.ack();
    } catch (err) {
      if (err instanceof OutOfOrderDelivery) {
        remember(deferredSince, seq, since ?? opts.clock.now().getTime());
        logger.info('Cal.com change waits for the one before it', {
          tenant: evt.tenantId,
          trigger: evt.trigger,
          uid: evt.payload.uid,
          missingUid: err.missingUid,
          origin: 'calcom',
        });
        m.nak(opts.reorderRetryMs ?? 1_000);
        return;
      }
      const outage = outageOf(err);
      const failures = outage ? (strikes.get(seq) ?? 0) : strike(seq);
      if (failures >= parkAfter) {
        await park(m, evt.tenantId, 'failing', errorText(err));
        return;
      }
      logger.error('Applying a Cal.com change failed; will retry', {
        tenant: evt.tenantId,
        trigger: evt.trigger,
        uid: evt.payload.uid,
        origin: 'calcom',
        traceId: decoded.meta.traceparent?.slice(3, 35),
        delivery: m.info.deliveryCount,
        outage,
        error: err,
      });
      m.nak(retryDelay(m));
    }
  }

  function strike(seq: number): number {
    const n = (strikes.get(seq) ?? 0) + 1;
    remember(strikes, seq, n);
    return n;
  }

  /** Capped doubling: spreads the tries over an outage of any length without hammering MySQL. */
  function retryDelay(m: JsMsg): number {
    const base = opts.retryDelayMs ?? 2_000;
    const cap = opts.maxRetryDelayMs ?? 60_000;
    return Math.min(base * 2 ** Math.min(Math.max(m.info.deliveryCount - 1, 0), 20), cap);
  }

  /** Stores the message whole in MySQL, then acks; if MySQL cannot take it, it comes back later. */
  async function park(m: JsMsg, tenantId: string | null, reason: 'invalid' | 'failing', error: string) {
    const headers: Record<string, string> = {};
    for (const k of m.headers?.keys() ?? []) headers[k] = m.headers!.get(k);
    try {
      await opts.parking.park(
        {
          stream: def.stream,
          streamSeq: m.info.streamSequence,
          subject: m.subject,
          tenantId,
          headers,
          payload: m.string(),
          error,
          deliveries: m.info.deliveryCount,
        },
        opts.clock.now(),
      );
    } catch (err) {
      logger.error('Could not park a Cal.com delivery; will retry', { subject: m.subject, error: err });
      m.nak(retryDelay(m));
      return;
    }
    strikes.delete(m.info.streamSequence);
    deferredSince.delete(m.info.streamSequence);
    opts.metrics.inboundParked.inc({ reason });
    logger.error('Cal.com delivery parked', {
      tenant: tenantId ?? undefined,
      subject: m.subject,
      streamSeq: m.info.streamSequence,
      deliveries: m.info.deliveryCount,
      reason,
      error,
    });
    m.ack();
  }

  return {
    start(): void {
      if (running) return;
      running = consumeAll().catch((err: unknown) => {
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
      await loop?.settle();
    },
  };
}
const errorText = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

export type InboundConsumer = ReturnType<typeof createInboundConsumer>;
