/**
 * Row 1: appointments created per second and p99 at 32 concurrent admin
 * clients, each repetition right after the raw MySQL two-insert transaction
 * at the same concurrency.
 */
import { MYSQL_CONCURRENCY, asRun, rawMysql, type RawRun } from '../raw-limits';
import type { Group } from '../lib/group';
import { closedLoop, createHttpClient } from '../lib/http';
import { freshInfra, OPERATOR_TOKEN, startService } from '../lib/infra';
import { ratios, stat, until } from '../lib/stats';
import { fig } from '../lib/table';
import { BENCH_CUSTOMER, createTenants, slot } from '../lib/tenants';

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
      const project = async (ms: number) =>
        asRun(await closedLoop({ concurrency: CLIENTS, durationMs: ms, maxRequests: 500_000, send }));
      const published = async () =>
        (await infra.nats.jsm.streams.info(infra.nats.topology.streams.appointments.name)).state.messages;
      // The relay must be done before the next raw measurement, or it would compete with it.
      const relayed = () => until(async () => (await published()) >= created, 30_000, 50);

      log('creates: warming up');
      await raw.measure(1_000);
      await project(2_000);
      await relayed();
      const runs: { raw: RawRun; project: RawRun }[] = [];
      for (let rep = 1; rep <= reps; rep++) {
        log(`creates: rep ${rep}/${reps}: raw MySQL, then booking-api, ${MEASURE_MS / 1000} s each`);
        const r = await raw.measure(MEASURE_MS);
        const p = await project(MEASURE_MS);
        await relayed();
        runs.push({ raw: r, project: p });
      }
      const events = await published();
      const failed = runs.reduce((n, x) => n + x.project.failed, 0);
      const p99 = stat(runs.map((x) => x.project.latency.p99));
      const ratio = ratios(
        runs.map((x) => x.project.rate),
        runs.map((x) => x.raw.rate),
      );
      return [
        {
          id: 1,
          name: 'creates',
          title: 'booking-api creates/s at 32 clients ÷ raw MySQL two-insert transaction',
          lines: [
            {
              measure: `booking-api creates/s at ${CLIENTS} clients`,
              project: fig(stat(runs.map((x) => x.project.rate)), '/s'),
              raw: fig(stat(runs.map((x) => x.raw.rate)), '/s', `MySQL 2-insert tx @${CLIENTS}`),
              ratio,
              goal: '>= 0.5',
              met: ratio.median >= 0.5,
            },
            {
              measure: 'create latency p50',
              project: fig(stat(runs.map((x) => x.project.latency.p50)), ' ms'),
              raw: fig(stat(runs.map((x) => x.raw.latency.p50)), ' ms', 'tx p50'),
              goal: '-',
              met: null,
            },
            {
              measure: 'create latency p99',
              project: fig(p99, ' ms'),
              raw: fig(stat(runs.map((x) => x.raw.latency.p99)), ' ms', 'tx p99'),
              goal: '< 50 ms',
              met: p99.median < 50,
            },
          ],
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
