/**
 * Maps a classified Cal.com failure (outcome.ts) onto the sync-state machine's
 * input, and builds the SYNC_RESULTS message for an outcome.
 */
import type { SyncOutcome } from '@calsync/contracts';
import type { CallFailure as MachineFailure, SyncState } from '@calsync/sync-state';
import type { PublishedResult, Work } from './context';
import type { CallFailure } from './outcome';

export function toMachineFailure(f: CallFailure): MachineFailure {
  switch (f.type) {
    case 'breaker_open':
    case 'rate_limited':
      return { type: 'not_sent', retryInMs: f.retryInMs };
    case 'already_cancelled':
    case 'already_rescheduled':
      return { type: 'already_done' };
    case 'permanent':
      return { type: 'permanent', code: f.code, message: f.message };
    case 'retryable':
      return { type: 'retryable', code: f.code, message: f.message, outcomeUnknown: f.outcomeUnknown };
  }
}

/** The outcome a waiter hears about after a transition, if it ended the work. */
export function outcomeOf(s: SyncState): SyncOutcome | null {
  if (s.review) return s.review.reason === 'retries_exhausted' ? 'failed' : 'review';
  if (!s.call && s.syncedVersion >= s.version) return 'synced';
  return null;
}

export function result(w: Work, appointmentId: string, s: SyncState, outcome: SyncOutcome): PublishedResult {
  return {
    tenantId: w.tenant.id,
    appointmentId,
    version: s.version,
    outcome,
    action: w.lastAction,
    attempts: s.attempts,
    calcomBookingUid: s.uid,
    errorCode: outcome === 'synced' ? null : s.errorCode,
    errorMessage: outcome === 'synced' ? null : s.errorMessage,
    sourceEventId: w.trigger.event?.eventId,
    origin: w.trigger.origin,
    traceparent: w.trigger.traceparent,
  };
}
