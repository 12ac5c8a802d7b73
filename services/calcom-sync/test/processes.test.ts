/**
 * calcom-sync as real processes: killed with SIGKILL between Cal.com's 201 and
 * the database write (SPEC §6.3), and three replicas on one durable consumer
 * (§6.4). Short lock lease and ack wait so the crash test does not wait 60 s.
 */
import { waitFor, type SpawnedService } from '@calsync/testkit';
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
  spawnSync,
  waitForRow,
  type Harness,
} from './harness';

jest.setTimeout(90_000);

let h: Harness;
const procs: SpawnedService[] = [];

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  for (const p of procs) {
    p.kill('SIGKILL');
    await p.exited;
  }
  await h.close();
});

const CRASH_ENV = { LOG_LEVEL: 'info', SYNC_LOCK_SECONDS: '5', SYNC_ACK_WAIT_SECONDS: '4' };

async function stopGracefully(p: SpawnedService): Promise<number | string> {
  p.kill('SIGTERM');
  const code = await p.exited;
  procs.splice(procs.indexOf(p), 1);
  return code;
}

it('after a SIGKILL between Cal.com answering the create and the DB write, a restart links the one booking', async () => {
  const t = await addTenant(h);
  const doomed = await spawnSync(h, {
    ...CRASH_ENV,
    CALCOM_SYNC_FAILPOINT: 'after-create-response',
    SYNC_WORKER_ID: 'doomed',
  });
  procs.push(doomed);
  const id = await book(h, t, slot(0));
  expect(await doomed.exited).toBe('SIGKILL');
  procs.splice(procs.indexOf(doomed), 1);

  const orphan = await loadRow(h, id);
  expect(orphan.calcom_booking_uid).toBeNull();
  expect(orphan.sync_call_in_flight).toBe('create');
  expect(bookingsOf(h, t)).toHaveLength(1);

  const survivor = await spawnSync(h, { ...CRASH_ENV, SYNC_WORKER_ID: 'survivor' });
  procs.push(survivor);
  const row = await waitForRow(h, id, (r) => r.sync_status === 'synced', 'linked after restart', 30_000);
  const bookings = bookingsOf(h, t);
  expect(bookings).toHaveLength(1);
  expect(row.calcom_booking_uid).toBe(bookings[0]!.uid);
  expect(row.sync_call_in_flight).toBeNull();
  expect(callsOf(h, t, 'create')).toHaveLength(1); // looked up, never re-created
  expect(await stopGracefully(survivor)).toBe(0);
});

it('three replicas on one consumer: no duplicate booking, and each appointment ends in the right Cal.com state', async () => {
  const t = await addTenant(h);
  const replicas = await Promise.all(
    ['r1', 'r2', 'r3'].map((w) =>
      spawnSync(h, { LOG_LEVEL: 'info', SYNC_WORKER_ID: w, SYNC_CONCURRENCY: '8' }),
    ),
  );
  procs.push(...replicas);
  const n = 24;
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await book(h, t, slot(i * 2)));
  // Local changes racing the creates: every third rescheduled, every fourth cancelled.
  const expected = new Map<string, { status: 'booked' | 'cancelled'; start: Date }>();
  for (let i = 0; i < n; i++) {
    const id = ids[i]!;
    if (i % 4 === 3) {
      await cancel(h, id);
      expected.set(id, { status: 'cancelled', start: slot(i * 2) });
    } else if (i % 3 === 2) {
      await reschedule(h, id, slot(i * 2 + 1));
      expected.set(id, { status: 'booked', start: slot(i * 2 + 1) });
    } else expected.set(id, { status: 'booked', start: slot(i * 2) });
  }
  for (const id of ids) {
    await waitForRow(
      h,
      id,
      (r) => r.synced_version === r.version && r.sync_status !== 'pending',
      `settled ${id}`,
      40_000,
    );
  }
  const bookings = bookingsOf(h, t);
  for (const id of ids) {
    const row = await loadRow(h, id);
    const want = expected.get(id)!;
    const live = bookings.filter((b) => b.metadata.appointmentId === id && b.status === 'accepted');
    expect(row.requires_manual_review).toBe(0);
    if (want.status === 'booked') {
      expect(live).toHaveLength(1);
      expect(live[0]!.uid).toBe(row.calcom_booking_uid);
      expect(live[0]!.start.toISOString()).toBe(want.start.toISOString());
    } else {
      expect(live).toHaveLength(0);
    }
  }
  // Never two creates for one appointment.
  const creates = bookings.filter((b) => !b.rescheduledFromUid).map((b) => String(b.metadata.appointmentId));
  expect(new Set(creates).size).toBe(creates.length);
  // Work was shared: more than one replica made calls (each logs what it synced).
  await waitFor(() => replicas.filter((r) => r.output().includes('Synced to Cal.com')).length >= 2, {
    what: 'shared work',
  });
  const codes = await Promise.all(replicas.map((r) => stopGracefully(r)));
  expect(codes).toEqual([0, 0, 0]);
});
