/**
 * Versioned payloads. A typed map from event type to schema means a subject and
 * its payload cannot drift apart. Producers parse, consumers safeParse.
 */
import { z } from 'zod';
import { appointmentStatusSchema, isoInstantSchema, originSchema, tenantIdSchema } from './common';
import { APPOINTMENT_EVENTS, SYNC_OUTCOMES, type AppointmentEventName } from './topology';

export const customerSchema = z.object({
  name: z.string(),
  email: z.string().nullable().optional(),
  phone: z.string().nullable().optional(),
  timeZone: z.string(),
});

export const appointmentSnapshotSchema = z.object({
  id: z.uuid(),
  tenantId: tenantIdSchema,
  eventTypeId: z.number().int(),
  start: isoInstantSchema,
  end: isoInstantSchema,
  status: appointmentStatusSchema,
  customer: customerSchema,
  notes: z.string().nullable().optional(),
});
export type AppointmentSnapshot = z.infer<typeof appointmentSnapshotSchema>;

export const appointmentEventV1Schema = z.object({
  version: z.literal(1),
  eventId: z.string().min(1),
  event: z.enum(APPOINTMENT_EVENTS),
  tenantId: tenantIdSchema,
  appointmentId: z.uuid(),
  origin: originSchema,
  /** When the change was committed: the start of sync latency. */
  occurredAt: isoInstantSchema,
  appointment: appointmentSnapshotSchema,
  previousStart: isoInstantSchema.optional(),
  reason: z.string().max(2000).optional(),
});
export type AppointmentEventV1 = z.infer<typeof appointmentEventV1Schema>;

export function appointmentEventType(event: AppointmentEventName): `appointment.${AppointmentEventName}` {
  return `appointment.${event}`;
}

/** Booking fields of a Cal.com webhook payload (calcom/FACTS.md); everything else passes through. */
export const calcomWebhookBookingSchema = z.looseObject({
  uid: z.string().min(1).optional(),
  bookingId: z.number().int().optional(),
  eventTypeId: z.number().int().nullable().optional(),
  startTime: z.string().optional(),
  endTime: z.string().optional(),
  status: z.string().optional(),
  title: z.string().optional(),
  length: z.number().optional(),
  attendees: z
    .array(
      z.looseObject({
        name: z.string().optional(),
        email: z.string().optional(),
        timeZone: z.string().optional(),
        phoneNumber: z.string().nullable().optional(),
      }),
    )
    .optional(),
  metadata: z.record(z.string(), z.unknown()).nullable().optional(),
  responses: z.record(z.string(), z.unknown()).nullable().optional(),
  cancellationReason: z.string().nullable().optional(),
  rescheduleUid: z.string().nullable().optional(),
  rescheduleId: z.number().int().nullable().optional(),
});
export type CalcomWebhookBooking = z.infer<typeof calcomWebhookBookingSchema>;

export const BOOKING_TRIGGERS = [
  'BOOKING_CREATED',
  'BOOKING_REQUESTED',
  'BOOKING_RESCHEDULED',
  'BOOKING_CANCELLED',
  'BOOKING_REJECTED',
] as const;
export const bookingTriggerSchema = z.enum(BOOKING_TRIGGERS);
export type BookingTrigger = z.infer<typeof bookingTriggerSchema>;

/** The webhook body as Cal.com sends it. */
export const calcomWebhookSchema = z.object({
  triggerEvent: z.string().min(1),
  createdAt: z.string().min(1),
  payload: z.unknown(),
});

export const calcomInboundEventV1Schema = z.object({
  version: z.literal(1),
  /** sha256 of the raw body: the delivery's identity for de-duplication. */
  deliveryId: z.string().regex(/^[0-9a-f]{64}$/),
  tenantId: tenantIdSchema,
  trigger: bookingTriggerSchema,
  createdAt: z.string(),
  receivedAt: isoInstantSchema,
  payload: calcomWebhookBookingSchema,
});
export type CalcomInboundEventV1 = z.infer<typeof calcomInboundEventV1Schema>;

export const SYNC_ACTIONS = ['create', 'cancel', 'reschedule', 'none'] as const;
export type SyncAction = (typeof SYNC_ACTIONS)[number];

export const syncResultV1Schema = z.object({
  version: z.literal(1),
  tenantId: tenantIdSchema,
  appointmentId: z.uuid(),
  outcome: z.enum(SYNC_OUTCOMES),
  action: z.enum(SYNC_ACTIONS),
  /** Outbox id of the event that was being processed, when there was one. */
  sourceEventId: z.string().optional(),
  calcomBookingUid: z.string().nullable().optional(),
  errorCode: z.string().nullable().optional(),
  errorMessage: z.string().nullable().optional(),
  attempts: z.number().int().nonnegative(),
  occurredAt: isoInstantSchema,
});
export type SyncResultV1 = z.infer<typeof syncResultV1Schema>;
