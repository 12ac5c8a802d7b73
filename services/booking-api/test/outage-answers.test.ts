/**
 * Brief outages of NATS or MySQL never answer 500 (issue 8, item 6). What was
 * committed locally is said truthfully (Retell 200 `pending`, admin 201); where
 * nothing was committed the answer is 503 + Retry-After (admin) or a sentence the
 * phone agent can say (Retell 200 `unavailable`).
 */
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { createDb, type AppointmentRow, type Db } from '@calsync/db';
import { closeServer, listen, portOf, systemClock } from '@calsync/platform';
import {
  createLogCapture,
  createTestNats,
  startDisposableNats,
  type DisposableNats,
  type TestNats,
} from '@calsync/testkit';
import { createBookingApi, type BookingApi } from '../src/app';
import { loadConfig } from '../src/config';
import { signRetell } from '../src/domain/retell/signature';
import { startDbProxy, type DbProxy } from './db-proxy';
import {
  OPERATOR_TOKEN,
  createTenant,
  customer,
  future,
  startBookingApi,
  type Harness,
  type TestTenant,
} from './harness';

const CALLER = '+4915112345678';

let natsServer: DisposableNats;
let nats: TestNats;
let h: Harness;
let t: TestTenant;

beforeAll(async () => {
  natsServer = await startDisposableNats();
  nats = await createTestNats(natsServer.url);
  h = await startBookingApi({ nats, env: { RETELL_CONFIRM_TIMEOUT_MS: '1500' } });
  t = await createTenant(h);
});
afterAll(async () => {
  await h.close();
  await nats.close();
  await natsServer.destroy();
});

function retell(name: string, args: object, base = h.url) {
  const raw = JSON.stringify({
    name,
    args,
    call: { call_id: `call_${randomUUID()}`, direction: 'inbound', from_number: CALLER },
  });
  return send(base, `/v1/tenants/${t.id}/retell/functions/${name}`, raw, {
    'x-retell-signature': signRetell(raw, t.retellApiKey, Date.now()),
  });
}

async function send(base: string, path: string, raw: string, headers: Record<string, string>) {
  const res = await fetch(base + path, {
    method: 'POST',
    body: raw,
    headers: { 'content-type': 'application/json', ...headers },
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

const adminCreate = (base: string, start: string) =>
  send(
    base,
    `/v1/tenants/${t.id}/appointments`,
    JSON.stringify({ eventTypeId: t.eventTypeId, start, customer }),
    { authorization: `Bearer ${t.adminToken}` },
  );

const row = async (id: string) =>
  (await h.testDb.db.query<AppointmentRow>('SELECT * FROM appointments WHERE id = ?', [id]))[0];

describe('while NATS is down', () => {
  beforeAll(() => natsServer.stop());
  afterAll(() => natsServer.start());

  it('a phone booking is committed and answered 200 "pending", said truthfully', async () => {
    const res = await retell('book_appointment', { start: future(3, 10), name: 'Jane Roe' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('pending');
    expect(res.body.result).toMatch(/noted/);
    expect((await row(res.body.appointmentId))?.status).toBe('booked');
  });

  it('a phone reschedule and cancel are committed and answered 200', async () => {
    const booked = await retell('book_appointment', { start: future(4, 10), name: 'Jane Roe' });
    const id = booked.body.appointmentId as string;
    const moved = await retell('reschedule_appointment', { appointmentId: id, start: future(4, 11) });
    expect(moved.status).toBe(200);
    expect(moved.body.status).toBe('pending');
    expect((await row(id))?.start_at.toISOString()).toBe(future(4, 11));
    const cancelled = await retell('cancel_appointment', { appointmentId: id });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await row(id))?.status).toBe('cancelled');
  });

  it('an admin create answers 201', async () => {
    expect((await adminCreate(h.url, future(5, 10))).status).toBe(201);
  });
});

describe('while MySQL is down', () => {
  let proxy: DbProxy;
  let db: Db;
  let api: BookingApi;
  let server: Server;
  let url: string;

  // A second booking-api whose MySQL goes through a proxy this test cuts.
  beforeAll(async () => {
    proxy = await startDbProxy(h.testDb.url);
    db = createDb({ url: proxy.url, poolMax: 4 });
    const logger = createLogCapture().logger('booking-api');
    const config = loadConfig({
      OPERATOR_TOKEN,
      DATABASE_URL: proxy.url,
      NATS_URL: nats.url,
      NATS_NAMESPACE: nats.namespace,
      RETELL_CONFIRM_TIMEOUT_MS: '1500',
    });
    api = createBookingApi({
      config,
      logger,
      db,
      nc: nats.nc,
      js: nats.js,
      topology: nats.topology,
      clock: systemClock,
    });
    server = await listen(api.app, 0, logger, 'booking-api');
    url = `http://127.0.0.1:${portOf(server)}`;
  });
  afterAll(async () => {
    await closeServer(server);
    await api.stop();
    await db.close();
    await proxy.close();
  });

  it('an admin create answers 503 unavailable with Retry-After, and nothing is written', async () => {
    // Warm the token and tenant caches, so the failure comes from the create itself.
    expect((await adminCreate(url, future(6, 9))).status).toBe(201);
    proxy.cut();
    const start = future(6, 10);
    const res = await adminCreate(url, start);
    proxy.restore();
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('unavailable');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const rows = await h.testDb.db.query('SELECT id FROM appointments WHERE tenant_id = ? AND start_at = ?', [
      t.id,
      new Date(start),
    ]);
    expect(rows).toHaveLength(0);
  });

  it('a phone booking answers 200 with a sentence the agent can say, and nothing is written', async () => {
    expect((await retell('book_appointment', { start: future(7, 9), name: 'Jane Roe' }, url)).status).toBe(
      200,
    );
    proxy.cut();
    const start = future(7, 10);
    const res = await retell('book_appointment', { start, name: 'Jane Roe' }, url);
    proxy.restore();
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('unavailable');
    expect(res.body.result).toMatch(/can't reach the booking system/);
    const rows = await h.testDb.db.query('SELECT id FROM appointments WHERE tenant_id = ? AND start_at = ?', [
      t.id,
      new Date(start),
    ]);
    expect(rows).toHaveLength(0);
  });
});
