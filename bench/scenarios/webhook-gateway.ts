/**
 * Issue 4: signed Cal.com webhooks accepted per second and latency at 64
 * concurrent deliveries, next to bare Express + JSON + HMAC (same requests,
 * same child-process setup) and raw JetStream publish, all in this run. Every
 * delivery is unique, so each one is verified, recorded for de-duplication and
 * published: the full path, never the duplicate shortcut.
 */
import { HTTP_CONCURRENCY } from '../raw-limits';
import { closedLoop, createHttpClient } from '../lib/http';
import { freshInfra, OPERATOR_TOKEN, startService } from '../lib/infra';
import type { Scenario } from '../lib/scenario';
import { perSecond, summarize } from '../lib/stats';
import { createTenants } from '../lib/tenants';
import { checkRow, compare, fmtMs, info, latencyRow, rateVsLimit } from '../lib/table';
import { webhookRequestFactory } from '../lib/webhooks';

const TENANTS = 4;
const WARMUP_MS = 2_000;
const MEASURE_MS = 8_000;
const MAX_REQUESTS = 200_000;

export const webhookGatewayScenario: Scenario = {
  name: 'webhook-gateway',
  describe: `signed webhooks accepted/s and p99 at ${HTTP_CONCURRENCY} concurrent vs bare Express + HMAC and raw JetStream`,
  async run({ cleanup, limits, log }) {
    const bare = await limits.bareExpressHmac();
    const serial = await limits.jetstreamSerial();
    const piped = await limits.jetstreamPipelined();

    const infra = await freshInfra(cleanup);
    try {
      log('webhook-gateway: starting booking-api (tenants) and the gateway');
      const [api, gateway] = await Promise.all([
        startService(cleanup, 'booking-api', { ...infra.env, BOOKING_API_PORT: '0', OPERATOR_TOKEN }),
        startService(cleanup, 'webhook-gateway', {
          ...infra.env,
          WEBHOOK_GATEWAY_PORT: '0',
          DB_MIGRATE: 'false',
        }),
      ]);
      const apiClient = createHttpClient(api.port, 4);
      const tenants = await createTenants(apiClient, { count: TENANTS, eventTypesEach: 2, prefix: 'wh' });
      apiClient.close();
      // booking-api's only part here was the tenants: stopped, it cannot compete for the two cores.
      await api.stop();

      const client = createHttpClient(gateway.port, HTTP_CONCURRENCY);
      try {
        const send = webhookRequestFactory(client, tenants, infra.nats.namespace);
        log('webhook-gateway: warming up');
        const warm = await closedLoop({
          concurrency: HTTP_CONCURRENCY,
          durationMs: WARMUP_MS,
          maxRequests: 20_000,
          send,
        });
        log(`webhook-gateway: ${MEASURE_MS / 1000} s at ${HTTP_CONCURRENCY} concurrent`);
        const r = await closedLoop({
          concurrency: HTTP_CONCURRENCY,
          durationMs: MEASURE_MS,
          maxRequests: MAX_REQUESTS,
          send,
        });
        const inbound = await infra.nats.jsm.streams.info(infra.nats.topology.streams.calcomInbound.name);
        const accepted = warm.ok + r.ok;
        const rate = perSecond(r.ok, r.elapsedMs);
        const lat = summarize(r.samples);
        return {
          title: `webhook-gateway (issue 4): POST /v1/webhooks/calcom/:t, ${HTTP_CONCURRENCY} keep-alive clients, ${(r.elapsedMs / 1000).toFixed(1)} s`,
          rows: [
            rateVsLimit(
              'signed webhooks accepted/s',
              rate,
              { label: 'bare Express+JSON+HMAC', value: bare.rate },
              0.6,
            ),
            compare('  same, vs raw JetStream publish', rate, {
              label: 'JetStream, 256 in flight',
              value: piped.rate,
            }),
            compare('  same, vs raw JetStream publish', rate, {
              label: 'JetStream, 1 at a time',
              value: serial.rate,
            }),
            info('accept latency p50', fmtMs(lat.p50), `bare p50 ${fmtMs(bare.latency?.p50 ?? NaN)}`),
            latencyRow(
              'accept latency p99',
              lat.p99,
              30,
              `bare p99 ${fmtMs(bare.latency?.p99 ?? NaN)}`,
              true,
            ),
            checkRow(
              'deliveries not answered 200',
              String(r.failed + warm.failed),
              '0',
              r.failed + warm.failed === 0,
            ),
            checkRow(
              'published to CALCOM_INBOUND / accepted',
              `${inbound.state.messages} / ${accepted}`,
              'equal',
              inbound.state.messages === accepted,
            ),
          ],
          notes: [
            `${TENANTS} tenants x 2 event types; every delivery is a unique BOOKING_CREATED (own uid, so own body hash), signed with its tenant's secret`,
            'the gateway answers 200 only after the de-duplication row is written and JetStream acknowledged the publish; the bare baseline does neither',
            'gateway runs as a child process (NODE_ENV=production, LOG_LEVEL=info), like the bare baseline; booking-api is stopped during the load',
            ...(r.failures.length ? [`first failures: ${r.failures.join(' | ')}`] : []),
          ],
        };
      } finally {
        client.close();
        await gateway.stop();
      }
    } finally {
      await infra.release();
    }
  },
};
