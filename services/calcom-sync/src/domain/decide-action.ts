/**
 * What to do in Cal.com, decided from the appointment's CURRENT state (SPEC §6.4),
 * never from the event that woke us: duplicate, late and reordered events then
 * decide the same thing, and an already-synced appointment decides "none".
 */
import type { AppointmentStatus } from '@calsync/contracts';

export interface SyncState {
  status: AppointmentStatus;
  start: Date;
  calcomBookingUid: string | null;
  lastSyncedStart: Date | null;
  lastSyncedStatus: AppointmentStatus | null;
}

export type Decision =
  | { action: 'create' }
  | { action: 'reschedule'; uid: string }
  | { action: 'cancel'; uid: string }
  /** Cancelled before it ever reached Cal.com: nothing exists there. */
  | { action: 'skip' }
  | { action: 'none' }
  /** Local and Cal.com disagree in a way we must not repair silently. */
  | { action: 'review'; reason: 'calcom_cancelled' };

export function decideAction(s: SyncState): Decision {
  const uid = s.calcomBookingUid;
  if (s.status === 'booked') {
    if (!uid) return { action: 'create' };
    // Cal.com's booking is gone (cancelled there) while the local one stands: a human decides.
    if (s.lastSyncedStatus === 'cancelled') return { action: 'review', reason: 'calcom_cancelled' };
    if (!s.lastSyncedStart || s.lastSyncedStart.getTime() !== s.start.getTime()) {
      return { action: 'reschedule', uid };
    }
    return { action: 'none' };
  }
  if (!uid) return { action: 'skip' };
  if (s.lastSyncedStatus !== 'cancelled') return { action: 'cancel', uid };
  return { action: 'none' };
}

/** What a retryable failure leads to: another attempt after a delay, or giving up (SPEC §6.5). */
export type RetryVerdict = { kind: 'retry'; delayMs: number } | { kind: 'give_up' };

/** `attempts` already includes the attempt that just failed. */
export function afterRetryableFailure(attempts: number, delaysMs: readonly number[]): RetryVerdict {
  if (attempts >= delaysMs.length + 1) return { kind: 'give_up' };
  return { kind: 'retry', delayMs: delaysMs[Math.max(attempts - 1, 0)] ?? delaysMs.at(-1) ?? 1000 };
}

/**
 * Another event for the same appointment must not spend the next attempt before
 * the backoff of the previous failure has elapsed: how long is left.
 */
export function backoffRemainingMs(
  attempts: number,
  lastAttemptAt: Date | null,
  hasError: boolean,
  delaysMs: readonly number[],
  now: Date,
): number {
  if (!hasError || attempts <= 0 || !lastAttemptAt) return 0;
  const delay = delaysMs[attempts - 1];
  if (delay === undefined) return 0;
  return Math.max(0, lastAttemptAt.getTime() + delay - now.getTime());
}
