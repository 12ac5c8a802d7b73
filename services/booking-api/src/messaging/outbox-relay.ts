/**
 * Publishes outbox rows to JetStream in commit order, with Nats-Msg-Id = outbox
 * id, so a row published twice (crash after publish, before the mark) is
 * de-duplicated by the stream. While NATS is down rows simply stay; the relay
 * retries and drains them when it returns. A row that cannot be published for
 * reasons of its own is parked (outbox-batch.ts) so it never stops the others.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Db } from '@calsync/db';
import {
  encodeMessage,
  type AppointmentEventV1,
  type Topology,
  type MessageEnvelope,
} from '@calsync/contracts';
import { publishEnvelope, isOutage, sleep, subjectLabel, type Clock, type Logger } from '@calsync/platform';
import type { OutboxRelayRows, OutboxRow } from '../db/outbox-repo';
import type { BookingApiMetrics } from '../metrics';
import { errorText, planBatch, type PublishOutcome } from './outbox-batch';

export interface OutboxRelayDeps {
  db: Db;
  outbox: OutboxRelayRows;
  js: JetStreamClient;
  topology: Topology;
  logger: Logger;
  metrics: Pick<BookingApiMetrics, 'eventsPublished' | 'outboxParked' | 'outboxPublishFailures'>;
  clock: Clock;
  pollMs: number;
  batchSize?: number;
  publishTimeoutMs?: number;
  /** Refusals of one row (not outages) before it is parked. */
  maxRejections?: number;
}

export interface OutboxRelay {
  start(): void;
  /** Wake the relay now (called after a commit). */
  kick(): void;
  /** Finish the batch in flight and stop. */
  stop(): Promise<void>;
}

export function createOutboxRelay(deps: OutboxRelayDeps): OutboxRelay {
  const batchSize = deps.batchSize ?? 256;
  const maxRejections = deps.maxRejections ?? 5;
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let kicked = false;
  let failures = 0;

  /** One batch; throws after its commit when something is to be retried, so the relay backs off. */
  async function relayOnce(): Promise<number> {
    // The marks (published, refusal counts, parking) commit even when a row is retried: a
    // refusal that rolled back with the batch would never count toward parking.
    const { published, retryBecause } = await deps.db.transaction(async (tx) => {
      const rows = await deps.outbox.claimBatch(batchSize, tx);
      if (!rows.length) return { published: 0, retryBecause: undefined };
      // Pipelined on one connection: JetStream stores them in this order.
      const outcomes = await Promise.all(rows.map(publishRow));
      const plan = planBatch(rows, outcomes, maxRejections);
      await deps.outbox.markPublished(plan.published, deps.clock.now(), tx);
      await deps.outbox.markFailed(plan.failed, tx);
      await deps.outbox.park(plan.parked, deps.clock.now(), tx);
      for (const p of plan.parked) {
        const row = rows.find((r) => r.seq === p.seq);
        deps.metrics.outboxParked.inc({ reason: p.reason });
        deps.logger.error('Outbox row parked; publishing the rest', {
          seq: p.seq,
          eventId: row?.id,
          tenant: row?.tenant_id,
          appointmentId: row?.appointment_id,
          reason: p.reason,
          error: p.error,
        });
      }
      return { published: plan.published.length, retryBecause: plan.retryBecause };
    });
    if (retryBecause !== undefined)
      throw new Error(`publish failed: ${errorText(retryBecause)}`, { cause: retryBecause });
    return published;
  }

  /** Encodes and publishes one row; never throws, so one bad row cannot sink the batch. */
  async function publishRow(row: OutboxRow): Promise<PublishOutcome> {
    let env: MessageEnvelope;
    try {
      env = encodeMessage('appointment', deps.topology, JSON.parse(row.payload) as AppointmentEventV1, {
        msgId: row.id,
        origin: row.origin,
        traceparent: row.traceparent ?? undefined,
      });
    } catch (error) {
      return { kind: 'invalid', error };
    }
    try {
      const ack = await publishEnvelope(deps.js, env, deps.publishTimeoutMs ?? 5_000);
      if (!ack.duplicate)
        deps.metrics.eventsPublished.inc({ subject: subjectLabel(env.subject), origin: row.origin });
      return { kind: 'published' };
    } catch (error) {
      const outage = isOutage(error);
      deps.metrics.outboxPublishFailures.inc({ kind: outage ? 'outage' : 'refused' });
      return { kind: 'failed', error, outage };
    }
  }

  async function run() {
    while (running) {
      let n = 0;
      try {
        n = await relayOnce();
        if (failures) deps.logger.info('Outbox relay publishing again', { afterFailures: failures });
        failures = 0;
      } catch (err) {
        failures++;
        if (failures === 1 || failures % 20 === 0)
          deps.logger.warn('Outbox relay cannot publish; rows are kept', { error: err, failures });
      }
      if (n >= batchSize) continue;
      if (kicked) {
        kicked = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        const delay = failures ? Math.min(250 * 2 ** Math.min(failures, 3), 2_000) : deps.pollMs;
        void sleep(delay).then(resolve);
      });
      wake = undefined;
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    kick() {
      kicked = true;
      wake?.();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
  };
}
