/**
 * The arguments of each Retell function (SPEC §4.3). Lenient where an LLM is
 * sloppy (numbers as strings, extra properties ignored), strict about meaning.
 * A failure becomes a sentence for the caller naming what is missing.
 */
import { E164_PATTERN } from '@calsync/contracts';
import { z } from 'zod';
import { canonicalTimeZone } from '@calsync/platform';
import { isValidZone } from './time';

// Canonical before luxon sees it: luxon caches a zone object per spelling, without bound.
const zone = z
  .string()
  .trim()
  .max(64)
  .refine(isValidZone, 'must be an IANA time zone')
  .transform((v) => canonicalTimeZone(v) ?? v);
const eventTypeId = z.coerce.number().int().positive();
const text = (max: number) => z.string().trim().min(1).max(max);
const date = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');

export const checkAvailabilityArgs = z
  .object({
    eventTypeId: eventTypeId.optional(),
    date: date.optional(),
    from: text(40).optional(),
    to: text(40).optional(),
    timeZone: zone.optional(),
  })
  .refine((a) => a.date !== undefined || a.from !== undefined, { path: ['date'], message: 'is required' });

export const bookArgs = z.object({
  eventTypeId: eventTypeId.optional(),
  start: text(40),
  timeZone: zone.optional(),
  name: text(200),
  email: z.email().max(254).optional(),
  phone: z
    .string()
    .transform((p) => p.replace(/[\s()-]/g, ''))
    .pipe(z.string().regex(E164_PATTERN, 'must be E.164'))
    .optional(),
  notes: z.string().max(2000).optional(),
});

const findBy = {
  appointmentId: z.uuid().optional(),
  date: date.optional(),
  timeZone: zone.optional(),
  reason: text(500).optional(),
};
export const cancelArgs = z.object(findBy);
export const rescheduleArgs = z.object({ ...findBy, start: text(40) });

export type CheckAvailabilityArgs = z.infer<typeof checkAvailabilityArgs>;
export type BookArgs = z.infer<typeof bookArgs>;
export type CancelArgs = z.infer<typeof cancelArgs>;
export type RescheduleArgs = z.infer<typeof rescheduleArgs>;

const SAID: Record<string, string> = {
  date: 'which day you mean',
  from: 'from when to look',
  to: 'until when to look',
  start: 'the date and time',
  name: "the caller's name",
  email: 'a valid e-mail address',
  phone: 'a phone number in international format',
  timeZone: 'a valid time zone',
  eventTypeId: 'which kind of appointment',
  appointmentId: 'a valid appointment reference',
  reason: 'a shorter reason',
  notes: 'shorter notes',
};

export type ArgsResult<T> = { ok: true; value: T } | { ok: false; said: string };

/** Parses `args`; on failure says what is missing or wrong, for the caller. */
export function parseArgs<S extends z.ZodType>(schema: S, args: unknown): ArgsResult<z.infer<S>> {
  const r = schema.safeParse(args ?? {});
  if (r.success) return { ok: true, value: r.data };
  const fields = [...new Set(r.error.issues.map((i) => String(i.path[0] ?? '')))].filter(Boolean);
  const needs = fields.map((f) => SAID[f] ?? f);
  return {
    ok: false,
    said: needs.length ? `I still need ${needs.join(' and ')}.` : 'I did not understand that request.',
  };
}
