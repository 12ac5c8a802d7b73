/**
 * Request bodies of the 2024-08-13 bookings endpoints, mirroring
 * `CreateBookingInput_2024_08_13`, `CancelBookingInput_2024_08_13` and
 * `RescheduleBookingInput_2024_08_13` in openapi-v2.json. Cal.com runs
 * class-validator with `forbidNonWhitelisted`, so unknown properties are 400.
 */
import { z } from 'zod';
import { isValidZone } from './zone';
import { badRequest } from './errors';

export const LANGUAGES = [
  'ar',
  'ca',
  'de',
  'es',
  'eu',
  'he',
  'id',
  'ja',
  'lv',
  'pl',
  'ro',
  'sr',
  'th',
  'vi',
  'az',
  'cs',
  'el',
  'es-419',
  'fi',
  'hr',
  'it',
  'km',
  'nl',
  'pt',
  'ru',
  'sv',
  'tr',
  'zh-CN',
  'bg',
  'da',
  'en',
  'et',
  'fr',
  'hu',
  'iw',
  'ko',
  'no',
  'pt-BR',
  'sk',
  'ta',
  'uk',
  'zh-TW',
  'bn',
] as const;

const isoUtc = z
  .string()
  .refine(
    (v) =>
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(v) &&
      !Number.isNaN(Date.parse(v)),
    {
      message: 'must be a valid ISO 8601 date',
    },
  );

const zone = z.string().refine(isValidZone, { message: 'must be a valid IANA time zone' });

export const attendeeSchema = z
  .strictObject({
    name: z.string().min(1),
    email: z.email().optional(),
    timeZone: zone,
    phoneNumber: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'must be a valid phone number in E.164 format')
      .optional(),
    language: z.enum(LANGUAGES).optional(),
  })
  .refine((a) => a.email !== undefined || a.phoneNumber !== undefined, {
    message: 'attendee must have an email or a phoneNumber',
    path: ['email'],
  });

/** `location` is one of eight `{type, ...}` objects; the deprecated plain string still works. */
const locationSchema = z.union([z.string(), z.looseObject({ type: z.string() })]);

export const metadataSchema = z
  .record(
    z.string().max(40, 'metadata keys must be at most 40 characters'),
    z.union([
      z.string().max(500, 'metadata string values must be at most 500 characters'),
      z.number(),
      z.boolean(),
    ]),
  )
  .refine((m) => Object.keys(m).length <= 50, { message: 'metadata must have at most 50 keys' });

export const createBookingSchema = z.strictObject({
  start: isoUtc,
  attendee: attendeeSchema,
  bookingFieldsResponses: z.record(z.string(), z.unknown()).optional(),
  eventTypeId: z.number().int().positive().optional(),
  eventTypeSlug: z.string().optional(),
  username: z.string().optional(),
  teamSlug: z.string().optional(),
  organizationSlug: z.string().optional(),
  guests: z.array(z.email()).optional(),
  meetingUrl: z.string().optional(),
  location: locationSchema.optional(),
  metadata: metadataSchema.optional(),
  lengthInMinutes: z.number().int().positive().optional(),
  routing: z.looseObject({ teamMemberIds: z.array(z.number()) }).optional(),
  emailVerificationCode: z.string().optional(),
});
export type CreateBookingBody = z.infer<typeof createBookingSchema>;

export const cancelBookingSchema = z.strictObject({
  cancellationReason: z.string().optional(),
  cancelSubsequentBookings: z.boolean().optional(),
});

export const rescheduleBookingSchema = z.strictObject({
  start: isoUtc,
  rescheduledBy: z.string().optional(),
  reschedulingReason: z.string().optional(),
  emailVerificationCode: z.string().optional(),
});
export type RescheduleBookingBody = z.infer<typeof rescheduleBookingSchema>;

/** class-validator style: 400 with every problem listed in `details.message`. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const messages = r.error.issues.map((i) => {
    if (i.code === 'unrecognized_keys') {
      const where = i.path.length ? `${i.path.join('.')}.` : '';
      return i.keys.map((k) => `property ${where}${k} should not exist`).join(', ');
    }
    return `${i.path.map(String).join('.') || 'body'}: ${i.message}`;
  });
  throw badRequest(messages.join('; '), { message: messages, error: 'Bad Request', statusCode: 400 });
}
