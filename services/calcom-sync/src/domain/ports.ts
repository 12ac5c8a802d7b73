/**
 * What the sync rules need from MySQL and NATS, with the methods they call. db/ and
 * messaging/ implement them; the composition root (app.ts) builds those and hands them in,
 * so nothing in domain/ imports db/, messaging/, calcom/ or http/. Cal.com's port is
 * calcom-port.ts (implemented in calcom/).
 */
import type { BookingTrigger, CalcomWebhookBooking } from '@calsync/contracts';
import type { AppointmentRow } from '@calsync/db';

/* ---- the attempts audit (db/attempts-repo.ts) ---- */

/** One row of `sync_attempts`: a real Cal.com attempt or lookup. */
export interface AttemptAudit {
  tenantId: string;
  appointmentId: string;
  action: string;
  outcome: string;
  attempt: number;
  httpStatus?: number | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  calcomBookingUid?: string | null;
  durationMs?: number | null;
  worker: string;
  at: Date;
}

export interface AttemptsRepo {
  audit(a: AttemptAudit): Promise<void>;
}

/* ---- reconciliation (db/reconcile-repo.ts, messaging/repairs.ts) ---- */

/** The reconciler's cursors and the local side of its comparison; every read is one tenant's. */
export interface ReconcileRepo {
  /** Cal.com's updatedAt the tenant's last round got to; null before its first round. */
  cursor(tenantId: string): Promise<Date | null>;
  saveCursor(tenantId: string, updatedSince: Date | null, now: Date): Promise<void>;
  /** Local appointments matching Cal.com uids or our metadata ids. */
  match(tenantId: string, uids: string[], ids: string[]): Promise<AppointmentRow[]>;
  /** Booked appointments of the tenant: the base of the mass-cancellation guard. */
  bookedCount(tenantId: string): Promise<number>;
}

/**
 * Publishes a repair: the CALCOM_INBOUND delivery a missed webhook would have been (origin
 * calcom), so booking-api's inbound applier handles it like any webhook.
 */
export type RepairPublisher = (
  tenantId: string,
  trigger: BookingTrigger,
  payload: CalcomWebhookBooking,
) => Promise<void>;
