/**
 * What the sync rules need from Cal.com, for one tenant. The adapter in
 * src/calcom/ implements it with @calsync/calcom-client behind the tenant's
 * rate limiter and circuit breaker; tests of the rules can pass a fake.
 */

/**
 * A booking as Cal.com holds it, in the sync rules' terms: times as Dates, absent ids and
 * links null. (The wire shape is @calsync/calcom-client's CalcomBooking; the adapter converts.)
 */
export interface HeldBooking {
  uid: string;
  id: number | null;
  /** Lower case as API v2 reports it: accepted, pending, cancelled, rejected. */
  status: string;
  start: Date;
  end: Date;
  eventTypeId: number | null;
  attendees: {
    name: string;
    email?: string | undefined;
    timeZone?: string | undefined;
    phoneNumber?: string | undefined;
  }[];
  metadata: Record<string, unknown>;
  rescheduledFromUid: string | null;
  rescheduledToUid: string | null;
  updatedAt: Date | null;
}

export interface CreateBookingInput {
  eventTypeId: number;
  start: Date;
  attendee: { name: string; timeZone: string; email?: string; phoneNumber?: string };
  metadata: Record<string, string | number | boolean>;
}

export interface CalcomGateway {
  create(input: CreateBookingInput): Promise<HeldBooking>;
  get(uid: string): Promise<HeldBooking>;
  cancel(uid: string, reason: string): Promise<void>;
  reschedule(uid: string, start: Date, reason: string | undefined): Promise<HeldBooking>;
  /** Bookings we created for `appointmentId` (metadata.appointmentId) starting within [from, to]. */
  findByAppointmentId(
    eventTypeId: number,
    from: Date,
    to: Date,
    appointmentId: string,
  ): Promise<HeldBooking[]>;
  /** One page of bookings updated after `since`, oldest update first. */
  listUpdatedSince(
    since: Date | null,
    skip: number,
    take: number,
  ): Promise<{ items: HeldBooking[]; hasMore: boolean }>;
}

export const isCancelled = (b: Pick<HeldBooking, 'status'>) =>
  b.status === 'cancelled' || b.status === 'rejected';
