/**
 * Publishes outbox rows to JetStream in commit order, with Nats-Msg-Id = outbox
 * id, so a row published twice (crash after publish, before the mark) is
 * de-duplicated by the stream. While NATS is down rows simply stay; the relay
 * retries and drains them when it returns.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { Gauge } from 'prom-client';
import type { Db } from '@calsync/db';
import {
  encodeAppointmentEvent,
  publishEnvelope,
  type AppointmentEventV1,
  type Topology,
} from '@calsync/contracts';
import { sleep, subjectLabel, type Clock, type Logger, type ServiceMetrics } from '@calsync/platform';
import type { OutboxRepo } from '../db/outbox-repo';

export interface OutboxRelayDeps {
  db: Db;
  outbox: OutboxRepo;
  js: JetStreamClient;
  topology: Topology;
  logger: Logger;
  metrics: ServiceMetrics;
  clock: Clock;
  pollMs: number;
  batchSize?: number;
  publishTimeoutMs?: number;
}

export interface OutboxRelay {
  start(): void;
  /** Wake the relay now (called after a commit). */
  kick(): void;
  /** Finish the batch in flight and stop. */
  stop(): Promise<void>;
  /** Publishes what is pending once; for tests and shutdown. */
  drainOnce(): Promise<number>;
}

export function createOutboxRelay(deps: OutboxRelayDeps): OutboxRelay {
  const batchSize = deps.batchSize ?? 256;
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let kicked = false;
  let failures = 0;

  new Gauge({
    name: 'outbox_pending',
    help: 'Outbox rows not yet published to JetStream',
    registers: [deps.metrics.registry],
    async collect() {
      this.set(await deps.outbox.pendingCount().catch(() => -1));
    },
  });

  async function relayOnce(): Promise<number> {
    return deps.db.transaction(async (tx) => {
      const rows = await deps.outbox.claimBatch(batchSize, tx);
      if (!rows.length) return 0;
      // Pipelined on one connection: JetStream stores them in this order.
      const results = await Promise.allSettled(
        rows.map((row) => {
          const event = JSON.parse(row.payload) as AppointmentEventV1;
          const env = encodeAppointmentEvent(deps.topology, event, {
            msgId: row.id,
            origin: row.origin,
            traceparent: row.traceparent ?? undefined,
          });
          return publishEnvelope(deps.js, env, deps.publishTimeoutMs ?? 5_000).then((ack) => {
            if (!ack.duplicate)
              deps.metrics.eventsPublished.inc({ subject: subjectLabel(env.subject), origin: row.origin });
          });
        }),
      );
      // Rows before the first failure are safely stored; later ones are retried (order kept, duplicates de-duplicated).
      const firstFailure = results.findIndex((r) => r.status === 'rejected');
      const okCount = firstFailure === -1 ? rows.length : firstFailure;
      await deps.outbox.markPublished(
        rows.slice(0, okCount).map((r) => r.seq),
        deps.clock.now(),
        tx,
      );
      if (firstFailure !== -1) {
        await deps.outbox.markFailed(
          rows.slice(okCount).map((r) => r.seq),
          tx,
        );
        const reason = (results[firstFailure] as PromiseRejectedResult).reason as Error;
        throw Object.assign(new Error(`publish failed: ${reason?.message ?? String(reason)}`), {
          published: okCount,
        });
      }
      return okCount;
    });
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
    drainOnce: relayOnce,
  };
}
