/**
 * The consumer-lag gauges (sync_consumer_pending_messages, …_ack_pending_…) are
 * set from RunningConsumer.lag() every METRICS_REFRESH_SECONDS. lag() read the
 * consumer info cached at start, so the gauges never changed (issue 8).
 */
import { createLogger, createMetrics, ensureConsumer } from '@calsync/platform';
import { waitFor } from '@calsync/testkit';
import type { Disposition } from '../src/domain/context';
import { startConsumer, type RunningConsumer } from '../src/messaging/consumer';
import { createSyncMetrics } from '../src/metrics';
import { addTenant, book, createHarness, slot, type Harness } from './harness';

let h: Harness;
let consumer: RunningConsumer | undefined;
const waiting: (() => void)[] = [];

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  waiting.splice(0).forEach((go) => go());
  await consumer?.stop();
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
