/**
 * One Cal.com budget per API key (SPEC §6.7, issue 8): booking-api's reads (the
 * review view's live versions, the phone agent's slots) and calcom-sync's
 * pushes draw on the same per-tenant budget counted in `calcom_rate_usage`.
 * The sandbox enforces the tenant's limit (5 calls per 2 s here; production's
 * 120 per 60 s works the same way): together they never draw a 429.
 */
import { createCalcomSandbox, type CalcomSandbox } from '@calsync/calcom-sandbox';
import type { AppointmentRow } from '@calsync/db';
import { createLogger } from '@calsync/platform';
import { waitFor } from '@calsync/testkit';
import type { CalcomSyncApp } from '../../calcom-sync/src/app';
import { addOpenAccount, checkAvailability, startCalcomSync } from './calcom-helpers';
import { createTenant, startBookingApi, type Harness, type TestTenant } from './harness';
import { adminCreate, slot } from './inbound-helpers';

jest.setTimeout(90_000);

const LIMIT = 5;
const WINDOW_MS = 2000;
let sandbox: CalcomSandbox;
let h: Harness;
let calcomSync: CalcomSyncApp;
let t: TestTenant;

beforeAll(async () => {
  sandbox = await createCalcomSandbox({
    logger: createLogger({ service: 'sandbox', level: 'error' }),
    rateLimit: { limit: LIMIT, windowMs: WINDOW_MS, blockMs: WINDOW_MS },
  });
  h = await startBookingApi({
    env: { CALCOM_API_URL: sandbox.url, CALCOM_TIMEOUT_MS: '2000', CALCOM_RATE_WINDOW_MS: String(WINDOW_MS) },
  });
  calcomSync = await startCalcomSync(h, sandbox.url, {
    CALCOM_TIMEOUT_MS: '2000',
    CALCOM_RATE_WINDOW_MS: String(WINDOW_MS),
  });
  t = await createTenant(h, { rateLimitPerMinute: LIMIT });
  addOpenAccount(sandbox, t);
});
afterAll(async () => {
  await calcomSync.stop();
  await h.close();
  await sandbox.close();
});

const review = () => h.http('GET', `/v1/tenants/${t.id}/sync/review`, { token: t.adminToken });

const synced = (ids: string[]) =>
  waitFor(
    async () => {
      const rows = await h.testDb.db.query<AppointmentRow>(
        `SELECT * FROM appointments WHERE tenant_id = ? AND sync_status = 'synced'`,
        [t.id],
      );
      return ids.every((id) => rows.some((r) => r.id === id));
    },
    { what: 'calcom-sync to push every appointment', timeoutMs: 60_000 },
  );

it("booking-api's reads and calcom-sync's pushes share the tenant's budget: no 429, every call counted", async () => {
  // calcom-sync books four appointments in Cal.com; then they are held in review without a
  // stored Cal.com version, so every review view reads each of them live.
  const first = [];
  for (let i = 0; i < 4; i++) first.push((await adminCreate(h, t, slot(i))).id);
  await synced(first);
  await h.testDb.db.execute(
    `UPDATE appointments SET requires_manual_review = 1, manual_review_flagged_at = NOW(3),
       manual_review_reason = 'conflict', sync_status = 'failed' WHERE tenant_id = ?`,
    [t.id],
  );

  // While calcom-sync pushes four more, the admin and the phone agent read Cal.com.
  const more = [];
  for (let i = 0; i < 4; i++) more.push((await adminCreate(h, t, slot(10 + i))).id);
  const reads = await Promise.all([
    review(),
    checkAvailability(h, t),
    review(),
    checkAvailability(h, t),
    review(),
  ]);
  for (const r of reads) expect(r.status).toBe(200);
  await synced(more);
  // Once calcom-sync is idle, the budget has room for the admin's live reads.
  await waitFor(
    async () => ((await review()).body.items as { calcom: unknown }[]).some((i) => i.calcom !== null),
    { what: 'a live Cal.com version in the review view', timeoutMs: 20_000 },
  );

  const calls = sandbox.calls({ kind: 'api' });
  expect(calls.filter((c) => c.status === 429)).toEqual([]);
  // booking-api's reads reached Cal.com (within the budget), beside calcom-sync's creates.
  expect(calls.some((c) => c.route === 'get' || c.route === 'slots')).toBe(true);
  expect(calls.filter((c) => c.route === 'create').length).toBeGreaterThanOrEqual(8);
  // Every request that reached Cal.com, whichever service made it, was counted in the shared budget.
  const [usage] = await h.testDb.db.query<{ used: number | string | null }>(
    'SELECT SUM(used) AS used FROM calcom_rate_usage WHERE tenant_id = ?',
    [t.id],
  );
  expect(Number(usage?.used)).toBe(calls.length);
});
