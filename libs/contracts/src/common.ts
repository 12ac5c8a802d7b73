import { z } from 'zod';

export const ORIGINS = ['retell', 'admin', 'calcom', 'system'] as const;
export const originSchema = z.enum(ORIGINS);
export type Origin = z.infer<typeof originSchema>;

export const tenantIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must match ^[a-z0-9][a-z0-9-]{0,62}$');

/** ISO 8601 instant that carries an offset or Z. */
export const isoInstantSchema = z.iso.datetime({ offset: true });

export const APPOINTMENT_STATUSES = ['booked', 'cancelled'] as const;
export const appointmentStatusSchema = z.enum(APPOINTMENT_STATUSES);
export type AppointmentStatus = z.infer<typeof appointmentStatusSchema>;

export const SYNC_STATUSES = ['pending', 'synced', 'failed', 'skipped'] as const;
export const syncStatusSchema = z.enum(SYNC_STATUSES);
export type SyncStatus = z.infer<typeof syncStatusSchema>;

/** W3C trace context header value. */
export const traceparentSchema = z.string().regex(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/);

/** A phone number in E.164 (+, country code, up to 15 digits): how every phone number is stored and sent. */
export const E164_PATTERN = /^\+[1-9]\d{6,14}$/;
