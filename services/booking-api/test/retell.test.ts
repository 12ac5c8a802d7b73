/**
 * The phone agent's functions as far as booking-api alone answers them: signed
 * requests against booking-api and the Cal.com sandbox's slots. Whatever needs
 * calcom-sync to book in Cal.com (confirmed, taken, pending, cancel, reschedule,
 * DST bookings) is tested end to end with the services as processes:
 * test/e2e/retell.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { createCalcomSandbox, type CalcomSandbox } from '@calsync/calcom-sandbox';
import type { AppointmentRow } from '@calsync/db';
import { createLogger } from '@calsync/platform';
import { waitFor } from '@calsync/testkit';
import { signRetell } from '../src/domain/retell/signature';
import { createTenant, OPERATOR_TOKEN, startBookingApi, type Harness, type TestTenant } from './harness';

const CALLER = '+4915112345678';

let h: Harness;
let sandbox: CalcomSandbox;

beforeAll(async () => {
  sandbox = await createCalcomSandbox({ logger: createLogger({ service: 'sandbox', level: 'error' }) });
  h = await startBookingApi({ env: { CALCOM_API_URL: sandbox.url, CALCOM_TIMEOUT_MS: '2000' } });
});
afterAll(async () => {
  await h.close();
  await sandbox.close();
});

/** A tenant in booking-api plus its Cal.com account (open every day 09:00–17:00 Berlin). */
async function tenant(): Promise<TestTenant> {
  const t = await createTenant(h);
  const day = [{ start: '09:00', end: '17:00' }];
  sandbox.addAccount({
    apiKey: t.calcomApiKey,
    eventTypes: [{ id: t.eventTypeId, title: 'Beratung', lengthInMinutes: 30 }],
    timeZone: 'Europe/Berlin',
    availability: {
      mon: day,
      tue: day,
      wed: day,
      thu: day,
      fri: day,
      sat: day,
      sun: [{ start: '00:00', end: '23:30' }],
    },
  });
  return t;
}

interface CallOpts {
  /** Signature override: null = none; a function = sign yourself. */
  sign?: null | ((raw: string) => string);
}

function retell(t: TestTenant, name: string, args: object, o: CallOpts = {}) {
  const raw = JSON.stringify({
    name,
    args,
    call: {
      call_id: `call_${randomUUID()}`,
      call_type: 'phone_call',
      direction: 'inbound',
      from_number: CALLER,
      to_number: '+493012345678',
    },
  });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const signature = o.sign === undefined ? signRetell(raw, t.retellApiKey, Date.now()) : o.sign?.(raw);
  if (signature) headers['x-retell-signature'] = signature;
  return h.http('POST', `/v1/tenants/${t.id}/retell/functions/${name}`, { raw, headers });
}

const rowsOf = (t: TestTenant) =>
  h.testDb.db.query<AppointmentRow>('SELECT * FROM appointments WHERE tenant_id = ? ORDER BY created_at', [
    t.id,
  ]);

describe('signatures, tenants and arguments', () => {
  it('refuses stale, forged, tampered and missing signatures with 401 and changes nothing', async () => {
    const t = await tenant();
    const args = { start: '2050-09-09T09:00', name: 'Mallory' };
    const stale = await retell(t, 'book_appointment', args, {
      sign: (raw) => signRetell(raw, t.retellApiKey, Date.now() - 6 * 60_000),
    });
    const forged = await retell(t, 'book_appointment', args, {
      sign: (raw) => signRetell(raw, 'key_guessed', Date.now()),
    });
    const tampered = await retell(t, 'book_appointment', args, {
      sign: (raw) => signRetell(raw.replace('Mallory', 'Alice'), t.retellApiKey, Date.now()),
    });
    const missing = await retell(t, 'book_appointment', args, { sign: null });
    for (const res of [stale, forged, tampered, missing]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: { code: 'unauthorized', message: 'Missing or invalid Retell signature' },
      });
    }
    // Another tenant's valid signature does not open this tenant's path.
    const other = await tenant();
    const cross = await retell(t, 'book_appointment', args, {
      sign: (raw) => signRetell(raw, other.retellApiKey, Date.now()),
    });
    expect(cross.status).toBe(401);
    expect(await rowsOf(t)).toHaveLength(0);
  });

  it('refuses a tenant without a Retell key, answers 404 to an unknown function and explains missing arguments', async () => {
    const t = await tenant();
    const put = await h.http('PUT', `/v1/tenants/${t.id}`, {
      token: OPERATOR_TOKEN,
      body: {
        name: 'No phone',
        timeZone: 'Europe/Berlin',
        adminToken: t.adminToken,
        calcom: {
          apiKey: t.calcomApiKey,
          eventTypes: [{ id: t.eventTypeId, title: 'Beratung', lengthInMinutes: 30 }],
        },
      },
    });
    expect(put.status).toBe(200);
    await waitFor(
      async () => (await retell(t, 'check_availability', { date: '2050-09-05' })).status === 401,
      {
        what: 'tenant cache to expire',
        timeoutMs: 10_000,
      },
    );

    const u = await tenant();
    expect((await retell(u, 'delete_everything', {})).status).toBe(404);
    const missing = await retell(u, 'book_appointment', { start: '2050-09-05T09:00' });
    expect(missing.status).toBe(200);
    expect(missing.body).toEqual({ result: "I still need the caller's name.", error: 'invalid_arguments' });
    const nonsense = await retell(u, 'book_appointment', { start: 'next Tuesday', name: 'Jane' });
    expect(nonsense.body).toEqual({ result: 'I need a valid date and time.', error: 'invalid_arguments' });
  });
});

describe('times around the DST changes in Europe/Berlin', () => {
  it("02:30 on the spring-forward Sunday does not exist, and that night's free times skip the missing hour", async () => {
    const t = await tenant();
    const gap = await retell(t, 'book_appointment', { start: '2050-03-27T02:30', name: 'Jane' });
    expect(gap.body).toEqual({
      result:
        '2050-03-27T02:30 does not exist in Europe/Berlin: the clocks go forward that night. Please choose another time.',
      error: 'invalid_arguments',
    });

    const night = await retell(t, 'check_availability', { from: '2050-03-27T01:00', to: '2050-03-27T04:00' });
    expect(night.body.slots.map((s: { localStart: string }) => s.localStart)).toEqual([
      '2050-03-27T01:00',
      '2050-03-27T01:30',
      '2050-03-27T03:00',
      '2050-03-27T03:30',
    ]);
  });
});
