/**
 * End to end, Cal.com → local: the sandbox's customer books, reschedules and
 * cancels; its signed webhooks go to webhook-gateway (in-process, as its own
 * tests start it), through JetStream to booking-api's inbound applier.
 */
import type { Server } from 'node:http';
import { createCalcomSandbox, type CalcomSandbox } from '@calsync/calcom-sandbox';
import { createTenantReader } from '@calsync/db';
import { closeServer, createSecretBox, hmacSha256Hex, listen, portOf, systemClock } from '@calsync/platform';
import { waitFor } from '@calsync/testkit';
import { createWebhookGatewayApp } from '../../webhook-gateway/src/app';
import { loadConfig as loadGatewayConfig } from '../../webhook-gateway/src/config';
import { createGatewayMetrics } from '../../webhook-gateway/src/metrics';
import { DEV_SECRETS_KEY } from '../src/config';
import { createTenant, startBookingApi, type Harness, type TestTenant } from './harness';
import { bookingPayload, inboundDrained, rowById, rowByUid, rowsOf, slot } from './inbound-helpers';

let sandbox: CalcomSandbox;
let h: Harness;
let gateway: Server;
let gatewayUrl: string;
let a: TestTenant;

beforeAll(async () => {
  sandbox = await createCalcomSandbox({ port: 0 });
  h = await startBookingApi({ env: { CALCOM_API_URL: sandbox.url } });
  const logger = h.logs.logger('webhook-gateway');
  const app = createWebhookGatewayApp({
    config: loadGatewayConfig({ NODE_ENV: 'test' }),
    logger,
    db: h.testDb.db,
    js: h.nats.js,
    nc: h.nats.nc,
    topology: h.nats.topology,
    // booking-api's harness runs with the development key: the gateway reads the same tenants.
    tenants: createTenantReader({ db: h.testDb.db, secrets: createSecretBox(DEV_SECRETS_KEY) }),
    clock: systemClock,
    metrics: createGatewayMetrics(),
  });
  gateway = await listen(app, 0, logger, 'webhook-gateway');
  gatewayUrl = `http://127.0.0.1:${portOf(gateway)}`;
  a = await createTenant(h);
  sandbox.addAccount({
    apiKey: a.calcomApiKey,
    eventTypes: [{ id: a.eventTypeId, title: 'Beratung', lengthInMinutes: 30 }],
    webhook: { url: `${gatewayUrl}/v1/webhooks/calcom/${a.id}`, secret: a.webhookSecret },
  });
});
afterAll(async () => {
  await closeServer(gateway);
  await h.close();
  await sandbox.close();
});

const attendee = { name: 'Jane Roe', email: 'jane@example.com', timeZone: 'Europe/Berlin' };

it("a customer's book, reschedule and cancel on Cal.com reach the local appointment, with zero Cal.com API calls", async () => {
  const booked = await sandbox.customer.book(a.calcomApiKey, {
    start: slot(1).toISOString(),
    eventTypeId: a.eventTypeId,
    attendee,
  });
  const created = await waitFor(() => rowByUid(h, booked.uid), { what: 'the booking to arrive' });
  expect(created).toMatchObject({
    origin: 'calcom',
    status: 'booked',
    sync_status: 'synced',
    customer_name: 'Jane Roe',
  });
  expect(created.start_at.toISOString()).toBe(slot(1).toISOString());

  const moved = await sandbox.customer.reschedule(booked.uid, slot(5).toISOString());
  const rescheduled = await waitFor(
    async () => {
      const r = await rowById(h, created.id);
      return r.calcom_booking_uid === moved.uid ? r : null;
    },
    { what: 'the reschedule to arrive' },
  );
  expect(rescheduled).toMatchObject({
    status: 'booked',
    version: 2,
    synced_version: 2,
    calcom_booking_id: moved.id,
  });
  expect(rescheduled.start_at.toISOString()).toBe(slot(5).toISOString());

  await sandbox.customer.cancel(moved.uid, 'cannot come');
  const cancelled = await waitFor(
    async () => {
      const r = await rowById(h, created.id);
      return r.status === 'cancelled' ? r : null;
    },
    { what: 'the cancel to arrive' },
  );
  expect(cancelled).toMatchObject({ version: 3, synced_version: 3, last_synced_status: 'cancelled' });

  expect(await rowsOf(h, a.id)).toHaveLength(1);
  expect(sandbox.calls({ kind: 'webhook' }).map((c) => c.status)).toEqual([200, 200, 200]);
  expect(sandbox.calls({ kind: 'api' })).toEqual([]);
});

it('the same signed delivery posted five times to the gateway is one appointment', async () => {
  const p = bookingPayload(a, slot(9));
  const raw = JSON.stringify({
    triggerEvent: 'BOOKING_CREATED',
    createdAt: new Date().toISOString(),
    payload: p,
  });
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${gatewayUrl}/v1/webhooks/calcom/${a.id}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-cal-signature-256': hmacSha256Hex(a.webhookSecret, raw),
      },
      body: raw,
    });
    expect(res.status).toBe(200);
  }
  await waitFor(() => rowByUid(h, p.uid!), { what: 'the booking to arrive' });
  await inboundDrained(h);
  expect((await rowsOf(h, a.id)).filter((r) => r.calcom_booking_uid === p.uid)).toHaveLength(1);
});
