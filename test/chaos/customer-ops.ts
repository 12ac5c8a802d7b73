/** A customer on the tenant's Cal.com page (the sandbox): book, cancel, reschedule. */
import type { SandboxBooking } from '@calsync/calcom-sandbox';
import { listAppointments } from './client';
import type { OpRecord } from './history';
import type { Draw, World } from './ops';
import type { Tenant } from './tenants';

/** Leans towards the newest: those are the ones whose sync may still be in flight. */
export const at = <T>(items: T[], frac: number): T | undefined =>
  items[Math.floor(Math.sqrt(frac) * items.length)];

export const liveBookings = (w: World, t: Tenant): SandboxBooking[] =>
  w.sb
    .bookings({ apiKey: t.calcomKey })
    .filter((b) => b.status === 'accepted' || b.status === 'pending')
    .sort((a, b) => a.id - b.id);

export async function customerOp(
  w: World,
  n: number,
  d: Draw,
  rec: (r: Partial<OpRecord> & { status: number; outcome: string }) => OpRecord,
  attendee: { name: string; email: string; timeZone: string },
): Promise<OpRecord> {
  const t = d.tenant;
  const outcomeOf = (err: unknown) => (err instanceof Error ? err.message.slice(0, 80) : String(err));
  if (d.kind === 'book') {
    try {
      const b = await w.sb.customer.book(t.calcomKey, {
        start: d.slot,
        eventTypeId: d.eventTypeId,
        attendee,
      });
      return rec({
        newUid: b.uid,
        start: d.slot,
        eventTypeId: d.eventTypeId,
        customerName: attendee.name,
        status: 201,
        outcome: 'booked',
      });
    } catch (err) {
      return rec({ start: d.slot, eventTypeId: d.eventTypeId, status: 400, outcome: outcomeOf(err) });
    }
  }
  const target = at(liveBookings(w, t), d.target);
  if (!target) return rec({ kind: `${d.kind} (nothing to act on)`, status: -1, outcome: 'skipped' });
  // What the appointment showed just before the customer acted: a conflict needs an unsynced
  // local change then (or one made after, before the webhook landed). Unknown when the API is away.
  const list = await listAppointments(w.apiUrl(), t.id, t.adminToken);
  const owner = list?.find(
    (a) => a.sync.calcomBookingUid === target.uid || a.id === target.metadata.appointmentId,
  );
  const appointmentId = owner?.id ?? (target.metadata.appointmentId as string | undefined);
  const ownerSyncAtOp = list ? (owner?.sync.status ?? 'none') : 'unknown';
  try {
    if (d.kind === 'cancel') {
      await w.sb.customer.cancel(target.uid, 'chaos customer');
      return rec({ uid: target.uid, appointmentId, ownerSyncAtOp, status: 200, outcome: 'cancelled' });
    }
    const b = await w.sb.customer.reschedule(target.uid, d.slot);
    return rec({
      uid: target.uid,
      newUid: b.uid,
      appointmentId,
      ownerSyncAtOp,
      start: d.slot,
      eventTypeId: target.eventTypeId,
      status: 201,
      outcome: 'rescheduled',
    });
  } catch (err) {
    return rec({ uid: target.uid, appointmentId, start: d.slot, status: 400, outcome: outcomeOf(err) });
  }
}
