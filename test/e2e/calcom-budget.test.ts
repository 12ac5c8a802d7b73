/**
 * One Cal.com budget per API key (SPEC §6.7, issue 8): booking-api's reads (the
 * review view's live versions, the phone agent's slots) and calcom-sync's pushes,
 * two processes, draw on the same per-tenant budget counted in `calcom_rate_usage`.
 * The sandbox enforces the tenant's limit (5 calls per 2 s here; production's 120
 * per 60 s works the same way): together they never draw a 429.
 * (Moved from booking-api's test/calcom-budget.test.ts, which ran calcom-sync
 * in-process and put appointments in review by writing their rows.)
 */
import { randomUUID } from 'node:crypto';
import { retellSignature, waitFor } from '@calsync/testkit';
import { PATIENCE_MS, slot, startE2eSystem, type E2eSystem, type E2eTenant } from './system';

const LIMIT = 5;
const WINDOW_MS = 2000;
let sys: E2eSystem;
let t: E2eTenant;

beforeAll(async () => {
  sys = await startE2eSystem({
    sandbox: { rateLimit: { limit: LIMIT, windowMs: WINDOW_MS, blockMs: WINDOW_MS } },
    env: { CALCOM_RATE_WINDOW_MS: String(WINDOW_MS) },
  });
  const day = [{ start: '00:00', end: '23:30' }];
  t = await sys.addTenant({
    // No webhooks: what the customer does on Cal.com's page stays unknown to us (below).
    webhook: false,
    account: { availability: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day } },
    rateLimitPerMinute: LIMIT,
  });
});
afterAll(() => sys?.close());

const admin = (method: string, path: string, body?: unknown) =>
  sys.api(method, `/v1/tenants/${t.id}${path}`, { token: t.adminToken, body });
const review = () => admin('GET', '/sync/review');

async function create(start: Date): Promise<string> {
  const res = await admin('POST', '/appointments', {
    eventTypeId: t.eventTypeId,
    start: start.toISOString(),
    customer: { name: 'Max Mustermann', email: 'max@example.com', timeZone: 'Europe/Berlin' },
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** The phone agent asks for a day's free times, signed as Retell signs. */
function checkAvailability(date = '2050-09-06') {
  const raw = JSON.stringify({
    name: 'check_availability',
    args: { date },
    call: { call_id: `call_${randomUUID()}`, from_number: '+4915112345678', to_number: '+493012345678' },
  });
  return sys.api('POST', `/v1/tenants/${t.id}/retell/functions/check_availability`, {
    raw,
    headers: {
      'content-type': 'application/json',
      'x-retell-signature': retellSignature(raw, t.retellApiKey),
    },
  });
}

/** Waits until every id is listed with `query` (the list reads our database only, never Cal.com). */
const listed = (ids: string[], query: string, what: string) =>
  waitFor(
    async () => {
      const items = (await admin('GET', `/appointments?limit=200&${query}`)).body.items as { id: string }[];
      return ids.every((id) => items.some((a) => a.id === id));
    },
    { what, timeoutMs: PATIENCE_MS, intervalMs: 250 },
  );

it("booking-api's reads and calcom-sync's pushes share the tenant's budget: no 429, every call counted", async () => {
  // calcom-sync books four appointments in Cal.com.
  const first = [];
  for (let i = 0; i < 4; i++) first.push(await create(slot(i)));
  await listed(first, 'syncStatus=synced', 'calcom-sync to push the first four');
  // Then they are held in review without a stored Cal.com version, so every review view reads each
  // of them live: a customer takes four other slots on Cal.com's page (unheard of here), the admin
  // moves the four there, and Cal.com refuses each move as taken.
  for (let i = 0; i < 4; i++) {
    await sys.sandbox.customer.book(t.calcomApiKey, {
      start: slot(20 + i).toISOString(),
      eventTypeId: t.eventTypeId,
      attendee: { name: 'Someone Else', email: 'else@example.com', timeZone: 'Europe/Berlin' },
    });
    const moved = await admin('POST', `/appointments/${first[i]}/reschedule`, {
      start: slot(20 + i).toISOString(),
    });
    expect(moved.status).toBe(200);
  }
  await listed(first, 'requiresManualReview=true', 'the four refused moves to be held in review');

  // While calcom-sync pushes four more, the admin and the phone agent read Cal.com.
  const more = [];
  for (let i = 0; i < 4; i++) more.push(await create(slot(10 + i)));
  const reads = await Promise.all([review(), checkAvailability(), review(), checkAvailability(), review()]);
  for (const r of reads) expect(r.status).toBe(200);
  await listed(more, 'syncStatus=synced', 'calcom-sync to push four more');
  // Once calcom-sync is idle, the budget has room for the admin's live reads.
  await waitFor(
    async () => ((await review()).body.items as { calcom: unknown }[]).some((i) => i.calcom !== null),
    { what: 'a live Cal.com version in the review view', timeoutMs: PATIENCE_MS },
  );

  const calls = sys.sandbox.calls({ kind: 'api' });
  expect(calls.filter((c) => c.status === 429)).toEqual([]);
  // booking-api's reads reached Cal.com (within the budget), beside calcom-sync's creates.
  expect(calls.some((c) => c.route === 'get' || c.route === 'slots')).toBe(true);
  expect(calls.filter((c) => c.route === 'create').length).toBeGreaterThanOrEqual(8);
  // Every request that reached Cal.com, whichever service made it, was counted in the shared budget.
  const [usage] = await sys.services.db.db.query<{ used: number | string | null }>(
    'SELECT SUM(used) AS used FROM calcom_rate_usage WHERE tenant_id = ?',
    [t.id],
  );
  expect(Number(usage?.used)).toBe(calls.length);
});
