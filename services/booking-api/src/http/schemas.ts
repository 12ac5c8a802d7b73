/** Request bodies and queries (SPEC §4.1–4.2). Strict: unknown properties are a 400. */
import { z } from 'zod';
import { E164_PATTERN, APPOINTMENT_STATUSES, SYNC_STATUSES, isoInstantSchema } from '@calsync/contracts';
import { canonicalTimeZone } from '@calsync/platform';

/** Any spelling of a zone in, its canonical name out: only that is stored or sent to Cal.com. */
export const ianaZone = z
  .string()
  .max(64)
  .transform((zone, ctx) => {
    const canonical = canonicalTimeZone(zone);
    if (canonical) return canonical;
    ctx.addIssue({ code: 'custom', message: 'must be an IANA time zone such as Europe/Berlin' });
    return z.NEVER;
  });
export const e164 = z.string().regex(E164_PATTERN, 'must be E.164, e.g. +4915112345678');
export const email = z.email().max(254);
const instant = isoInstantSchema
  .meta({ description: 'ISO 8601 with an offset or `Z`, e.g. `2030-05-04T09:30:00+02:00`.' })
  .transform((v) => new Date(v));

export const tenantBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    timeZone: ianaZone,
    adminToken: z.string().min(24, 'must be at least 24 characters').max(256),
    calcom: z.strictObject({
      apiKey: z.string().min(1).max(512),
      /** Onboarding (SPEC §4.1): read the event types from Cal.com and register our webhook. */
      connect: z.literal(true).optional(),
      webhookSecret: z.string().min(1).max(512).optional(),
      eventTypes: z
        .array(
          z.strictObject({
            id: z.number().int().positive(),
            title: z.string().min(1).max(200),
            lengthInMinutes: z.number().int().min(1).max(1440),
          }),
        )
        .min(1)
        .max(100)
        .optional(),
      rateLimitPerMinute: z.number().int().min(2).max(100_000).default(120),
    }),
    retell: z.strictObject({ apiKey: z.string().min(1).max(512) }).optional(),
  })
  .superRefine((t, ctx) => {
    if (t.calcom.connect && (t.calcom.eventTypes || t.calcom.webhookSecret))
      ctx.addIssue({
        code: 'custom',
        path: ['calcom', 'connect'],
        message:
          'with connect, event types come from Cal.com and the webhook secret is generated: leave both out',
      });
    if (!t.calcom.connect && !t.calcom.eventTypes)
      ctx.addIssue({
        code: 'custom',
        path: ['calcom', 'eventTypes'],
        message: 'is required unless connect is true',
      });
  })
  .meta({ id: 'TenantInput' });

export const tenantListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(63).optional(),
});

export const parkedListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  tenantId: z.string().max(63).optional(),
  /** Also rows already re-driven. */
  all: z.enum(['true', 'false']).default('false'),
});

export const customerBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    email: email.optional(),
    phone: e164.optional(),
    timeZone: ianaZone,
  })
  .refine((c) => c.email !== undefined || c.phone !== undefined, {
    message: 'needs an email or a phone (Cal.com requires one)',
    path: ['email'],
  })
  .transform((c) => ({ name: c.name, email: c.email ?? null, phone: c.phone ?? null, timeZone: c.timeZone }))
  .meta({ id: 'CustomerInput', description: 'At least one of `email` and `phone` (Cal.com needs one).' });

export const createBody = z
  .strictObject({
    eventTypeId: z.number().int().positive(),
    start: instant,
    customer: customerBody,
    notes: z.string().max(2000).optional(),
  })
  .meta({ id: 'NewAppointment' });

export const patchBody = z
  .strictObject({
    start: instant.optional(),
    customer: customerBody.optional(),
    notes: z.string().max(2000).nullable().optional(),
  })
  .refine(
    (b) => b.start !== undefined || b.customer !== undefined || b.notes !== undefined,
    'nothing to change',
  )
  .meta({ id: 'AppointmentChange' });

export const cancelBody = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() });
export const rescheduleBody = z.strictObject({
  start: instant,
  reason: z.string().trim().min(1).max(500).optional(),
});
export const bulkCancelBody = z.strictObject({
  ids: z.array(z.string().min(1).max(64)).min(1).max(500),
  reason: z.string().trim().min(1).max(500).optional(),
});

export const listQuery = z.strictObject({
  from: instant.optional(),
  to: instant.optional(),
  status: z.enum(APPOINTMENT_STATUSES).optional(),
  syncStatus: z.enum(SYNC_STATUSES).optional(),
  requiresManualReview: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});

export const uuidParam = z.uuid();
