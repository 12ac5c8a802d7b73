/**
 * calcom-sync against real MariaDB, real NATS and the Cal.com sandbox: every
 * local change reaches Cal.com exactly once, Cal.com's own changes never go
 * back, and failures end in the right place (SPEC §6.1, §6.3–6.5).
 */
import { createLogCapture, waitFor } from '@calsync/testkit';
import type { CalcomSyncApp } from '../src/app';
import { LOOP_PREVENTION_LOG } from '../src/domain/sync-appointment';
import {
  addTenant,
  attemptsAudit,
  book,
  bookingsOf,
  callsOf,
  cancel,
  createHarness,
  loadRow,
  reschedule,
  slot,
  startApp,
  touch,
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
});
afterAll(async () => {
  await h.close();
});

const synced = (version: number) => (r: { synced_version: number; sync_status: string }) =>
  r.synced_version >= version && r.sync_status === 'synced';

describe('calcom-sync pushes local changes to Cal.com', () => {
  it('creates, reschedules and cancels in Cal.com exactly once each, and keeps the new uid after a reschedule', async () => {
    app = await startApp(h);
    const t = await addTenant(h);
    const id = await book(h, t, slot(0));
    const created = await waitForRow(h, id, synced(1), 'create synced');
    expect(created.calcom_booking_uid).toBeTruthy();
    expect(created.sync_attempts).toBe(1);
    const [b1] = bookingsOf(h, t);
    expect(b1).toMatchObject({ uid: created.calcom_booking_uid, status: 'accepted' });
    expect(b1!.metadata).toMatchObject({ appointmentId: id, tenantId: t.id });

    await reschedule(h, id, slot(3));
    const moved = await waitForRow(h, id, synced(2), 'reschedule synced');
    expect(moved.calcom_booking_uid).not.toBe(created.calcom_booking_uid);
    const fresh = bookingsOf(h, t).find((b) => b.uid === moved.calcom_booking_uid)!;
    expect(fresh.start.toISOString()).toBe(slot(3).toISOString());
    expect(fresh.rescheduledFromUid).toBe(created.calcom_booking_uid);
    expect(String(moved.calcom_booking_id)).toBe(String(fresh.id));

    await cancel(h, id);
    const gone = await waitForRow(h, id, synced(3), 'cancel synced');
    expect(gone.last_synced_status).toBe('cancelled');
    expect(bookingsOf(h, t).find((b) => b.uid === moved.calcom_booking_uid)!.status).toBe('cancelled');

    // A duplicate delivery of an old event changes nothing.
    await touch(h, id, 'booked', 'admin');
    await new Promise((r) => setTimeout(r, 500));
    expect(callsOf(h, t, 'create')).toHaveLength(1);
    expect(callsOf(h, t, 'reschedule')).toHaveLength(1);
    expect(callsOf(h, t, 'cancel')).toHaveLength(1);
    expect(bookingsOf(h, t)).toHaveLength(2); // the original (cancelled by the reschedule) and its successor
  });

  it('never calls Cal.com for an event whose origin is calcom, and says so in the log', async () => {
    const logs = createLogCapture('info');
    app = await startApp(h, { LOG_LEVEL: 'info' }, logs.logger('calcom-sync'));
    const t = await addTenant(h);
    const id = await book(h, t, slot(1), 'calcom');
    await touch(h, id, 'rescheduled', 'calcom');
    await touch(h, id, 'cancelled', 'calcom');
    const lines = await waitFor3(() =>
      logs.lines().filter((l) => l.message === LOOP_PREVENTION_LOG && l.appointmentId === id),
    );
    expect(lines[0]).toMatchObject({ tenant: t.id, appointmentId: id, origin: 'calcom' });
    expect(typeof lines[0]!.traceId).toBe('string');
    expect(callsOf(h, t)).toHaveLength(0);
    expect((await loadRow(h, id)).sync_status).toBe('pending'); // untouched: the inbound applier owns it
    expect(await app.metrics.registry.getSingleMetricAsString('sync_loop_prevented_total')).toMatch(/ 3$/m);
    logs.assertNoneOf([t.apiKey, 'jane@example.com']);
  });

  it('makes no Cal.com call for an update Cal.com cannot take (notes), and marks the version synced', async () => {
    app = await startApp(h);
    const t = await addTenant(h);
    const id = await book(h, t, slot(2));
    await waitForRow(h, id, synced(1), 'created');
    await h.db.db.execute(
      `UPDATE appointments SET notes = 'bring x-rays', version = version + 1, sync_status = 'pending' WHERE id = ?`,
      [id],
    );
    await touch(h, id, 'updated', 'admin');
    await waitForRow(h, id, synced(2), 'update synced');
    expect(callsOf(h, t).map((c) => c.route)).toEqual(['create']);
  });

  it('ends cancelled in Cal.com when a reschedule and a cancel follow each other within 50 ms', async () => {
    app = await startApp(h);
    const t = await addTenant(h);
    const id = await book(h, t, slot(4));
    await waitForRow(h, id, synced(1), 'created');
    await reschedule(h, id, slot(6));
    await new Promise((r) => setTimeout(r, 20));
    await cancel(h, id);
    const row = await waitForRow(h, id, synced(3), 'cancel synced');
    expect(row.last_synced_status).toBe('cancelled');
    const live = bookingsOf(h, t).filter((b) => b.status !== 'cancelled');
    expect(live).toHaveLength(0);
    expect(callsOf(h, t, 'create')).toHaveLength(1);
    expect(callsOf(h, t, 'cancel')).toHaveLength(1);
  });

  it('skips an appointment cancelled before it ever reached Cal.com', async () => {
    const t = await addTenant(h);
    const id = await book(h, t, slot(5));
    await cancel(h, id);
    app = await startApp(h);
    await waitForRow(h, id, (r) => r.sync_status === 'skipped' && r.synced_version === 2, 'skipped');
    expect(callsOf(h, t)).toHaveLength(0);
  });
});

