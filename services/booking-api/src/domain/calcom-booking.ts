/**
 * Pure helpers of the inbound applier: what a Cal.com webhook payload says, in
 * our terms. No I/O, unit tested beside this file.
 */
import {
  E164_PATTERN,
  type AppointmentStatus,
  type BookingTrigger,
  type CalcomWebhookBooking,
} from '@calsync/contracts';
import { canonicalTimeZone } from '@calsync/platform';

export type InboundKind = 'create' | 'reschedule' | 'cancel';

/** A reschedule of a needs-confirmation event type arrives as BOOKING_REQUESTED (or CREATED once confirmed). */
export function kindOf(trigger: BookingTrigger, p: CalcomWebhookBooking): InboundKind {
  switch (trigger) {
    case 'BOOKING_CREATED':
    case 'BOOKING_REQUESTED':
      return p.rescheduleUid ? 'reschedule' : 'create';
    case 'BOOKING_RESCHEDULED':
      return 'reschedule';
    case 'BOOKING_CANCELLED':
    case 'BOOKING_REJECTED':
      return 'cancel';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Our appointment id when the booking was created by us (FACTS: metadata carries over on reschedule). */
export function ourAppointmentId(p: CalcomWebhookBooking): string | null {
  const v = p.metadata?.appointmentId;
  return typeof v === 'string' && UUID.test(v) ? v.toLowerCase() : null;
}

export function parseInstant(v: string | undefined | null): Date | null {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Start and end of the booking; end falls back to `length`, then the event type's length. */
export function timesOf(
  p: CalcomWebhookBooking,
  eventTypeLengthMinutes: number,
): { start: Date; end: Date } | null {
  const start = parseInstant(p.startTime);
  if (!start) return null;
  let end = parseInstant(p.endTime);
  if (!end || end <= start) {
    const minutes = p.length && p.length > 0 ? p.length : eventTypeLengthMinutes;
    end = new Date(start.getTime() + minutes * 60_000);
  }
  return { start, end };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface InboundCustomer {
  name: string;
  email: string | null;
  phone: string | null;
  timeZone: string;
}

/** attendees[0], cleaned to what the appointments table accepts; unusable values become null. */
export function customerOf(p: CalcomWebhookBooking, tenantTimeZone: string): InboundCustomer {
  const a = p.attendees?.[0];
  const name = (a?.name ?? '').trim().slice(0, 200) || 'Cal.com booking';
  const email = a?.email && a.email.length <= 254 && EMAIL.test(a.email) ? a.email : null;
  // Cal.com gives phone-only attendees a placeholder address; the phone is the real contact then.
  const phone = a?.phoneNumber && E164_PATTERN.test(a.phoneNumber) ? a.phoneNumber : null;
  const timeZone = (a?.timeZone && canonicalTimeZone(a.timeZone)) || tenantTimeZone;
  return { name, email, phone, timeZone };
}

export function statusOf(p: CalcomWebhookBooking): AppointmentStatus {
  const s = (p.status ?? '').toLowerCase();
  return s === 'cancelled' || s === 'rejected' ? 'cancelled' : 'booked';
}

/**
 * The Cal.com side of a review item, in API v2 booking shape (as GET /v2/bookings/{uid}
 * answers), so the review queue shows stored and live versions alike.
 */
export interface CalcomVersion {
  uid: string;
  id: number | null;
  status: string;
  start: string;
  end: string;
  eventTypeId: number | null;
  title?: string | undefined;
  attendees: unknown[];
  metadata: Record<string, unknown>;
  rescheduledFromUid?: string | undefined;
  cancellationReason?: string | null | undefined;
  /** Where this version came from: the webhook that caused the review. */
  source: { trigger: BookingTrigger; receivedAt: string };
}

export function versionFromWebhook(
  trigger: BookingTrigger,
  receivedAt: string,
  p: CalcomWebhookBooking,
  times: { start: Date; end: Date } | null,
): CalcomVersion {
  return {
    uid: p.uid ?? '',
    id: p.bookingId ?? null,
    status: (p.status ?? (statusOf(p) === 'cancelled' ? 'cancelled' : 'accepted')).toLowerCase(),
    start: times?.start.toISOString() ?? p.startTime ?? '',
    end: times?.end.toISOString() ?? p.endTime ?? '',
    eventTypeId: p.eventTypeId ?? null,
    title: p.title,
    attendees: p.attendees ?? [],
    metadata: p.metadata ?? {},
    ...(p.rescheduleUid ? { rescheduledFromUid: p.rescheduleUid } : {}),
    ...(p.cancellationReason !== undefined ? { cancellationReason: p.cancellationReason } : {}),
    source: { trigger, receivedAt },
  };
}

/** What keep-calcom applies: the essentials of a stored or live Cal.com booking. */
export interface CalcomState {
  uid: string;
  id: number | null;
  start: Date;
  end: Date;
  status: AppointmentStatus;
}

/** Reads a stored review snapshot or a live API booking; null when it lacks what we need. */
export function calcomStateOf(v: unknown): CalcomState | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  const uid = typeof o.uid === 'string' && o.uid ? o.uid : null;
  const start = parseInstant(typeof o.start === 'string' ? o.start : null);
  const end = parseInstant(typeof o.end === 'string' ? o.end : null);
  if (!uid || !start || !end) return null;
  const status = typeof o.status === 'string' ? o.status.toLowerCase() : '';
  return {
    uid,
    id: typeof o.id === 'number' ? o.id : null,
    start,
    end,
    status: status === 'cancelled' || status === 'rejected' ? 'cancelled' : 'booked',
  };
}
