/**
 * What booking-api answers, as zod schemas for the OpenAPI document. The routes
 * do not parse their answers; instead the domain's types are checked against
 * these at compile time (below) and every answer of the integration tests is
 * validated against the document (test/openapi-conformance.ts).
 */
import { z } from 'zod';
import { APPOINTMENT_STATUSES, ORIGINS, SYNC_STATUSES, tenantIdSchema } from '@calsync/contracts';
import type { Appointment } from '../../domain/appointment-resource';
import type { TenantView } from '../../domain/tenants';
import type { SyncStatusReport } from '../../domain/sync';
import type { ParkedService } from '../../domain/parked';
import type { Same } from './common';

/** Every instant we answer is UTC with `Z` (SPEC §4). */
export const utc = z.iso.datetime();
const nullableUtc = utc.nullable();

export const appointmentSchema = z
  .strictObject({
    id: z.uuid(),
    tenantId: tenantIdSchema,
    eventTypeId: z.number().int(),
    start: utc,
    end: utc,
    status: z.enum(APPOINTMENT_STATUSES),
    origin: z.enum(ORIGINS).meta({ description: 'Where the appointment was made.' }),
    customer: z.strictObject({
      name: z.string(),
      email: z.string().nullable(),
      phone: z.string().nullable(),
      timeZone: z.string(),
    }),
    notes: z.string().nullable(),
    sync: z.strictObject({
      status: z.enum(SYNC_STATUSES).meta({
        description: 'An appointment held in review reads `failed` with an `errorCode` naming why.',
      }),
      calcomBookingUid: z.string().nullable(),
      calcomBookingId: z.number().int().nullable(),
      attempts: z.number().int().min(0),
      lastAttemptAt: nullableUtc,
      errorCode: z.string().nullable(),
      errorMessage: z.string().nullable(),
      verifiedAt: nullableUtc.meta({ description: "When Cal.com's own webhook confirmed the booking." }),
      requiresManualReview: z.boolean(),
      flaggedAt: nullableUtc,
    }),
    createdAt: utc,
    updatedAt: utc,
  })
  .meta({ id: 'Appointment' });

export const appointmentPageSchema = z
  .strictObject({
    items: z.array(appointmentSchema),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: 'Pass as `cursor` for the next page; null at the end.' }),
  })
  .meta({ id: 'AppointmentPage' });

export const bulkCancelResultSchema = z
  .strictObject({
    results: z.array(
      z.strictObject({
        id: z.string(),
        ok: z.boolean(),
        error: z
          .string()
          .optional()
          .meta({ description: 'The error code, e.g. `not_found`, `already_cancelled`.' }),
      }),
    ),
  })
  .meta({ id: 'BulkCancelResult' });

const eventType = z.strictObject({
  id: z.number().int(),
  title: z.string(),
  lengthInMinutes: z.number().int(),
});

export const tenantSchema = z
  .strictObject({
    id: tenantIdSchema,
    name: z.string(),
    timeZone: z.string(),
    calcom: z.strictObject({
      eventTypes: z.array(eventType),
      rateLimitPerMinute: z.number().int(),
      apiKeySet: z.literal(true),
      webhookSecretSet: z.boolean(),
      webhook: z
        .strictObject({ id: z.string(), registered: z.literal(true) })
        .optional()
        .meta({ description: 'Only for tenants onboarded with `connect`: our subscription in Cal.com.' }),
    }),
    retell: z.strictObject({ apiKeySet: z.boolean() }),
    createdAt: utc,
    updatedAt: utc,
  })
  .meta({ id: 'Tenant', description: 'Never carries a secret.' });

