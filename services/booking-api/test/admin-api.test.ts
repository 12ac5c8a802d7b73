import { waitFor } from '@calsync/testkit';
import { sha256Hex } from '@calsync/platform';
import { stableStringify } from '../src/http/idempotency';
import {
  createTenant,
  customer,
  future,
  startBookingApi,
  streamMessages,
  OPERATOR_TOKEN,
  type Harness,
  type TestTenant,
} from './harness';

let h: Harness;
let a: TestTenant;
let b: TestTenant;

beforeAll(async () => {
  h = await startBookingApi();
  a = await createTenant(h);
  b = await createTenant(h);
});
afterAll(async () => {
  await h.close();
});

const path = (t: TestTenant, p = '') => `/v1/tenants/${t.id}/appointments${p}`;
const create = (t: TestTenant, start: string, extra: object = {}, headers?: Record<string, string>) =>
  h.http('POST', path(t), {
    token: t.adminToken,
    body: { eventTypeId: t.eventTypeId, start, customer, ...extra },
    headers,
  });

async function eventsFor(appointmentId: string, count: number) {
  return waitFor(
    async () => {
      const all = (await streamMessages(h.nats)).filter((m) => m.data.appointmentId === appointmentId);
      return all.length >= count ? all : null;
    },
    { what: `${count} events for ${appointmentId}` },
  );
}

describe('admin actions publish exactly the right events', () => {
  it('create publishes one appointment.booked with the SPEC headers and origin admin', async () => {
    const res = await create(a, future(3, 9));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      tenantId: a.id,
      status: 'booked',
      origin: 'admin',
      sync: { status: 'pending', attempts: 0, requiresManualReview: false },
    });
    expect(res.body.end).toBe(new Date(Date.parse(res.body.start) + 30 * 60_000).toISOString());
    const [evt, ...rest] = await eventsFor(res.body.id, 1);
    expect(rest).toHaveLength(0);
    expect(evt!.subject).toBe(`${h.nats.namespace}.appointments.${a.id}.${res.body.id}.booked`);
    expect(evt!.headers).toMatchObject({
      'Sync-Origin': 'admin',
      'Tenant-Id': a.id,
      'Event-Type': 'appointment.booked',
      'Event-Version': '1',
    });
    expect(evt!.headers['Nats-Msg-Id']).toBe(evt!.data.eventId);
    expect(evt!.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(evt!.data.appointment).toMatchObject({ id: res.body.id, start: res.body.start, status: 'booked' });
  });

  it('patch without a time change publishes appointment.updated and leaves the sync state alone', async () => {
    const { body: appt } = await create(a, future(3, 10));
    const res = await h.http('PATCH', path(a, `/${appt.id}`), {
      token: a.adminToken,
      body: { notes: 'bring x-rays' },
    });
    expect(res.status).toBe(200);
    expect(res.body.notes).toBe('bring x-rays');
    const events = await eventsFor(appt.id, 2);
    expect(events.map((e) => e.headers['Event-Type'])).toEqual(['appointment.booked', 'appointment.updated']);
    expect(events.every((e) => e.headers['Sync-Origin'] === 'admin')).toBe(true);
  });

  it('patch with a time change publishes appointment.rescheduled with the previous start', async () => {
    const { body: appt } = await create(a, future(3, 11));
    const newStart = future(3, 12);
    const res = await h.http('PATCH', path(a, `/${appt.id}`), {
      token: a.adminToken,
      body: { start: newStart },
    });
    expect(res.status).toBe(200);
    expect(res.body.start).toBe(newStart);
    const events = await eventsFor(appt.id, 2);
    expect(events[1]!.headers['Event-Type']).toBe('appointment.rescheduled');
    expect(events[1]!.data.previousStart).toBe(appt.start);
    expect(events[1]!.data.appointment.start).toBe(newStart);
  });

  it('reschedule publishes appointment.rescheduled; cancel publishes appointment.cancelled; both refuse a cancelled appointment', async () => {
    const { body: appt } = await create(a, future(4, 9));
    const re = await h.http('POST', path(a, `/${appt.id}/reschedule`), {
      token: a.adminToken,
      body: { start: future(4, 13), reason: 'doctor ill' },
    });
    expect(re.status).toBe(200);
    const cancel = await h.http('POST', path(a, `/${appt.id}/cancel`), {
      token: a.adminToken,
      body: { reason: 'customer called' },
    });
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe('cancelled');
    const events = await eventsFor(appt.id, 3);
    expect(events.map((e) => e.headers['Event-Type'])).toEqual([
      'appointment.booked',
      'appointment.rescheduled',
      'appointment.cancelled',
    ]);
    expect(events[2]!.data.reason).toBe('customer called');

    const again = await h.http('POST', path(a, `/${appt.id}/cancel`), { token: a.adminToken, body: {} });
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'already_cancelled' } } });
    const re2 = await h.http('POST', path(a, `/${appt.id}/reschedule`), {
      token: a.adminToken,
      body: { start: future(4, 14) },
    });
    expect(re2).toMatchObject({ status: 409, body: { error: { code: 'already_cancelled' } } });
    expect((await streamMessages(h.nats)).filter((m) => m.data.appointmentId === appt.id)).toHaveLength(3);
  });

  it('bulk cancel cancels each id, reports per-id codes and publishes one event per cancelled appointment', async () => {
    const x = (await create(a, future(5, 9))).body;
    const y = (await create(a, future(5, 10))).body;
    await h.http('POST', path(a, `/${y.id}/cancel`), { token: a.adminToken, body: {} });
    const missing = '00000000-0000-4000-8000-000000000000';
    const other = (await create(b, future(5, 9))).body;
    const res = await h.http('POST', path(a, '/bulk-cancel'), {
      token: a.adminToken,
      body: { ids: [x.id, y.id, missing, other.id], reason: 'closed' },
    });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { id: x.id, ok: true },
      { id: y.id, ok: false, error: 'already_cancelled' },
      { id: missing, ok: false, error: 'not_found' },
      { id: other.id, ok: false, error: 'not_found' },
    ]);
    const xs = await eventsFor(x.id, 2);
    expect(xs[1]!.headers['Event-Type']).toBe('appointment.cancelled');
    expect((await h.http('GET', path(b, `/${other.id}`), { token: b.adminToken })).body.status).toBe(
      'booked',
    );
  });
});

