/**
 * Exactly-once effect (SPEC §6.3): a Cal.com call whose outcome was never
 * recorded (crash, timeout, 5xx) is looked up before anything is retried.
 * Cal.com has no idempotency key; our metadata.appointmentId is the key.
 */
import type { AppointmentStatus } from '@calsync/contracts';
import { isCancelled, type CalcomBooking } from './calcom-port';
import type { SyncDeps, SyncRow, Work } from './context';

const HOUR = 3600_000;

export type Resolution =
  /** The call happened: this is Cal.com's state now. */
  { happened: true; booking: CalcomBooking; status: AppointmentStatus } | { happened: false };

/** Throws what the gateway throws; the caller classifies it like any failed call. */
export async function lookUpInFlight(w: Work, row: SyncRow): Promise<Resolution> {
  const gw = w.gateway;
  switch (row.sync_call_in_flight) {
    case 'create': {
      const sent = row.sync_call_start_at ?? row.start_at;
      const found = await gw.findByAppointmentId(
        Number(row.event_type_id),
        new Date(sent.getTime() - HOUR),
        new Date(sent.getTime() + 24 * HOUR),
        row.id,
      );
      const live = found.find((b) => !isCancelled(b));
      const booking = live ?? found[0];
      if (!booking) return { happened: false };
      return { happened: true, booking, status: isCancelled(booking) ? 'cancelled' : 'booked' };
    }
    case 'reschedule': {
      if (!row.calcom_booking_uid) return { happened: false };
      const old = await gw.get(row.calcom_booking_uid);
      if (old.rescheduledToUid) {
        const next = await gw.get(old.rescheduledToUid);
        return { happened: true, booking: next, status: isCancelled(next) ? 'cancelled' : 'booked' };
      }
      // Cancelled in Cal.com without a successor: record it; the decision then sends it to review.
      if (isCancelled(old)) return { happened: true, booking: old, status: 'cancelled' };
      return { happened: false };
    }
    case 'cancel': {
      if (!row.calcom_booking_uid) return { happened: false };
      const b = await gw.get(row.calcom_booking_uid);
      return isCancelled(b) ? { happened: true, booking: b, status: 'cancelled' } : { happened: false };
    }
    case null:
    default:
      return { happened: false };
  }
}

/** Records a looked-up outcome. The attempt is counted unless a failure already counted it. */
export async function recordResolution(deps: SyncDeps, w: Work, row: SyncRow, r: Resolution): Promise<void> {
  const now = deps.clock.now();
  if (!r.happened) {
    await deps.repo.clearInFlight(w.tenant.id, row.id);
    deps.logger.info('In-flight Cal.com call did not happen; acting again', {
      ...w.log,
      action: row.sync_call_in_flight,
    });
    return;
  }
  const countAttempt = row.sync_error_code === null;
  await deps.repo.recordSuccess(w.tenant.id, row.id, {
    uid: r.booking.uid,
    bookingId: r.booking.id,
    lastSyncedStart: r.booking.start,
    lastSyncedStatus: r.status,
    version: row.version,
    countAttempt,
    verifiedAt: now,
    now,
  });
  await deps.repo.audit({
    tenantId: w.tenant.id,
    appointmentId: row.id,
    action: 'lookup',
    outcome: 'found',
    attempt: row.sync_attempts + (countAttempt ? 1 : 0),
    calcomBookingUid: r.booking.uid,
    worker: deps.workerId,
    at: now,
  });
  deps.logger.info('In-flight Cal.com call had happened; linked', {
    ...w.log,
    action: row.sync_call_in_flight,
    calcomBookingUid: r.booking.uid,
  });
  if (
    row.sync_call_in_flight === 'create' ||
    row.sync_call_in_flight === 'reschedule' ||
    row.sync_call_in_flight === 'cancel'
  ) {
    w.lastAction = row.sync_call_in_flight;
  }
  w.confirmed = true;
}
