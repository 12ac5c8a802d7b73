/**
 * Row 1: appointments created per second and p99 at 32 concurrent admin
 * clients, each repetition right after the raw MySQL two-insert transaction
 * at the same concurrency.
 */
import { MYSQL_CONCURRENCY, asRun, rawMysql } from '../raw-limits';
import type { Group } from '../lib/group';
import { closedLoop, createHttpClient } from '../lib/http';
import { freshInfra, OPERATOR_TOKEN, startService } from '../lib/infra';
import { until } from '../lib/stats';
import { throughputLines } from '../lib/table';
import { BENCH_CUSTOMER, createTenants, slot } from '../lib/tenants';
import { interleave } from './throughput';

const CLIENTS = MYSQL_CONCURRENCY;
const TENANTS = 8;
const MEASURE_MS = 5_000;

export const createsGroup: Group = {
  name: 'creates',
  rows: [
    {
      id: 1,
      name: 'creates',
      describe: `booking-api creates/s and p99 at ${CLIENTS} clients ÷ raw MySQL two-insert transaction`,
    },
  ],
  async run({ cleanup, log, reps }) {
    const raw = await rawMysql(cleanup);
    const infra = await freshInfra(cleanup);
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
      let created = 0;
      const send = async (_i: number, lane: number) => {
        const t = tenants[lane % TENANTS]!;
        const res = await client.json(
          'POST',
          `/v1/tenants/${t.id}/appointments`,
          {
            eventTypeId: t.eventTypeIds[Math.floor(lane / TENANTS)]!,
            start: slot(nextSlot[lane]!++),
            customer: BENCH_CUSTOMER,
          },
          { authorization: `Bearer ${t.adminToken}` },
        );
        if (res.status !== 201) return `HTTP ${res.status} ${res.body.toString().slice(0, 160)}`;
        created++;
        return true;
      };
      const published = async () =>
        (await infra.nats.jsm.streams.info(infra.nats.topology.streams.appointments.name)).state.messages;
      const project = async (ms: number) => {
        const run = asRun(
          await closedLoop({ concurrency: CLIENTS, durationMs: ms, maxRequests: 500_000, send }),
        );
        // The relay must be done before the next raw measurement, or it would compete with it.
        await until(async () => (await published()) >= created, 30_000, 50);
        return run;
      };

      const { runs, failed } = await interleave(
        { log, reps },
        {
          name: 'creates',
          raw,
          project: { measure: project },
          labels: { raw: 'raw MySQL', project: 'booking-api' },
          warmUpMs: { raw: 1_000, project: 2_000 },
          ms: MEASURE_MS,
        },
      );
      const events = await published();
      return [
        {
          id: 1,
          name: 'creates',
          title: 'booking-api creates/s at 32 clients ÷ raw MySQL two-insert transaction',
          lines: throughputLines(runs, {
            measure: `booking-api creates/s at ${CLIENTS} clients`,
            raw: `MySQL 2-insert tx @${CLIENTS}`,
            minRatio: 0.5,
            maxP99Ms: 50,
            what: 'create',
          }),
          notes: [
            `${TENANTS} tenants x ${CLIENTS / TENANTS} event types, one per client, consecutive slots (creates for one event type are serialised by its lock); booking-api DB_POOL_MAX=${CLIENTS}; ${MEASURE_MS / 1000} s per measurement`,
            `published to JetStream / created (all repetitions and warm-up): ${events} / ${created}${events === created ? '' : ' MISMATCH'}; creates not answered 201: ${failed}`,
          ],
        },
      ];
    } finally {
      client.close();
      await api.stop();
      await infra.release();
      await raw.release();
    }
  },
};
