/**
 * The consumer-lag gauges (sync_consumer_pending_messages, …_ack_pending_…) are
 * set from RunningConsumer.lag() every METRICS_REFRESH_SECONDS. lag() read the
 * consumer info cached at start, so the gauges never changed (issue 8).
 */
import { createLogger, createMetrics, ensureConsumer } from '@calsync/platform';
import { waitFor } from '@calsync/testkit';
import type { Disposition } from '../src/domain/context';
import type { Gauge } from 'prom-client';
import type { CalcomSyncApp } from '../src/app';
import { startConsumer, type RunningConsumer } from '../src/messaging/consumer';
import { createSyncMetrics } from '../src/metrics';
import { addTenant, book, createHarness, slot, startApp, type Harness } from './harness';

let h: Harness;
let consumer: RunningConsumer | undefined;
let app: CalcomSyncApp | undefined;
const waiting: (() => void)[] = [];

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  waiting.splice(0).forEach((go) => go());
  await consumer?.stop();
  await app?.stop();
  await h.close();
});

const lagIs = (pending: (n: number) => boolean, ackPending: (n: number) => boolean) =>
  waitFor(
    async () => {
      const lag = await consumer!.lag();
      return pending(lag.pending) && ackPending(lag.ackPending);
    },
    { timeoutMs: 15_000, what: 'lag() to follow the server' },
  );

it('lag() follows the server: a backlog shows, and goes back to 0 once it is worked off', async () => {
  const def = h.nats.topology.consumers.calcomSync;
  await ensureConsumer(h.nats.jsm, def);
  const serviceMetrics = createMetrics('calcom-sync-test');
  // One message at a time, each held until the test lets it go.
  consumer = await startConsumer({
    js: h.nats.js,
    def,
    concurrency: 1,
    syncer: {
      handle: () => new Promise<Disposition>((resolve) => waiting.push(() => resolve({ kind: 'ack' }))),
    },
    logger: createLogger({ service: 'calcom-sync', level: 'error' }),
    metrics: createSyncMetrics(serviceMetrics.registry),
    serviceMetrics,
  });
  await lagIs(
    (n) => n === 0,
    (n) => n === 0,
  );

  const t = await addTenant(h);
  for (let i = 0; i < 5; i++) await book(h, t, slot(i));
  await lagIs(
    (n) => n >= 3,
    (n) => n >= 1,
  );

  // Let every message go as it arrives: the lag must come back to 0.
  await waitFor(
    async () => {
      waiting.splice(0).forEach((go) => go());
      const lag = await consumer!.lag();
      return lag.pending === 0 && lag.ackPending === 0;
    },
    { timeoutMs: 15_000, what: 'the backlog worked off' },
  );
});

it('the gauges themselves, as /metrics shows them, rise with a backlog and fall back to 0', async () => {
  await consumer?.stop();
  consumer = undefined;
  // One call at a time and every Cal.com call slow: the service's own backlog builds up.
  app = await startApp(h, { METRICS_REFRESH_SECONDS: '1', SYNC_CONCURRENCY: '1' });
  const gauge = async (name: string) => {
    const g = app!.metrics.registry.getSingleMetric(name) as Gauge | undefined;
    return (await g?.get())?.values[0]?.value ?? -1;
  };
  const t = await addTenant(h);
  h.sandbox.injectFault({ route: '*', mode: 'latency', latencyMs: 1_500, apiKey: t.apiKey });
  for (let i = 10; i < 16; i++) await book(h, t, slot(i));
  await waitFor(async () => (await gauge('sync_consumer_pending_messages')) >= 2, {
    timeoutMs: 15_000,
    what: 'sync_consumer_pending_messages to show the backlog',
  });
  h.sandbox.clearFaults();
  await waitFor(
    async () =>
      (await gauge('sync_consumer_pending_messages')) === 0 &&
      (await gauge('sync_consumer_ack_pending_messages')) === 0,
    { timeoutMs: 30_000, what: 'the gauges back at 0' },
  );
});
