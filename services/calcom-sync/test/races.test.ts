/**
 * Issue 8's sequences, each against real MariaDB, NATS and the Cal.com sandbox:
 * what a lost answer, a lookup or a customer's change in Cal.com may and may
 * not prove. Each of these ended in a silent divergence before the sync state
 * had one owner (libs/sync-state).
 */
import type { CalcomSyncApp } from '../src/app';
import {
  addTenant,
  book,
  bookingsOf,
  callsOf,
  cancel,
  createHarness,
  loadRow,
  reschedule,
  slot,
  startApp,
  waitForRow,
  type Harness,
} from './harness';

jest.setTimeout(60_000);

let h: Harness;
let app: CalcomSyncApp | undefined;

beforeAll(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await app?.stop();
  app = undefined;
  h.sandbox.clearFaults();
});
afterAll(async () => {
  await h.close();
});

it('#1 a create whose answer was lost, then cancelled locally: the lookup records the CALL version and the cancel still reaches Cal.com', async () => {
  // A retry delay long enough to cancel locally between the lost answer and the lookup.
  app = await startApp(h, { SYNC_RETRY_DELAYS_MS: '1500,1500,1500' });
  const t = await addTenant(h);
  h.sandbox.injectFault({ route: 'create', mode: 'drop-after-commit', times: 1, apiKey: t.apiKey });
  const id = await book(h, t, slot(0));
  await waitForRow(h, id, (r) => r.sync_error_code !== null, 'the failed (answer lost) create recorded');
  expect(bookingsOf(h, t)).toHaveLength(1); // Cal.com did create it
  await cancel(h, id);

  const row = await waitForRow(
    h,
    id,
    (r) => r.sync_status === 'synced' && r.synced_version >= 2,
    'cancel synced',
  );
  const [booking] = bookingsOf(h, t);
  expect(booking?.status).toBe('cancelled');
  expect(row).toMatchObject({
    status: 'cancelled',
    last_synced_status: 'cancelled',
    calcom_booking_uid: booking!.uid,
  });
  expect(callsOf(h, t, 'create').filter((c) => c.status === 201 || c.status === 0)).toHaveLength(1);
});

it("#2 a customer's reschedule is not taken for ours: the lookup proves our call only when Cal.com holds what we asked for", async () => {
  app = await startApp(h);
  const t = await addTenant(h);
  const id = await book(h, t, slot(20));
  const first = await waitForRow(h, id, (r) => r.sync_status === 'synced', 'create synced');
  // The customer moves it on Cal.com; the webhook is lost (the harness has no webhook receiver).
  const theirs = await h.sandbox.customer.reschedule(first.calcom_booking_uid!, slot(40).toISOString());
  // An admin moves it locally somewhere else: our reschedule of the old uid can no longer happen.
  await reschedule(h, id, slot(25));

  const row = await waitForRow(h, id, (r) => r.requires_manual_review === 1, 'conflict flagged');
  expect(row).toMatchObject({
    sync_status: 'failed',
    sync_error_code: 'conflict',
    manual_review_reason: 'conflict',
    calcom_booking_uid: theirs.uid,
    sync_call_in_flight: null,
  });
  expect(row.last_synced_start_at?.toISOString()).toBe(slot(40).toISOString());
  expect(row.start_at.toISOString()).toBe(slot(25).toISOString()); // ours is kept for the human
  // Never "synced" at 25 while Cal.com holds 40, and no second booking was made.
  expect(
    bookingsOf(h, t)
      .filter((b) => b.status === 'accepted')
      .map((b) => b.uid),
  ).toEqual([theirs.uid]);
});

it.each([
  ['whose answer was lost after Cal.com did it', 'drop-after-commit' as const, 60],
  ['that Cal.com did but answered 500', 'status-after-commit' as const, 64],
])('#4 a reschedule %s is looked up, never sent twice', async (_what, mode, at) => {
  app = await startApp(h);
  const t = await addTenant(h);
  const id = await book(h, t, slot(at));
  await waitForRow(h, id, (r) => r.sync_status === 'synced', 'create synced');
  h.sandbox.injectFault({ route: 'reschedule', mode, status: 500, times: 1, apiKey: t.apiKey });
  await reschedule(h, id, slot(at + 2));

  const row = await waitForRow(
    h,
    id,
    (r) => r.sync_status === 'synced' && r.synced_version >= 2,
    'reschedule synced',
  );
  const accepted = bookingsOf(h, t).filter((b) => b.status === 'accepted');
  expect(accepted.map((b) => b.uid)).toEqual([row.calcom_booking_uid]);
  expect(accepted[0]!.start.toISOString()).toBe(slot(at + 2).toISOString());
  expect(callsOf(h, t, 'reschedule')).toHaveLength(1);
  expect(await loadRow(h, id)).toMatchObject({ requires_manual_review: 0, sync_call_in_flight: null });
});
