/**
 * Row 3: the inbound applier (booking-api) after an 8 s burst of ~500 signed
 * Cal.com deliveries/s through webhook-gateway: deliveries applied per second
 * during the burst next to the rate the gateway published them at in the same
 * burst, and how many are still unapplied 10, 30 and 60 s after it (after the
 * gateway answered the last one, or the client gave up on it). Published =
 * the CALCOM_INBOUND stream's sequence advance (a delivery the client gave up
 * on may still be published later, and then waits too); unapplied = not yet
 * acknowledged by the applier's durable consumer (it acks after applying).
 * Every delivery is a new Cal.com booking in its own slot, so each one becomes
 * an appointment. A backlog left after 60 s is purged (booking-api restarted
 * on an empty stream) so it does not spill into the next repetition.
 */
import { asRun, type RawRun } from '../raw-limits';
import type { Group } from '../lib/group';
import { createHttpClient, openLoop } from '../lib/http';
import { freshInfra, OPERATOR_TOKEN, profileFromNow, startService, type Service } from '../lib/infra';
import { nowMs, perSecond, ratios, sleep, stat, until } from '../lib/stats';
import { fig, type Line } from '../lib/table';
import { createTenants } from '../lib/tenants';
import { webhookRequestFactory } from '../lib/webhooks';

const BURST_PER_SEC = 500;
const BURST_MS = 8_000;
const CHECKPOINTS_S = [10, 30, 60];

interface Rep {
  /** What the load generator saw (answers 200, latency). */
  client: RawRun;
  /** Deliveries the gateway published during the burst. */
  published: number;
  publishedPerSec: number;
  appliedPerSec: number;
  unapplied: number[];
  /** Seconds from the end of the burst until nothing was left; NaN when something was left at 60 s. */
  drainedAfterS: number;
}

export const applierGroup: Group = {
  name: 'applier',
  rows: [
    {
      id: 3,
      name: 'applier',
      describe: `inbound applier after an ${BURST_MS / 1000} s burst of ${BURST_PER_SEC} deliveries/s: unapplied 10/30/60 s later, rate vs the gateway's`,
    },
  ],
  async run({ cleanup, log, reps }) {
    const infra = await freshInfra(cleanup);
    const apiEnv = { ...infra.env, BOOKING_API_PORT: '0', OPERATOR_TOKEN };
    let api: Service = await startService(cleanup, 'booking-api', apiEnv);
    const gateway = await startService(cleanup, 'webhook-gateway', {
      ...infra.env,
      WEBHOOK_GATEWAY_PORT: '0',
      DB_MIGRATE: 'false',
    });
    const client = createHttpClient(gateway.port, 256);
    try {
      const apiClient = createHttpClient(api.port, 4);
      const tenants = await createTenants(apiClient, { count: 4, eventTypesEach: 4, prefix: 'ap' });
      apiClient.close();

      const { stream, durable } = infra.nats.topology.consumers.inboundApplier;
      const unapplied = async () => {
        try {
          const c = await infra.nats.jsm.consumers.info(stream, durable);
          return c.num_pending + c.num_ack_pending;
        } catch {
          return (await infra.nats.jsm.streams.info(stream)).state.messages;
        }
      };
      /** Drops what is left: booking-api stopped, stream purged, consumer deleted, booking-api started. */
      const purge = async () => {
        await api.stop();
        await infra.nats.jsm.streams.purge(stream);
        await infra.nats.jsm.consumers.delete(stream, durable).catch(() => undefined);
        api = await startService(cleanup, 'booking-api', apiEnv);
        await until(async () => (await unapplied()) === 0, 10_000, 200);
      };
      const lastSeq = async () => (await infra.nats.jsm.streams.info(stream)).state.last_seq;
      let slots = 0;
      const burst = async (perSec: number, ms: number) => {
        const send = webhookRequestFactory(
          client,
          tenants,
          `${infra.nats.namespace}r${nowMs()}`,
          () => slots++,
        );
        return openLoop({ ratePerSec: perSec, durationMs: ms, send, graceMs: 30_000 });
      };

      log('applier: warming up (100/s for 2 s)');
      await burst(100, 2_000);
      if (!(await until(async () => (await unapplied()) === 0, 20_000, 250))) await purge();

      profileFromNow();
      const runs: Rep[] = [];
      for (let rep = 1; rep <= reps; rep++) {
        log(`applier: rep ${rep}/${reps}: ${BURST_PER_SEC}/s for ${BURST_MS / 1000} s, then up to 60 s`);
        const seq0 = await lastSeq();
        const r = await burst(BURST_PER_SEC, BURST_MS);
        const end = nowMs();
        const published = (await lastSeq()) - seq0;
        const leftAtEnd = await unapplied();
        const counts: number[] = [];
        let drainedAfterS = NaN;
        for (const at of CHECKPOINTS_S) {
          if (Number.isNaN(drainedAfterS)) {
            const reached = await until(
              async () => (await unapplied()) === 0,
              end + at * 1000 - nowMs(),
              250,
            );
            if (reached) drainedAfterS = (nowMs() - end) / 1000;
          }
          counts.push(Number.isNaN(drainedAfterS) ? await unapplied() : 0);
        }
        runs.push({
          client: asRun(r),
          published,
          publishedPerSec: perSecond(published, r.elapsedMs),
          appliedPerSec: perSecond(published - leftAtEnd, r.elapsedMs),
          unapplied: counts,
          drainedAfterS,
        });
        if (counts[counts.length - 1]! > 0) {
          log(`applier: ${counts[counts.length - 1]} deliveries left after 60 s; purging them`);
          await purge();
        } else await sleep(500);
      }

      const ratio = ratios(
        runs.map((x) => x.appliedPerSec),
        runs.map((x) => x.publishedPerSec),
      );
      const published = stat(runs.map((x) => x.published));
      const lines: Line[] = [
        {
          measure: `inbound applier: applied/s during a ${BURST_MS / 1000} s burst of ${BURST_PER_SEC}/s`,
          project: fig(stat(runs.map((x) => x.appliedPerSec)), '/s'),
          raw: fig(stat(runs.map((x) => x.publishedPerSec)), '/s', 'gateway published (same burst)'),
          ratio,
          goal: '>= 0.95 (keeps up)',
          met: ratio.median >= 0.95,
        },
        ...CHECKPOINTS_S.map((at, i) => {
          const left = stat(runs.map((x) => x.unapplied[i]!));
          return {
            measure: `deliveries still unapplied ${at} s after the burst`,
            project: fig(left, ''),
            raw: fig(published, '', 'published in the burst'),
            goal: '0',
            met: left.median === 0,
          };
        }),
      ];
      return [
        {
          id: 3,
          name: 'applier',
          title: 'inbound applier after an 8 s burst of ~500 deliveries/s',
          lines,
          notes: [
            `4 tenants x 4 event types; each delivery a new BOOKING_CREATED in its own slot, offered at ${BURST_PER_SEC}/s (open loop); unapplied = the applier's durable consumer's pending + unacknowledged`,
            `drained after the burst in: ${runs.map((x) => (Number.isNaN(x.drainedAfterS) ? '> 60 s' : `${x.drainedAfterS.toFixed(1)} s`)).join(', ')}; client-side: answered 200 ${runs.map((x) => x.client.count).join(', ')} of ${(BURST_PER_SEC * BURST_MS) / 1000} offered, p99 ${runs.map((x) => `${x.client.latency.p99.toFixed(0)} ms`).join(', ')}`,
          ],
        },
      ];
    } finally {
      client.close();
      await gateway.stop();
      await api.stop();
      await infra.release();
    }
  },
};