describe('the overlap check', () => {
  it('lets exactly one of 50 parallel creates of the same slot through', async () => {
    const start = future(6, 9);
    const results = await Promise.all(Array.from({ length: 50 }, () => create(a, start)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    expect(results.find((r) => r.status === 409)!.body.error.code).toBe('slot_taken');
    const [rows] = await h.testDb.db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM appointments WHERE tenant_id = ? AND start_at = ? AND status = 'booked'",
      [a.id, new Date(start)],
    );
    expect(Number(rows!.n)).toBe(1);
  });

  it('lets exactly one of parallel creates, reschedules and a patch into the same slot through', async () => {
    const target = future(6, 14);
    const movers = await Promise.all(Array.from({ length: 10 }, (_, i) => create(a, future(6, 15 + i))));
    expect(movers.map((m) => m.status)).toEqual(Array(10).fill(201));
    const results = await Promise.all([
      ...movers.slice(0, 8).map((m) =>
        h.http('POST', path(a, `/${m.body.id}/reschedule`), {
          token: a.adminToken,
          body: { start: target },
        }),
      ),
      h.http('PATCH', path(a, `/${movers[8]!.body.id}`), { token: a.adminToken, body: { start: target } }),
      ...Array.from({ length: 10 }, () => create(a, target)),
    ]);
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200 || s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(results.length - 1);
    const [rows] = await h.testDb.db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM appointments WHERE tenant_id = ? AND start_at = ? AND status = 'booked'",
      [a.id, new Date(target)],
    );
    expect(Number(rows!.n)).toBe(1);
  });

  it('refuses a partial overlap and allows back-to-back slots and a cancelled slot', async () => {
    const first = await create(a, future(7, 9));
    expect(first.status).toBe(201);
    expect((await create(a, future(7, 9, 15))).status).toBe(409);
    expect((await create(a, future(7, 9, 30))).status).toBe(201);
    await h.http('POST', path(a, `/${first.body.id}/cancel`), { token: a.adminToken, body: {} });
    expect((await create(a, future(7, 9))).status).toBe(201);
  });
});

