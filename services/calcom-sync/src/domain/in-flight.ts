/**
 * Exactly-once effect (SPEC §6.3): a Cal.com call whose outcome was never
 * recorded (crash, timeout, 5xx, lost answer) is looked up before anything is
 * retried. This file gathers what Cal.com holds; the sync-state machine's
 * `judgeLookup` decides what it proves (a successor elsewhere is a customer's
 * reschedule, not ours).
 */
import { CalcomApiError } from '@calsync/calcom-client';
import type { InFlightCall, LookedUp, LookupFinding } from '@calsync/sync-state';
import { judgeLookup } from '@calsync/sync-state';
import type { AppointmentRow } from '@calsync/db';
import { isCancelled, type CalcomGateway, type HeldBooking } from './calcom-port';

const HOUR = 3600_000;

export function lookedUp(b: HeldBooking): LookedUp {
  return {
    uid: b.uid,
    bookingId: b.id,
    start: b.start,
    status: isCancelled(b) ? 'cancelled' : 'booked',
    rescheduledToUid: b.rescheduledToUid,
  };
}

/** The booking as the review view shows it (API v2 shape, ISO times). */
export function snapshotOf(b: HeldBooking): Record<string, unknown> {
  return {
    uid: b.uid,
    id: b.id,
    status: b.status,
    start: b.start.toISOString(),
    end: b.end.toISOString(),
    eventTypeId: b.eventTypeId,
    attendees: b.attendees,
    metadata: b.metadata,
    rescheduledFromUid: b.rescheduledFromUid ?? undefined,
    source: { lookup: true },
  };
}

async function getOrNull(gw: CalcomGateway, uid: string): Promise<HeldBooking | null> {
  try {
    return await gw.get(uid);
  } catch (err) {
    if (err instanceof CalcomApiError && err.kind === 'not_found') return null;
    throw err;
  }
}

/** Throws what the gateway throws; the caller classifies it like any failed call. */
export async function lookUp(
  gw: CalcomGateway,
  row: AppointmentRow,
  call: InFlightCall,
): Promise<LookupFinding> {
  if (call.action === 'create') {
    const found = await gw.findByAppointmentId(
      Number(row.event_type_id),
      new Date(call.start.getTime() - HOUR),
      new Date(call.start.getTime() + 24 * HOUR),
      row.id,
    );
    return judgeLookup(call, { created: found.map(lookedUp) });
  }
  const from = call.fromUid ? await getOrNull(gw, call.fromUid) : null;
  const successor = from?.rescheduledToUid ? await getOrNull(gw, from.rescheduledToUid) : null;
  const seen = successor ?? from;
  return judgeLookup(
    call,
    { from: from && lookedUp(from), successor: successor && lookedUp(successor) },
    seen ? snapshotOf(seen) : null,
  );
}
