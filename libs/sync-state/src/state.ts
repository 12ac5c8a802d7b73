/**
 * One appointment's sync state: what Cal.com holds of it, the call in flight,
 * the review flag. The local business state (status, start) is read here but
 * written only by booking-api; `version` counts local changes.
 */
import type { AppointmentStatus, SyncStatus } from '@calsync/contracts';

/**
 * A local change is due at calcom-sync's scheduler this long after commit, in
 * case its event never arrives (NATS down, a lost message); the event path
 * normally syncs it long before and clears the due time.
 */
export const LOCAL_CHANGE_GRACE_MS = 15_000;

export type CallAction = 'create' | 'reschedule' | 'cancel';

/** A mutating Cal.com call whose outcome is not recorded yet, with what it asked for. */
export interface InFlightCall {
  /** Random per call: a result or lookup is recorded only for the call it belongs to. */
  id: string;
  action: CallAction;
  /** The local version the call carries: what Cal.com holds once it happened. */
  version: number;
  /** The start the call was sent with (create, reschedule) or the booking's start (cancel). */
  start: Date;
  /** The booking the call acted on (reschedule, cancel); null for a create. */
  fromUid: string | null;
}

export interface Review {
  reason: string;
  flaggedAt: Date;
  /** The Cal.com side of the difference, as stored for the review view. */
  calcom: unknown;
}

export interface SyncState {
  /** Local business state (read-only here). */
  status: AppointmentStatus;
  start: Date;
  /** Bumped by every local change and by every Cal.com change applied locally. */
  version: number;
  /** The version Cal.com is proven to hold. */
  syncedVersion: number;
  syncStatus: SyncStatus;
  /** The Cal.com booking that currently stands for this appointment. */
  uid: string | null;
  bookingId: number | null;
  /** What that booking holds in Cal.com, as far as we know. */
  calcomStart: Date | null;
  calcomStatus: AppointmentStatus | null;
  call: InFlightCall | null;
  attempts: number;
  lastAttemptAt: Date | null;
  errorCode: string | null;
  errorMessage: string | null;
  verifiedAt: Date | null;
  review: Review | null;
  /** When calcom-sync's scheduler must look at it again; null: nothing to do. */
  dueAt: Date | null;
}

/** A Cal.com booking as the machine needs it (from an API answer, a lookup or a webhook). */
export interface CalcomFact {
  uid: string;
  bookingId: number | null;
  start: Date;
  status: AppointmentStatus;
}

export const sameInstant = (a: Date | null | undefined, b: Date | null | undefined) =>
  !!a && !!b && a.getTime() === b.getTime();

/** A local change Cal.com has not been proven to hold (SPEC §6.8: a Cal.com change on top is a conflict). */
export function hasUnsyncedChange(s: Pick<SyncState, 'version' | 'syncedVersion' | 'call'>): boolean {
  return s.version > s.syncedVersion || s.call !== null;
}

/** sync_status that follows from the versions (never 'pending' while held in review: SPEC §6.8). */
export function statusFor(s: Pick<SyncState, 'version' | 'syncedVersion' | 'review' | 'syncStatus'>) {
  if (s.review) return 'failed' as const;
  if (s.syncedVersion >= s.version)
    return s.syncStatus === 'skipped' ? ('skipped' as const) : ('synced' as const);
  return 'pending' as const;
}
