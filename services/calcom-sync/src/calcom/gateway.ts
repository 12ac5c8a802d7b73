/**
 * The CalcomGateway of one tenant: the tenant's budgeted client from
 * @calsync/calcom-access (every HTTP request, paged lookups too, takes a slot in
 * the tenant's window and in the budget shared with every replica and with
 * booking-api; every operation runs through the tenant's circuit breaker),
 * shaped as the sync rules' port.
 */
import { CalcomApiError, type CalcomBooking } from '@calsync/calcom-client';
import { createTenantCalcom, type TenantCalcomOptions } from '@calsync/calcom-access';
import type { TenantRecord } from '@calsync/db';
import type { CalcomGateway, HeldBooking } from '../domain/calcom-port';

export type GatewayFactoryOptions = TenantCalcomOptions;

export function toHeldBooking(b: CalcomBooking): HeldBooking {
  return {
    uid: b.uid,
    id: b.id,
    status: b.status,
    start: new Date(b.start),
    end: new Date(b.end),
    attendees: b.attendees.map((a) => ({
      name: a.name,
      email: a.email,
      timeZone: a.timeZone,
      phoneNumber: a.phoneNumber,
    })),
    eventTypeId: b.eventTypeId,
    metadata: b.metadata,
    rescheduledFromUid: b.rescheduledFromUid ?? null,
    rescheduledToUid: b.rescheduledToUid ?? null,
    updatedAt: b.updatedAt ? new Date(b.updatedAt) : null,
  };
}

export function createGatewayFactory(opts: GatewayFactoryOptions) {
  const calcom = createTenantCalcom(opts);

  function gatewayFor(tenant: TenantRecord): CalcomGateway {
    const client = calcom.clientFor(tenant);
    return {
      create: (i) =>
        client
          .createBooking({
            eventTypeId: i.eventTypeId,
            start: i.start,
            attendee: i.attendee,
            metadata: i.metadata,
          })
          .then(toHeldBooking),
      async get(uid) {
        const b = await client.getBooking(uid);
        if (!b)
          throw new CalcomApiError(
            404,
            'NotFoundException',
            `Booking ${uid} not found`,
            'not_found',
            'getBooking',
          );
        return toHeldBooking(b);
      },
      cancel: (uid, reason) => client.cancelBooking(uid, reason).then(() => undefined),
      reschedule: (uid, start, reason) =>
        client.rescheduleBooking(uid, reason ? { start, reason } : { start }).then(toHeldBooking),
      findByAppointmentId: (eventTypeId, from, to, appointmentId) =>
        client
          .findBookingsByMetadata(
            eventTypeId,
            { afterStart: from, beforeEnd: to },
            'appointmentId',
            appointmentId,
          )
          .then((l) => l.map(toHeldBooking)),
      async listUpdatedSince(since, skip, take) {
        const page = await client.listBookings({
          ...(since ? { afterUpdatedAt: since } : {}),
          sortUpdatedAt: 'asc',
          skip,
          take,
        });
        return { items: page.bookings.map(toHeldBooking), hasMore: page.pagination.hasNextPage };
      },
    };
  }

  return { gatewayFor, probe: calcom.probe };
}
