/**
 * GET /v1/tenants/:t/events against real MariaDB and NATS: the tenant's changes
 * from any origin and calcom-sync's outcomes arrive on the stream; the admin
 * token decides who may listen, and only to their own tenant.
 */
import { randomUUID } from 'node:crypto';
import { encodeMessage } from '@calsync/contracts';
import { publishEnvelope } from '@calsync/platform';
import { waitFor } from '@calsync/testkit';
import { createTenant, startBookingApi, type Harness, type TestTenant } from './harness';
import { adminCreate, bookingPayload, inboundDrained, publishInbound, slot } from './inbound-helpers';
import { openSse, type SseStream } from './sse-client';

let h: Harness;
let a: TestTenant;
let b: TestTenant;
const open: SseStream[] = [];

beforeAll(async () => {
  h = await startBookingApi();
  a = await createTenant(h);
  b = await createTenant(h);
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
afterAll(async () => {
  await h.close();
});

/** `null`: no token at all. */
async function listen(t: TestTenant, token: string | null = t.adminToken): Promise<SseStream> {
  const s = await openSse(`${h.url}/v1/tenants/${t.id}/events`, token ?? undefined);
  open.push(s);
  return s;
}

describe('GET /v1/tenants/:t/events', () => {
  it('streams an admin change as it is published, then its sync outcome', async () => {
    const stream = await listen(a);
    const created = await adminCreate(h, a, slot(1));
    const booked = await stream.next(
      (e) => e.event === 'appointment' && e.data.appointmentId === created.id,
      'the booked event',
    );
    expect(booked.data).toEqual({
      type: 'appointment',
      event: 'booked',
      appointmentId: created.id,
      origin: 'admin',
      occurredAt: expect.any(String),
      start: slot(1).toISOString(),
      status: 'booked',
    });
    // Ids and times only: the customer's data stays behind the admin API.
    expect(JSON.stringify(booked.data)).not.toContain('max@example.com');

    // calcom-sync's outcome, as it publishes it.
    await publishEnvelope(
      h.nats.js,
      encodeMessage(
        'syncResult',
        h.nats.topology,
        {
          version: 1,
          tenantId: a.id,
          appointmentId: created.id,
          outcome: 'synced',
          action: 'create',
          calcomBookingUid: 'uid-1',
          attempts: 1,
          occurredAt: new Date().toISOString(),
        },
        { msgId: randomUUID(), origin: 'system' },
      ),
    );
    const synced = await stream.next((e) => e.event === 'sync', 'the sync outcome');
    expect(synced.data).toMatchObject({ appointmentId: created.id, outcome: 'synced', action: 'create' });
  });

  it('streams a booking applied from a Cal.com webhook with origin calcom', async () => {
    const stream = await listen(a);
    const payload = bookingPayload(a, slot(5));
    await publishInbound(h, a.id, 'BOOKING_CREATED', payload);
    await inboundDrained(h);
    const e = await stream.next(
      (x) => x.event === 'appointment' && x.data.origin === 'calcom',
      'the Cal.com booking',
    );
    expect(e.data).toMatchObject({ event: 'booked', start: slot(5).toISOString(), status: 'booked' });
  });

  it('gives each tenant only its own events, to every one of its open streams', async () => {
    const [a1, a2, other] = [await listen(a), await listen(a), await listen(b)];
    const created = await adminCreate(h, a, slot(9));
    const mine = (x: { event: string; data: any }) => x.data.appointmentId === created.id;
    await a1.next(mine, 'the event on the first stream');
    await a2.next(mine, 'the event on the second stream');
    const ofB = await adminCreate(h, b, slot(9));
    await other.next((x) => x.data.appointmentId === ofB.id, "tenant b's own event");
    expect(other.events.some(mine)).toBe(false);
  });

  it("refuses another tenant's token with 403 and sends no events", async () => {
    const stream = await listen(a, b.adminToken);
    expect(stream.status).toBe(403);
    expect(stream.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    expect(stream.events).toEqual([]);
    expect(h.api.live.connections(a.id)).toBe(0);
  });

  it('refuses a request without a token with 401; a token in the URL is no token', async () => {
    expect((await listen(a, null)).status).toBe(401);
    const res = await fetch(`${h.url}/v1/tenants/${a.id}/events?token=${a.adminToken}`);
    expect(res.status).toBe(401);
    await res.body?.cancel();
  });

  it('streams a change made through another booking-api replica (they share only NATS here)', async () => {
    const stream = await listen(a);
    const other = await startBookingApi({ nats: h.nats });
    try {
      const same = await createTenant(other, {
        id: a.id,
        eventTypes: [{ id: a.eventTypeId, title: 'Beratung', lengthInMinutes: 30 }],
      });
      const created = await adminCreate(other, { ...same, eventTypeId: a.eventTypeId }, slot(13));
      await stream.next((e) => e.data.appointmentId === created.id, 'the change made on the other replica');
    } finally {
      await other.close();
    }
  });

  it('forgets a stream when its client goes away', async () => {
    const stream = await listen(a);
    expect(h.api.live.connections(a.id)).toBeGreaterThan(0);
    stream.close();
    await waitFor(() => h.api.live.connections(a.id) === 0, { what: 'the stream to be forgotten' });
  });

  // Last: the server no longer takes streams after this.
  it('ends open streams on shutdown and refuses new ones', async () => {
    const stream = await listen(a);
    await h.api.live.close();
    await stream.ended;
    const again = await listen(a);
    expect(again.status).toBe(503);
  });
});
