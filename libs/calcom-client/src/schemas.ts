/** Shapes of Cal.com answers, loose so new Cal.com fields never break parsing. */
import { z } from 'zod';

export const metadataValue = z.union([z.string(), z.number(), z.boolean()]);

export const calcomAttendeeSchema = z.looseObject({
  name: z.string(),
  email: z.string().optional(),
  timeZone: z.string().optional(),
  phoneNumber: z.string().optional(),
  language: z.string().optional(),
});

export const calcomBookingSchema = z.looseObject({
  id: z.number(),
  uid: z.string(),
  title: z.string().optional(),
  status: z.enum(['accepted', 'pending', 'cancelled', 'rejected']),
  start: z.string(),
  end: z.string(),
  duration: z.number().optional(),
  eventTypeId: z.number(),
  metadata: z
    .record(z.string(), metadataValue)
    .nullish()
    .transform((m) => m ?? {}),
  attendees: z.array(calcomAttendeeSchema).default([]),
  location: z.string().nullish(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
  rescheduledFromUid: z.string().optional(),
  rescheduledToUid: z.string().optional(),
  cancellationReason: z.string().nullish(),
});
export type CalcomBooking = z.infer<typeof calcomBookingSchema>;

export const paginationSchema = z.looseObject({
  totalItems: z.number(),
  remainingItems: z.number(),
  returnedItems: z.number(),
  itemsPerPage: z.number(),
  currentPage: z.number(),
  totalPages: z.number(),
  hasNextPage: z.boolean(),
  hasPreviousPage: z.boolean(),
});
export type CalcomPagination = z.infer<typeof paginationSchema>;

export const bookingEnvelope = z.looseObject({ status: z.literal('success'), data: calcomBookingSchema });
export const bookingListEnvelope = z.looseObject({
  status: z.literal('success'),
  data: z.array(calcomBookingSchema),
  pagination: paginationSchema,
});

export const slotSchema = z.looseObject({ start: z.string(), end: z.string().optional() });
export type CalcomSlot = z.infer<typeof slotSchema>;
export const slotsEnvelope = z.looseObject({
  status: z.literal('success'),
  data: z.record(z.string(), z.array(slotSchema)),
});

/** `GET /v2/event-types` (2024-06-14): only what onboarding reads; Cal.com sends much more. */
export const eventTypeSchema = z.looseObject({
  id: z.number(),
  lengthInMinutes: z.number(),
  title: z.string(),
  slug: z.string().optional(),
});
export type CalcomEventType = z.infer<typeof eventTypeSchema>;
export const eventTypesEnvelope = z.looseObject({
  status: z.literal('success'),
  data: z.array(eventTypeSchema),
});

export const meSchema = z.looseObject({
  id: z.number(),
  username: z.string().nullish(),
  email: z.string(),
  timeZone: z.string().optional(),
});
export type CalcomMe = z.infer<typeof meSchema>;
export const meEnvelope = z.looseObject({ status: z.literal('success'), data: meSchema });

/**
 * A webhook subscription as Cal.com's code answers (FACTS.md errata: `id` a
 * uuid string, `triggers` an array, `payloadTemplate`/`secret` null when unset).
 */
export const webhookSchema = z.looseObject({
  id: z.string(),
  userId: z.number().nullish(),
  subscriberUrl: z.string(),
  active: z.boolean(),
  triggers: z.array(z.string()),
  payloadTemplate: z.string().nullable().optional(),
  secret: z.string().nullable().optional(),
});
export type CalcomWebhook = z.infer<typeof webhookSchema>;
export const webhookEnvelope = z.looseObject({ status: z.literal('success'), data: webhookSchema });
export const webhookListEnvelope = z.looseObject({
  status: z.literal('success'),
  data: z.array(webhookSchema),
});
