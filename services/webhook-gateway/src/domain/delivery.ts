/**
 * Reads a webhook body as Cal.com sends it: `{triggerEvent, createdAt, payload}`.
 * Anything else (invalid UTF-8, not JSON, not that object, a booking payload of
 * the wrong shape) is malformed.
 */
import {
  BOOKING_TRIGGERS,
  calcomWebhookBookingSchema,
  calcomWebhookSchema,
  type BookingTrigger,
  type CalcomWebhookBooking,
} from '@calsync/contracts';

export type ParsedDelivery =
  | { kind: 'ping'; trigger: 'PING'; createdAt: string }
  | { kind: 'booking'; trigger: BookingTrigger; createdAt: string; payload: CalcomWebhookBooking }
  | { kind: 'unknown'; trigger: string; createdAt: string };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function isBookingTrigger(t: string): t is BookingTrigger {
  return (BOOKING_TRIGGERS as readonly string[]).includes(t);
}

export function parseDelivery(raw: Buffer): ParsedDelivery | null {
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(raw));
  } catch {
    return null;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json) || !('payload' in json)) return null;
  const envelope = calcomWebhookSchema.safeParse(json);
  if (!envelope.success) return null;
  const { triggerEvent: trigger, createdAt, payload } = envelope.data;
  if (trigger === 'PING') return { kind: 'ping', trigger, createdAt };
  if (!isBookingTrigger(trigger)) return { kind: 'unknown', trigger, createdAt };
  const booking = calcomWebhookBookingSchema.safeParse(payload);
  if (!booking.success) return null;
  return { kind: 'booking', trigger, createdAt, payload: booking.data };
}
