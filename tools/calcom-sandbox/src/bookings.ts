/**
 * What Cal.com does when a booking is created, cancelled or rescheduled —
 * through the API (host key) or by a customer on the booking page. Each
 * operation changes state and delivers its webhook before it returns, as
 * Cal.com does before answering.
 */
import type { Clock } from '@calsync/platform';
import type { Account, SandboxBooking } from './types';
import type { CreateBookingBody, RescheduleBookingBody } from './validation';
import { badRequest, notFound, SandboxHttpError, slotTaken } from './errors';
import { isBusy, overlaps, withinWorkingHours } from './slots';
import { newUid, type Store } from './store';
import { bookingPayload, type WebhookSender } from './webhooks';

export type Actor = 'host' | 'customer';

export interface BookingService {
  create(account: Account, body: CreateBookingBody, actor: Actor): Promise<SandboxBooking>;
  cancel(account: Account, uid: string, reason: string | undefined, actor: Actor): Promise<SandboxBooking>;
  reschedule(
    account: Account,
    uid: string,
    body: RescheduleBookingBody,
    actor: Actor,
  ): Promise<SandboxBooking>;
  confirm(account: Account, uid: string): Promise<SandboxBooking>;
  reject(account: Account, uid: string, reason?: string): Promise<SandboxBooking>;
  find(account: Account, uid: string): SandboxBooking;
}

function locationOf(loc: CreateBookingBody['location']): string {
  if (loc === undefined) return 'integrations:daily';
  if (typeof loc === 'string') return loc;
  for (const k of ['location', 'address', 'phone', 'link'] as const) {
    const v = loc[k];
    if (typeof v === 'string') return v;
  }
  if (typeof loc.integration === 'string') return `integrations:${loc.integration}`;
  return loc.type;
}

