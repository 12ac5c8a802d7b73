/**
 * Row 2: signed Cal.com webhooks accepted per second and p99 at 64 concurrent
 * deliveries, each repetition right after bare Express + JSON + HMAC fed the
 * same kind of requests (same child-process setup). Every delivery is unique,
 * so each one is verified, recorded for de-duplication and published: the
 * full path, never the duplicate shortcut.
 */
import { HTTP_CONCURRENCY, asRun, rawBareExpress } from '../raw-limits';
import type { Group } from '../lib/group';
import { closedLoop, createHttpClient } from '../lib/http';
import { freshInfra, OPERATOR_TOKEN, startService } from '../lib/infra';
import { throughputLines } from '../lib/table';
import { createTenants } from '../lib/tenants';
import { webhookRequestFactory } from '../lib/webhooks';
import { interleave } from './throughput';

const MEASURE_MS = 5_000;

export const webhooksGroup: Group = {
  name: 'webhooks',
  rows: [
    {
      id: 2,
      name: 'webhooks',
      describe: `webhook-gateway accepted/s and p99 at ${HTTP_CONCURRENCY} clients ÷ bare Express + JSON + HMAC`,
    },
  ],
  async run({ cleanup, log, reps }) {
    const raw = await rawBareExpress(cleanup);
    const infra = await freshInfra(cleanup);
    const [api, gateway] = await Promise.all([
      startService(cleanup, 'booking-api', { ...infra.env, BOOKING_API_PORT: '0', OPERATOR_TOKEN }),
      startService(cleanup, 'webhook-gateway', {
        ...infra.env,
        WEBHOOK_GATEWAY_PORT: '0',
        DB_MIGRATE: 'false',
      }),
    ]);
    const client = createHttpClient(gateway.port, HTTP_CONCURRENCY);
    try {
      const apiClient = createHttpClient(api.port, 4);
      const tenants = await createTenants(apiClient, { count: 4, eventTypesEach: 2, prefix: 'wh' });
      apiClient.close();
      // booking-api's only part here was the tenants: stopped, it cannot compete for the two cores.
      await api.stop();

      const send = webhookRequestFactory(client, tenants, infra.nats.namespace);
      let accepted = 0;
      const project = async (ms: number) => {
        const r = await closedLoop({
          concurrency: HTTP_CONCURRENCY,
          durationMs: ms,
          maxRequests: 1_000_000,
          send,
        });
        accepted += r.ok;
        return asRun(r);
      };
      const { runs, failed } = await interleave(
        { log, reps },
        {
          name: 'webhooks',
          raw,
          project: { measure: project },
          labels: { raw: 'bare Express', project: 'webhook-gateway' },
          warmUpMs: { raw: 1_500, project: 2_000 },
          ms: MEASURE_MS,
        },
      );
      const inbound = await infra.nats.jsm.streams.info(infra.nats.topology.streams.calcomInbound.name);
      return [
        {
          id: 2,
          name: 'webhooks',
          title: 'webhook-gateway accepted/s at 64 clients ÷ bare Express + JSON + HMAC',
          lines: throughputLines(runs, {
            measure: `webhook-gateway accepted/s at ${HTTP_CONCURRENCY} clients`,
            raw: 'bare Express+JSON+HMAC',
            minRatio: 0.6,
            maxP99Ms: 30,
            what: 'accept',
          }),
          notes: [
            `4 tenants x 2 event types; every delivery a unique signed BOOKING_CREATED; booking-api stopped during the load; ${MEASURE_MS / 1000} s per measurement`,
            `published to CALCOM_INBOUND / accepted (all repetitions and warm-up): ${inbound.state.messages} / ${accepted}${inbound.state.messages === accepted ? '' : ' MISMATCH'}; deliveries not answered 200: ${failed}`,
          ],
        },
      ];
    } finally {
      client.close();
      await gateway.stop();
      await infra.release();
      await raw.release();
    }
  },
};