export const tenantPageSchema = z
  .strictObject({ items: z.array(tenantSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'TenantPage' });

export const rotatedSchema = z
  .strictObject({
    tenant: tenantSchema,
    webhook: z.strictObject({
      id: z.string(),
      rotatedAt: utc,
      previousSecretAcceptedUntil: utc,
    }),
  })
  .meta({ id: 'WebhookSecretRotated' });

export const tenantRemovedSchema = z
  .strictObject({
    id: tenantIdSchema,
    removed: z.literal(true),
    removedAt: utc,
    webhook: z
      .strictObject({
        id: z.string(),
        deleted: z.boolean(),
        reason: z
          .string()
          .optional()
          .meta({ description: 'Why it could not be deleted; delete it by hand.' }),
      })
      .nullable(),
  })
  .meta({ id: 'TenantRemoved' });

export const parkedSchema = z
  .strictObject({
    id: z.number().int(),
    tenantId: z.string().nullable(),
    subject: z.string(),
    stream: z.string(),
    streamSeq: z.number().int(),
    trigger: z.string().nullable(),
    error: z.string(),
    deliveries: z.number().int(),
    parkedAt: utc,
    redrivenAt: nullableUtc,
    redriveCount: z.number().int(),
  })
  .meta({ id: 'ParkedDelivery', description: 'A Cal.com delivery the inbound applier set aside.' });

export const parkedPageSchema = z
  .strictObject({ items: z.array(parkedSchema) })
  .meta({ id: 'ParkedDeliveries' });

const counts = z.strictObject(
  Object.fromEntries(SYNC_STATUSES.map((s) => [s, z.number().int().min(0)])) as Record<
    (typeof SYNC_STATUSES)[number],
    z.ZodNumber
  >,
);

export const syncStatusSchema = z
  .strictObject({
    since: utc,
    total: z.number().int(),
    successRate: z.number().min(0).max(1).nullable().meta({
      description: '(synced + skipped) / (synced + skipped + failed); null while nothing finished.',
    }),
    byOrigin: z.strictObject(
      Object.fromEntries(ORIGINS.map((o) => [o, counts])) as Record<(typeof ORIGINS)[number], typeof counts>,
    ),
    reviewQueue: z.number().int().min(0),
  })
  .meta({ id: 'SyncStatus' });

export const reviewQueueSchema = z
  .strictObject({
    items: z.array(
      z.strictObject({
        appointment: appointmentSchema,
        calcom: z.record(z.string(), z.unknown()).nullable().meta({
          description:
            "Cal.com's version: the booking stored with the conflict, else the live booking; null when there is none or Cal.com is unreachable.",
        }),
        reason: z
          .string()
          .nullable()
          .meta({ description: 'Why it needs a person, e.g. `conflict`, `slot_taken`.' }),
        flaggedAt: nullableUtc,
      }),
    ),
  })
  .meta({ id: 'ReviewQueue' });

export const RETELL_STATUSES = [
  'ok',
  'calendar_unavailable',
  'confirmed',
  'pending',
  'not_confirmed',
  'taken',
  'not_found',
  'ambiguous',
  'already_cancelled',
  'cancelled',
  'needs_staff',
  'in_progress',
  'unavailable',
] as const;

export const retellAnswerSchema = z
  .looseObject({
    result: z.string().meta({ description: 'The sentence the agent says to the caller.' }),
    status: z.enum(RETELL_STATUSES).optional(),
    error: z
      .enum(['invalid_arguments', 'unavailable'])
      .optional()
      .meta({ description: '`invalid_arguments`: `result` says what is missing.' }),
    appointmentId: z.uuid().optional(),
  })
  .meta({
    id: 'RetellAnswer',
    description: 'Always 200 with a sentence; further fields (slots, alternatives, times) are for the agent.',
  });

// Compile-time drift checks: the documented answers are exactly the domain's types.
type ParkedView = Awaited<ReturnType<ParkedService['redrive']>>;
export const shapesMatch: [
  Same<z.output<typeof appointmentSchema>, Appointment>,
  Same<z.output<typeof tenantSchema>, TenantView>,
  Same<z.output<typeof syncStatusSchema>, SyncStatusReport>,
  Same<z.output<typeof parkedSchema>, ParkedView>,
] = [true, true, true, true];