export function createBookingService(deps: {
  store: Store;
  webhooks: WebhookSender;
  clock: Clock;
}): BookingService {
  const { store, webhooks, clock } = deps;
  /** Bookings created but not yet answered: a second create that overlaps one is Cal.com's 409 race. */
  const inFlight = new Set<SandboxBooking>();

  const eventTypeOf = (account: Account, body: CreateBookingBody) => {
    if (body.eventTypeId !== undefined) {
      const et = account.eventTypes.find((e) => e.id === body.eventTypeId);
      // Real Cal.com lets any key book any public event type; the sandbox keeps
      // accounts apart so cross-tenant mistakes show up as 404.
      if (!et) throw notFound(`Event type with id=${body.eventTypeId} not found`);
      return et;
    }
    if (body.eventTypeSlug && body.username === account.username) {
      const et = account.eventTypes.find((e) => e.slug === body.eventTypeSlug);
      if (et) return et;
    }
    if (!body.eventTypeSlug)
      throw badRequest('Either eventTypeId or eventTypeSlug + username must be provided');
    throw notFound(`Event type with slug=${body.eventTypeSlug} not found`);
  };

  /** Host must be free (any event type of the account) and inside working hours. */
  const assertBookable = (account: Account, start: Date, end: Date, ignoreUid?: string) => {
    if (start < clock.now()) throw badRequest('Attempting to book a meeting in the past.');
    const others = store.ofAccount(account.id).filter((b) => b.uid !== ignoreUid && isBusy(b));
    const clash = others.filter((b) => overlaps(b, start, end));
    if (clash.some((b) => inFlight.has(b) && b.start.getTime() === start.getTime()))
      throw new SandboxHttpError(409, 'Booking for this time slot is already being created', 'internal');
    if (clash.length || !withinWorkingHours(account, start, end)) throw slotTaken();
  };

  const find = (account: Account, uid: string) => {
    const b = store.get(uid);
    if (!b || b.accountId !== account.id) throw notFound(`Booking with uid=${uid} not found`);
    return b;
  };

  return {
    find,

    async create(account, body, actor) {
      const et = eventTypeOf(account, body);
      if (body.lengthInMinutes !== undefined && body.lengthInMinutes !== et.lengthInMinutes)
        throw badRequest(
          `Can't specify 'lengthInMinutes' because event type with id=${et.id} does not have multiple possible lengths. Please, remove the 'lengthInMinutes' field from the request.`,
        );
      const start = new Date(body.start);
      const end = new Date(start.getTime() + et.lengthInMinutes * 60_000);
      assertBookable(account, start, end);
      const now = clock.now();
      const a = body.attendee;
      const booking: SandboxBooking = {
        id: store.nextId(),
        uid: newUid(),
        accountId: account.id,
        eventTypeId: et.id,
        title: `${et.title} between ${account.name} and ${a.name}`,
        description: '',
        status: et.requiresConfirmation ? 'pending' : 'accepted',
        start,
        end,
        attendees: [
          {
            name: a.name,
            // Cal.com invents an address for phone-only attendees.
            email: a.email ?? `${(a.phoneNumber ?? '').replace(/\D/g, '')}@sms.cal.com`,
            timeZone: a.timeZone,
            ...(a.phoneNumber ? { phoneNumber: a.phoneNumber } : {}),
            language: a.language ?? 'en',
            absent: false,
          },
        ],
        guests: body.guests ?? [],
        location: locationOf(body.location),
        metadata: body.metadata ?? {},
        bookingFieldsResponses: body.bookingFieldsResponses ?? {},
        createdAt: now,
        updatedAt: now,
        source: actor === 'host' ? 'api' : 'customer',
      };
      store.put(booking);
      inFlight.add(booking);
      try {
        const trigger = booking.status === 'pending' ? 'BOOKING_REQUESTED' : 'BOOKING_CREATED';
        await webhooks.send(account, trigger, bookingPayload(trigger, account, booking));
      } finally {
        inFlight.delete(booking);
      }
      return booking;
    },

    async cancel(account, uid, reason, actor) {
      const b = find(account, uid);
      if (b.status === 'cancelled' || b.status === 'rejected')
        throw badRequest(`Booking with uid=${uid} is already cancelled.`);
      if (actor === 'host' && !reason?.trim())
        throw badRequest('Cancellation reason is required when you are the host');
      const cancelledBy = actor === 'host' ? account.email : b.attendees[0]?.email;
      const snapshot: SandboxBooking = {
        ...b,
        status: 'cancelled',
        cancellationReason: reason,
        cancelledByEmail: cancelledBy,
      };
      // Cal.com sends the webhook before it marks the row cancelled.
      await webhooks.send(
        account,
        'BOOKING_CANCELLED',
        bookingPayload('BOOKING_CANCELLED', account, snapshot, { cancelledBy }),
      );
      Object.assign(b, {
        status: 'cancelled',
        cancellationReason: reason,
        cancelledByEmail: cancelledBy,
        updatedAt: clock.now(),
      });
      return b;
    },

    async reschedule(account, uid, body, actor) {
      const old = find(account, uid);
      if (old.rescheduledToUid)
        throw badRequest(
          `Can't reschedule booking with uid=${uid}: it was already rescheduled to booking with uid=${old.rescheduledToUid}.`,
        );
      if (old.status === 'cancelled' || old.status === 'rejected')
        throw badRequest(`Can't reschedule booking with uid=${uid} because it has been cancelled.`);
      const et = account.eventTypes.find((e) => e.id === old.eventTypeId);
      const length = et?.lengthInMinutes ?? (old.end.getTime() - old.start.getTime()) / 60_000;
      const start = new Date(body.start);
      const end = new Date(start.getTime() + length * 60_000);
      assertBookable(account, start, end, old.uid);
      const now = clock.now();
      const byOwner = body.rescheduledBy !== undefined && body.rescheduledBy === account.email;
      const fresh: SandboxBooking = {
        ...old,
        id: store.nextId(),
        uid: newUid(),
        status: et?.requiresConfirmation && !byOwner ? 'pending' : 'accepted',
        start,
        end,
        attendees: old.attendees.map((a) => ({ ...a })),
        metadata: { ...old.metadata },
        createdAt: now,
        updatedAt: now,
        rescheduledFromUid: old.uid,
        rescheduledToUid: undefined,
        cancellationReason: undefined,
        cancelledByEmail: undefined,
        reschedulingReason: body.reschedulingReason,
        rescheduledByEmail:
          body.rescheduledBy ?? (actor === 'host' ? account.email : old.attendees[0]?.email),
      };
      store.put(fresh);
      Object.assign(old, { status: 'cancelled', rescheduledToUid: fresh.uid, updatedAt: now });
      const trigger = fresh.status === 'pending' ? 'BOOKING_REQUESTED' : 'BOOKING_RESCHEDULED';
      await webhooks.send(
        account,
        trigger,
        bookingPayload(trigger, account, fresh, {
          rescheduledFrom: old,
          rescheduledBy: fresh.rescheduledByEmail,
        }),
      );
      return fresh;
    },

    async confirm(account, uid) {
      const b = find(account, uid);
      if (b.status !== 'pending') throw badRequest(`Booking with uid=${uid} is not pending.`);
      Object.assign(b, { status: 'accepted', updatedAt: clock.now() });
      await webhooks.send(account, 'BOOKING_CREATED', bookingPayload('BOOKING_CREATED', account, b));
      return b;
    },

    async reject(account, uid, reason) {
      const b = find(account, uid);
      if (b.status !== 'pending') throw badRequest(`Booking with uid=${uid} is not pending.`);
      Object.assign(b, { status: 'rejected', cancellationReason: reason, updatedAt: clock.now() });
      await webhooks.send(account, 'BOOKING_REJECTED', bookingPayload('BOOKING_REJECTED', account, b));
      return b;
    },
  };
}
