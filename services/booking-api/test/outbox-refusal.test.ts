/**
 * A row JetStream keeps refusing for reasons of its own (not an outage) is
 * counted on every refusal, parked after `maxRejections`, and holds nobody
 * back. The count used to be written in the relay's transaction and rolled back
 * with it, so the row was never parked and every row behind it waited forever.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { createMetrics, systemClock } from '@calsync/platform';
import { createLogCapture, waitFor } from '@calsync/testkit';
import { createOutboxRepo } from '../src/db/outbox-repo';
import { createOutboxRelay, type OutboxRelay } from '../src/messaging/outbox-relay';
import { createBookingApiMetrics } from '../src/metrics';
import { createTenant, customer, future, startBookingApi, streamMessages, type Harness } from './harness';

let h: Harness;
let relay: OutboxRelay | undefined;

beforeAll(async () => {
  h = await startBookingApi({ startRelay: false });
});
afterAll(async () => {
  await relay?.stop();
  await h.close();
});

/** JetStream as the relay sees it, refusing one message id every time (like a size or subject limit). */
function refusing(js: JetStreamClient, msgId: string): JetStreamClient {
  return new Proxy(js, {
    get(target, prop, receiver) {
      if (prop !== 'publish') return Reflect.get(target, prop, receiver) as unknown;
      return (subject: string, data: Uint8Array, opts?: { msgID?: string }) =>
        opts?.msgID === msgId
          ? Promise.reject(new Error('maximum message size exceeded'))
          : target.publish(subject, data, opts);
    },
  });
}

it('a refused row is counted per refusal, parked after maxRejections, and the rows behind it are published in order', async () => {
  const t = await createTenant(h);
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await h.http('POST', `/v1/tenants/${t.id}/appointments`, {
      token: t.adminToken,
      body: { eventTypeId: t.eventTypeId, start: future(5, 9 + i), customer },
    });
    expect(res.status).toBe(201);
    ids.push(res.body.id as string);
  }
  const [refused] = await h.testDb.db.query<{ id: string }>(
    'SELECT id FROM outbox WHERE appointment_id = ?',
    [ids[0]],
  );
  relay = createOutboxRelay({
    db: h.testDb.db,
    outbox: createOutboxRepo(h.testDb.db),
    js: refusing(h.nats.js, refused!.id),
    topology: h.nats.topology,
    logger: createLogCapture().logger('booking-api'),
    metrics: createBookingApiMetrics(createMetrics('booking-api-test')),
    clock: systemClock,
    pollMs: 20,
    maxRejections: 3,
  });
  relay.start();

  const row = await waitFor(
    async () => {
      const [r] = await h.testDb.db.query<{ publish_attempts: number; parked_at: Date | null }>(
        'SELECT publish_attempts, parked_at FROM outbox WHERE id = ?',
        [refused!.id],
      );
      return r?.parked_at ? r : undefined;
    },
    { what: 'the refused row parked', timeoutMs: 20_000 },
  );
  expect(row.publish_attempts).toBe(3);
  await waitFor(
    async () => (await streamMessages(h.nats)).filter((m) => ids.includes(m.data.appointmentId)).length === 2,
    { what: 'the rows behind it published' },
  );
  const published = (await streamMessages(h.nats)).map((m) => m.data.appointmentId);
  expect(published.filter((id) => ids.includes(id))).toEqual(ids.slice(1));
});