describe('tenant isolation', () => {
  it("answers 403 to tenant A's token on tenant B's paths and changes nothing", async () => {
    const appt = (await create(b, future(8, 9))).body;
    await eventsFor(appt.id, 1);
    const before = (await streamMessages(h.nats)).length;
    const attempts = [
      await h.http('GET', path(b, `/${appt.id}`), { token: a.adminToken }),
      await h.http('GET', path(b), { token: a.adminToken }),
      await create({ ...b, adminToken: a.adminToken }, future(8, 10)),
      await h.http('PATCH', path(b, `/${appt.id}`), { token: a.adminToken, body: { notes: 'x' } }),
      await h.http('POST', path(b, `/${appt.id}/cancel`), { token: a.adminToken, body: {} }),
      await h.http('POST', path(b, `/${appt.id}/reschedule`), {
        token: a.adminToken,
        body: { start: future(8, 11) },
      }),
      await h.http('POST', path(b, '/bulk-cancel'), { token: a.adminToken, body: { ids: [appt.id] } }),
    ];
    for (const r of attempts)
      expect(r).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    const after = await h.http('GET', path(b, `/${appt.id}`), { token: b.adminToken });
    expect(after.body).toEqual(appt);
    expect((await h.http('GET', path(a, `/${appt.id}`), { token: a.adminToken })).status).toBe(404);
    await new Promise((r) => setTimeout(r, 200));
    expect((await streamMessages(h.nats)).length).toBe(before);
  });

  it('answers 401 without a token or with an unknown one', async () => {
    expect((await h.http('GET', path(a))).status).toBe(401);
    expect((await h.http('GET', path(a), { token: 'not-a-real-token-000000000000' })).status).toBe(401);
  });
});

