/**
 * Issue 2: appointments created per second and latency at 32 concurrent admin
 * clients, next to the raw MySQL two-insert transaction rate at the same
 * concurrency; and whether the outbox relay keeps up (events published to
 * JetStream per second, backlog when the load stops).
 */
import { MYSQL_CONCURRENCY } from '../raw-limits';
import { closedLoop, createHttpClient } from '../lib/http';
import { freshInfra, OPERATOR_TOKEN, startService } from '../lib/infra';
import type { Scenario } from '../lib/scenario';
import { nowMs, perSecond, sleep, summarize } from '../lib/stats';
import { BENCH_CUSTOMER, createTenants, slot } from '../lib/tenants';
import { checkRow, fmtMs, fmtRate, info, latencyRow, rateVsLimit } from '../lib/table';

const CLIENTS = MYSQL_CONCURRENCY;
const TENANTS = 8;
const WARMUP_MS = 2_000;
const MEASURE_MS = 8_000;
const MAX_REQUESTS = 40_000;
const DRAIN_TIMEOUT_MS = 20_000;

export const bookingApiScenario: Scenario = {
  name: 'booking-api',
  describe: `appointments created/s and p50/p99 at ${CLIENTS} clients vs raw MySQL two-insert tx; outbox relay`,
  async run({ cleanup, limits, log }) {
    // Raw limits first, while nothing else runs.
    const mysql = await limits.mysqlTwoInsertTx();
    const jetstream = await limits.jetstreamPipelined();

    const infra = await freshInfra(cleanup);
    try {
      log('booking-api: starting the service');
      const api = await startService(cleanup, 'booking-api', {
        ...infra.env,
        BOOKING_API_PORT: '0',
        OPERATOR_TOKEN,
        // One connection per client, as the raw transaction loop has.
        DB_POOL_MAX: String(CLIENTS),
      });
      const client = createHttpClient(api.port, CLIENTS);
      try {
        // 8 tenants x 4 event types: every client books its own event type, in consecutive slots.
        const tenants = await createTenants(client, {
          count: TENANTS,
          eventTypesEach: CLIENTS / TENANTS,
          prefix: 'bk',
        });
        const nextSlot = new Array<number>(CLIENTS).fill(0);
        const send = async (_i: number, lane: number) => {
          const t = tenants[lane % TENANTS]!;
          const eventTypeId = t.eventTypeIds[Math.floor(lane / TENANTS)]!;
          const res = await client.json(
            'POST',
            `/v1/tenants/${t.id}/appointments`,
            { eventTypeId, start: slot(nextSlot[lane]!++), customer: BENCH_CUSTOMER },
            { authorization: `Bearer ${t.adminToken}` },
          );
          return res.status === 201 ? true : `HTTP ${res.status} ${res.body.toString().slice(0, 160)}`;
        };

        const streamCount = async () =>
          (await infra.nats.jsm.streams.info(infra.nats.topology.streams.appointments.name)).state.messages;

        log('booking-api: warming up');
        const warm = await closedLoop({
          concurrency: CLIENTS,
          durationMs: WARMUP_MS,
          maxRequests: 10_000,
          send,
        });
        // Start from an empty outbox so the relay figures cover the measured window only.
        const warmDeadline = nowMs() + DRAIN_TIMEOUT_MS;
        while ((await streamCount()) < warm.ok && nowMs() < warmDeadline) await sleep(50);

        log(`booking-api: ${MEASURE_MS / 1000} s at ${CLIENTS} clients`);
        const before = await streamCount();
        const r = await closedLoop({
          concurrency: CLIENTS,
          durationMs: MEASURE_MS,
          maxRequests: MAX_REQUESTS,
          send,
        });
        const atEnd = await streamCount();
        const publishedDuring = atEnd - before;
        const backlog = r.ok - publishedDuring;
        const t0 = nowMs();
        let published = atEnd - before;
        while (published < r.ok && nowMs() - t0 < DRAIN_TIMEOUT_MS) {
          await sleep(20);
          published = (await streamCount()) - before;
        }
        const drainMs = nowMs() - t0;

        const createRate = perSecond(r.ok, r.elapsedMs);
        const relayRate = perSecond(publishedDuring, r.elapsedMs);
        const lat = summarize(r.samples);
        const mysqlLimit = { label: `MySQL 2-insert tx @${CLIENTS}`, value: mysql.rate };
        return {
          title: `booking-api (issue 2): POST /v1/tenants/:t/appointments, ${CLIENTS} keep-alive clients, ${(r.elapsedMs / 1000).toFixed(1)} s`,
          rows: [
            rateVsLimit('appointments created/s', createRate, mysqlLimit, 0.5),
            info('create latency p50', fmtMs(lat.p50), `raw tx p50 ${fmtMs(mysql.latency?.p50 ?? NaN)}`),
            latencyRow(
              'create latency p99',
              lat.p99,
              50,
              `raw tx p99 ${fmtMs(mysql.latency?.p99 ?? NaN)}`,
              true,
            ),
            checkRow('requests not answered 201', String(r.failed), '0', r.failed === 0),
            checkRow(
              'outbox relay: events published/s during load',
              fmtRate(relayRate),
              '>= 95 % of creates/s',
              relayRate >= 0.95 * createRate,
              `${fmtRate(jetstream.rate)} (JetStream, 256 in flight)`,
            ),
            checkRow(
              'outbox backlog when load stopped / drained in',
              `${backlog} events / ${fmtMs(drainMs)}`,
              'drained <= 1000 ms',
              published >= r.ok && drainMs <= 1_000,
            ),
            checkRow(
              'events published / appointments created',
              `${published} / ${r.ok}`,
              'equal',
              published === r.ok,
            ),
          ],
          notes: [
            `${TENANTS} tenants x ${CLIENTS / TENANTS} event types; each client books its own event type in consecutive, non-overlapping slots`,
            'the overlap check locks the event type row (SELECT ... FOR UPDATE): creates for ONE event type are serialised by design, so spreading is required to measure the service',
            `booking-api runs as a child process with NODE_ENV=production, LOG_LEVEL=info, DB_POOL_MAX=${CLIENTS}; no Idempotency-Key header`,
            ...(r.failures.length ? [`first failures: ${r.failures.join(' | ')}`] : []),
          ],
        };
      } finally {
        client.close();
        await api.stop();
      }
    } finally {
      await infra.release();
    }
  },
};