describe('calcom-sync when Cal.com fails', () => {
  it('retries two injected 500s after 1 s and 5 s and then syncs, with 3 attempts', async () => {
    app = await startApp(h, { SYNC_RETRY_DELAYS_MS: '1000,5000,30000' }); // the production delays
    const t = await addTenant(h);
    h.sandbox.injectFault({ route: 'create', mode: 'status', status: 500, times: 2, apiKey: t.apiKey });
    const started = Date.now();
    const id = await book(h, t, slot(7));
    const row = await waitForRow(h, id, synced(1), 'synced after retries', 30_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(5500);
    expect(row.sync_attempts).toBe(3);
    expect(row.requires_manual_review).toBe(0);
    expect(bookingsOf(h, t)).toHaveLength(1); // the lookups before each retry found nothing, so no duplicate
    // The audit row of the success is written just after the row turns synced.
    const creates = await waitFor(async () => {
      const rows = (await attemptsAudit(h, id)).filter((a) => a.action === 'create');
      return rows.length >= 3 ? rows : undefined;
    });
    expect(creates.map((a) => a.outcome)).toEqual(['retryable_error', 'retryable_error', 'success']);
  });

  it('gives up after the fourth failure: failed, in the review queue, and a `failed` result is published', async () => {
    app = await startApp(h);
    const t = await addTenant(h);
    h.sandbox.injectFault({ route: 'create', mode: 'status', status: 500, times: 4, apiKey: t.apiKey });
    const results: string[] = [];
    const sub = h.nats.nc.subscribe(
      h.nats.topology.subjects.syncResult(t.id, '*', 'failed').replace('.*.failed', '.*.*'),
    );
    void (async () => {
      for await (const m of sub) results.push(m.subject);
    })();
    const id = await book(h, t, slot(8));
    const row = await waitForRow(h, id, (r) => r.sync_status === 'failed', 'failed');
    expect(row).toMatchObject({
      requires_manual_review: 1,
      sync_attempts: 4,
      manual_review_reason: 'retries_exhausted',
      sync_error_code: 'calcom_500',
    });
    expect(row.manual_review_flagged_at).toBeTruthy();
    expect(callsOf(h, t, 'create')).toHaveLength(4);
    await waitFor3(() => results.filter((s) => s.endsWith(`${id}.failed`)));
    sub.unsubscribe();
  });

  it('sends a slot already taken in Cal.com to review after one attempt', async () => {
    app = await startApp(h);
    const t = await addTenant(h);
    await h.sandbox.customer.book(t.apiKey, {
      start: slot(9).toISOString(),
      eventTypeId: t.eventTypeId,
      attendee: { name: 'Walk In', email: 'walk@example.com', timeZone: 'Europe/Berlin' },
    });
    const id = await book(h, t, slot(9));
    const row = await waitForRow(h, id, (r) => r.requires_manual_review === 1, 'review');
    expect(row).toMatchObject({
      sync_status: 'failed',
      sync_attempts: 1,
      manual_review_reason: 'slot_taken',
    });
    expect(callsOf(h, t, 'create')).toHaveLength(1);
  });
});

async function waitFor3<T>(fn: () => T[]): Promise<T[]> {
  const until = Date.now() + 10_000;
  for (;;) {
    const v = fn();
    if (v.length) return v;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