describe('bad input gets a clear 400 and changes nothing', () => {
  const bad: [string, object][] = [
    ['no offset on start', { start: '2030-01-01T10:00:00' }],
    ['start in the past', { start: '2020-01-01T10:00:00Z' }],
    ['unknown property', { colour: 'red' }],
    ['unknown event type', { eventTypeId: 999999999 }],
    ['no email and no phone', { customer: { name: 'X', timeZone: 'Europe/Berlin' } }],
    ['bad email', { customer: { ...customer, email: 'not-an-email' } }],
    ['bad phone', { customer: { ...customer, phone: '0151 123' } }],
    ['bad time zone', { customer: { ...customer, timeZone: 'Mars/Olympus' } }],
    ['empty name', { customer: { ...customer, name: '' } }],
    ['notes too long', { notes: 'x'.repeat(2001) }],
    ['eventTypeId a string', { eventTypeId: '1' }],
  ];
  it.each(bad)('%s', async (_what, patch) => {
    const before = (await streamMessages(h.nats)).length;
    const [count] = await h.testDb.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM appointments');
    const res = await create(a, future(9, 9), patch);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(typeof res.body.error.message).toBe('string');
    const [after] = await h.testDb.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM appointments');
    expect(after!.n).toBe(count!.n);
    await new Promise((r) => setTimeout(r, 100));
    expect((await streamMessages(h.nats)).length).toBe(before);
  });

  it('rejects malformed JSON with 400 invalid_json', async () => {
    const res = await h.http('POST', path(a), {
      token: a.adminToken,
      raw: '{"eventTypeId": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });
  });

  it('rejects bad patch, reschedule, bulk-cancel and list input', async () => {
    const appt = (await create(a, future(9, 10))).body;
    expect((await h.http('PATCH', path(a, `/${appt.id}`), { token: a.adminToken, body: {} })).status).toBe(
      400,
    );
    expect(
      (await h.http('PATCH', path(a, `/${appt.id}`), { token: a.adminToken, body: { start: 'tomorrow' } }))
        .status,
    ).toBe(400);
    expect(
      (await h.http('POST', path(a, `/${appt.id}/reschedule`), { token: a.adminToken, body: {} })).status,
    ).toBe(400);
    expect(
      (await h.http('POST', path(a, '/bulk-cancel'), { token: a.adminToken, body: { ids: [] } })).status,
    ).toBe(400);
    expect(
      (
        await h.http('POST', path(a, '/bulk-cancel'), {
          token: a.adminToken,
          body: { ids: Array(501).fill(appt.id) },
        })
      ).status,
    ).toBe(400);
    expect((await h.http('GET', path(a, '?limit=500'), { token: a.adminToken })).status).toBe(400);
    expect((await h.http('GET', path(a, '?from=yesterday'), { token: a.adminToken })).status).toBe(400);
    expect((await h.http('GET', path(a, '?cursor=%%%'), { token: a.adminToken })).status).toBe(400);
    expect((await h.http('GET', path(a, '/not-a-uuid'), { token: a.adminToken })).status).toBe(404);
    expect((await h.http('GET', path(a, `/${appt.id}`), { token: a.adminToken })).body).toEqual(appt);
  });
});

describe('listing', () => {
  it('filters by window and status and pages with a cursor', async () => {
    const t = await createTenant(h);
    const starts = [1, 2, 3, 4, 5].map((hh) => future(20, 8 + hh));
    const made = [];
    for (const s of starts) made.push((await create(t, s)).body);
    await h.http('POST', `/v1/tenants/${t.id}/appointments/${made[4].id}/cancel`, {
      token: t.adminToken,
      body: {},
    });
    const page1 = await h.http('GET', `/v1/tenants/${t.id}/appointments?limit=2&status=booked`, {
      token: t.adminToken,
    });
    expect(page1.body.items.map((i: { id: string }) => i.id)).toEqual([made[0].id, made[1].id]);
    const page2 = await h.http(
      'GET',
      `/v1/tenants/${t.id}/appointments?limit=2&status=booked&cursor=${page1.body.nextCursor}`,
      { token: t.adminToken },
    );
    expect(page2.body.items.map((i: { id: string }) => i.id)).toEqual([made[2].id, made[3].id]);
    expect(page2.body.nextCursor).toBeNull();
    const windowed = await h.http(
      'GET',
      `/v1/tenants/${t.id}/appointments?from=${encodeURIComponent(starts[1]!)}&to=${encodeURIComponent(starts[3]!)}`,
      { token: t.adminToken },
    );
    expect(windowed.body.items.map((i: { id: string }) => i.id)).toEqual([made[1].id, made[2].id]);
    const pending = await h.http(
      'GET',
      `/v1/tenants/${t.id}/appointments?syncStatus=pending&requiresManualReview=false`,
      { token: t.adminToken },
    );
    expect(pending.body.items).toHaveLength(5);
  });
});

describe('Idempotency-Key', () => {
  it('replays the first response, rejects a different body with 422 and publishes once', async () => {
    const start = future(10, 9);
    const headers = { 'Idempotency-Key': 'create-abc-1' };
    const first = await create(a, start, {}, headers);
    const second = await create(a, start, {}, headers);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const other = await create(a, future(10, 10), {}, headers);
    expect(other).toMatchObject({ status: 422, body: { error: { code: 'idempotency_mismatch' } } });
    // same key, other tenant: its own scope
    const forB = await create(b, start, {}, headers);
    expect(forB.status).toBe(201);
    await eventsFor(first.body.id, 1);
    expect((await streamMessages(h.nats)).filter((m) => m.data.appointmentId === first.body.id)).toHaveLength(
      1,
    );
  });

  it('answers 409 to a repeat while the first is still running', async () => {
    await h.testDb.db.execute(
      "INSERT INTO idempotency_keys (tenant_id, scope, idem_key, request_hash, state, locked_until, expires_at, created_at) VALUES (?, 'create:', 'busy-key', ?, 'in_progress', ?, ?, ?)",
      [a.id, 'f'.repeat(64), new Date(Date.now() + 60_000), new Date(Date.now() + 86_400_000), new Date()],
    );
    // same body hash is irrelevant here: a different hash would be 422, so store the real one
    const body = { eventTypeId: a.eventTypeId, start: future(11, 9), customer };
    await h.testDb.db.execute('UPDATE idempotency_keys SET request_hash = ? WHERE idem_key = ?', [
      sha256Hex(stableStringify(body)),
      'busy-key',
    ]);
    const res = await h.http('POST', path(a), {
      token: a.adminToken,
      body,
      headers: { 'Idempotency-Key': 'busy-key' },
    });
    expect(res).toMatchObject({ status: 409, body: { error: { code: 'idempotency_in_progress' } } });
  });
});

describe('operator API', () => {
  it('creates (201), replaces (200) and reads a tenant without ever returning a secret', async () => {
    const body = {
      name: 'Salon',
      timeZone: 'Europe/Berlin',
      adminToken: 'salon-admin-token-0123456789',
      calcom: {
        apiKey: 'cal_live_salonsecretkey',
        webhookSecret: 'salon-webhook-secret',
        eventTypes: [{ id: 424242, title: 'Cut', lengthInMinutes: 45 }],
      },
    };
    const created = await h.http('PUT', '/v1/tenants/salon-1', { token: OPERATOR_TOKEN, body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 'salon-1',
      calcom: { apiKeySet: true, webhookSecretSet: true, rateLimitPerMinute: 120 },
      retell: { apiKeySet: false },
    });
    const replaced = await h.http('PUT', '/v1/tenants/salon-1', {
      token: OPERATOR_TOKEN,
      body: { ...body, name: 'Salon 2' },
    });
    expect(replaced.status).toBe(200);
    const read = await h.http('GET', '/v1/tenants/salon-1', { token: OPERATOR_TOKEN });
    expect(read.body.name).toBe('Salon 2');
    const text = JSON.stringify([created.body, replaced.body, read.body]);
    for (const secret of [body.adminToken, body.calcom.apiKey, body.calcom.webhookSecret])
      expect(text).not.toContain(secret);
    const [row] = await h.testDb.db.query<Record<string, string>>('SELECT * FROM tenants WHERE id = ?', [
      'salon-1',
    ]);
    expect(JSON.stringify(row)).not.toContain(body.calcom.apiKey);
    expect(JSON.stringify(row)).not.toContain(body.adminToken);
  });

  it('refuses a bad id, a bad body, a wrong token, and an event type owned by another tenant', async () => {
    const body = {
      name: 'X',
      timeZone: 'Europe/Berlin',
      adminToken: 'x'.repeat(24),
      calcom: { apiKey: 'k', eventTypes: [{ id: a.eventTypeId, title: 'T', lengthInMinutes: 30 }] },
    };
    expect((await h.http('PUT', '/v1/tenants/Bad_Id', { token: OPERATOR_TOKEN, body })).status).toBe(400);
    expect(
      (
        await h.http('PUT', '/v1/tenants/x1', {
          token: OPERATOR_TOKEN,
          body: { ...body, adminToken: 'short' },
        })
      ).status,
    ).toBe(400);
    expect(
      (await h.http('PUT', '/v1/tenants/x1', { token: 'wrong-operator-token-000000000', body })).status,
    ).toBe(401);
    expect((await h.http('PUT', '/v1/tenants/x1', { token: OPERATOR_TOKEN, body })).status).toBe(409);
    expect((await h.http('GET', '/v1/tenants/x1', { token: OPERATOR_TOKEN })).status).toBe(404);
  });
});

describe('health', () => {
  it('is live and ready, and exposes Prometheus metrics', async () => {
    expect((await h.http('GET', '/livez')).status).toBe(200);
    expect((await h.http('GET', '/readyz')).body).toEqual({ status: 'ready' });
    const m = await fetch(`${h.url}/metrics`).then((r) => r.text());
    expect(m).toContain('http_request_duration_seconds_bucket');
    expect(m).toMatch(/outbox_pending\{service="booking-api"\} \d+/);
    expect(m).toMatch(
      /events_published_total\{subject="[^"]*appointments\.\*\.\*\.booked",origin="admin",service="booking-api"\} \d+/,
    );
  });
});

describe('logs', () => {
  it('never contain a secret, a token or a customer e-mail', () => {
    expect(h.logs.text().length).toBeGreaterThan(0);
    h.logs.assertNoneOf([
      OPERATOR_TOKEN,
      a.adminToken,
      b.adminToken,
      a.calcomApiKey,
      a.webhookSecret,
      b.retellApiKey,
      customer.email,
      customer.phone,
      'cal_live_salonsecretkey',
      'salon-webhook-secret',
    ]);
  });
});
