/**
 * The consume loop on its own, against real NATS: a failing apply is naked and
 * redelivered, an invalid message is parked, stop() finishes what is in hand.
 */
import { createTestNats, createLogCapture, waitFor, type TestNats } from '@calsync/testkit';
import { createMetrics, systemClock } from '@calsync/platform';
import type { CalcomInboundEventV1 } from '@calsync/contracts';
import { createInboundConsumer } from '../src/messaging/inbound-consumer';
import type { InboundApplier } from '../src/domain/inbound';
import { createBookingApiMetrics } from '../src/metrics';
import { publishInbound } from './inbound-helpers';

let nats: TestNats;
beforeEach(async () => {
  nats = await createTestNats();
});
afterEach(async () => {
  await nats.close();
});

const payload = { uid: 'u1', eventTypeId: 7, startTime: '2050-09-05T07:00:00Z' };

function consumerWith(apply: InboundApplier['apply']) {
  const logs = createLogCapture();
  const metrics = createBookingApiMetrics(createMetrics('booking-api-test'));
  const c = createInboundConsumer({
    js: nats.js,
    def: nats.topology.consumers.inboundApplier,
    applier: { apply },
    parking: { park: () => Promise.resolve() },
    logger: logs.logger('booking-api'),
    metrics,
    clock: systemClock,
    retryDelayMs: 50,
  });
  return { c, logs, metrics };
}

async function drained() {
  const def = nats.topology.consumers.inboundApplier;
  await waitFor(async () => {
    const info = await nats.jsm.consumers.info(def.stream, def.durable);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  });
}

it('a failed apply (a DB error) is naked and applied on redelivery', async () => {
  const seen: CalcomInboundEventV1[] = [];
  const { c, logs } = consumerWith((evt) => {
    seen.push(evt);
    if (seen.length === 1) return Promise.reject(new Error('ER_LOCK_WAIT_TIMEOUT'));
    return Promise.resolve({ outcome: 'created' });
  });
  c.start();
  await publishInbound({ nats }, 'acme', 'BOOKING_CREATED', payload);
  await waitFor(() => seen.length >= 2, { what: 'the redelivery' });
  await drained();
  await c.stop();
  expect(seen).toHaveLength(2);
  expect(logs.text()).toContain('Applying a Cal.com change failed; will retry');
});

it('an invalid message is set aside (parked), counted and never applied', async () => {
  let applied = 0;
  const { c, metrics } = consumerWith(() => {
    applied++;
    return Promise.resolve({ outcome: 'created' });
  });
  c.start();
  await nats.js.publish(nats.topology.subjects.calcomInbound('acme', 'BOOKING_CREATED'), 'not json');
  await drained();
  await c.stop();
  expect(applied).toBe(0);
  expect((await metrics.invalidMessages.get()).values[0]?.value).toBe(1);
});

it('stop() stops taking messages and waits for the one in hand, which is acked', async () => {
  let release!: () => void;
  let started = false;
  const { c } = consumerWith(async () => {
    started = true;
    await new Promise<void>((r) => (release = r));
    return { outcome: 'created' };
  });
  c.start();
  await publishInbound({ nats }, 'acme', 'BOOKING_CREATED', payload);
  await waitFor(() => started, { what: 'the apply to start' });
  let stopped = false;
  const stopping = c.stop().then(() => (stopped = true));
  await new Promise((r) => setTimeout(r, 100));
  expect(stopped).toBe(false);
  release();
  await stopping;
  await drained();
});
