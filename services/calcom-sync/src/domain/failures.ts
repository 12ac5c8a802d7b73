/**
 * What a failed Cal.com call does to the appointment (SPEC §6.5–6.7): waits that
 * are no attempt (breaker open, rate limit), retries with backoff, and the
 * manual-review queue for what retrying cannot fix or after the last attempt.
 */
import type { SyncAction } from '@calsync/contracts';
import { afterRetryableFailure } from './decide-action';
import { nak, TERM, type Disposition, type SyncDeps, type SyncRow, type Work } from './context';
import type { CallFailure } from './outcome';

export interface FailedCall {
  row: SyncRow;
  action: SyncAction | 'lookup';
  failure: CallFailure;
  /** True when the failed call was the mutating call itself (not a lookup). */
  mutating: boolean;
  durationMs: number;
}

/** 'reload': re-read the row and go on (Cal.com said the change already happened). */
export async function handleFailure(deps: SyncDeps, w: Work, f: FailedCall): Promise<Disposition | 'reload'> {
  const { repo, metrics, logger, clock } = deps;
  const { row, failure } = f;
  const tenantId = w.tenant.id;
  const id = row.id;
  const now = clock.now();
  const metricAction = f.action === 'lookup' ? (row.sync_call_in_flight ?? 'lookup') : f.action;
  const audit = (outcome: string, attempt: number, extra: { code?: string; message?: string } = {}) =>
    repo.audit({
      tenantId,
      appointmentId: id,
      action: f.action,
      outcome,
      attempt,
      httpStatus: 'httpStatus' in failure ? failure.httpStatus : null,
      errorCode: extra.code ?? null,
      errorMessage: extra.message ?? null,
      durationMs: f.durationMs,
      worker: deps.workerId,
      at: now,
    });

  switch (failure.type) {
    case 'breaker_open':
    case 'rate_limited': {
      // The call never happened: no attempt, and nothing is in flight.
      if (f.mutating) await repo.clearInFlight(tenantId, id);
      metrics.attempts.inc({ action: metricAction, outcome: failure.type });
      if (failure.type === 'rate_limited') metrics.rateLimitWaits.inc();
      await audit(failure.type, row.sync_attempts);
      logger.info(
        failure.type === 'rate_limited' ? 'Cal.com rate limit: waiting' : 'Cal.com circuit open: waiting',
        {
          ...w.log,
          waitMs: failure.retryInMs,
          attemptsSpent: row.sync_attempts,
        },
      );
      return nak(failure.retryInMs);
    }
    case 'already_cancelled':
    case 'already_rescheduled':
      // Cal.com says it is already done: the in-flight flag stays, the lookup confirms and records it.
      metrics.attempts.inc({ action: metricAction, outcome: failure.type });
      await audit(failure.type, row.sync_attempts + 1);
      if (!row.sync_call_in_flight && f.mutating) {
        await repo.markInFlight(tenantId, id, f.action === 'cancel' ? 'cancel' : 'reschedule', row.start_at);
      }
      return 'reload';
    case 'permanent': {
      const attempts = await repo.flagForReview(tenantId, id, {
        reason: failure.code,
        errorCode: failure.code,
        errorMessage: failure.message,
        calcomBooking: null,
        countAttempt: true,
        keepInFlight: false,
        now,
      });
      metrics.attempts.inc({ action: metricAction, outcome: failure.code });
      await audit(failure.code, attempts, { code: failure.code, message: failure.message });
      logger.warn('Cal.com sync needs manual review', {
        ...w.log,
        action: f.action,
        reason: failure.code,
        attempts,
      });
      await deps.publishResult(result(w, row, 'review', attempts, failure.code, failure.message));
      return TERM;
    }
    case 'retryable': {
      const keepInFlight = f.mutating ? failure.outcomeUnknown : row.sync_call_in_flight !== null;
      const attempts = await repo.recordFailure(tenantId, id, {
        errorCode: failure.code,
        errorMessage: failure.message,
        keepInFlight,
        now,
      });
      metrics.attempts.inc({ action: metricAction, outcome: 'retryable_error' });
      await audit('retryable_error', attempts, { code: failure.code, message: failure.message });
      const verdict = afterRetryableFailure(attempts, deps.retryDelaysMs);
      if (verdict.kind === 'retry') {
        logger.warn('Cal.com sync failed, will retry', {
          ...w.log,
          action: f.action,
          code: failure.code,
          attempts,
          retryInMs: verdict.delayMs,
        });
        return nak(verdict.delayMs);
      }
      // Keep an unknown outcome flagged: a later retry must look before it creates again.
      await repo.flagForReview(tenantId, id, {
        reason: 'retries_exhausted',
        errorCode: failure.code,
        errorMessage: failure.message,
        calcomBooking: null,
        countAttempt: false,
        keepInFlight,
        now,
      });
      logger.error('Cal.com sync failed after the last attempt', {
        ...w.log,
        action: f.action,
        code: failure.code,
        attempts,
      });
      await deps.publishResult(result(w, row, 'failed', attempts, failure.code, failure.message));
      return TERM;
    }
  }
}

export function result(
  w: Work,
  row: SyncRow,
  outcome: 'synced' | 'failed' | 'review',
  attempts: number,
  errorCode: string | null,
  errorMessage: string | null,
  uid: string | null = row.calcom_booking_uid,
) {
  return {
    tenantId: w.tenant.id,
    appointmentId: row.id,
    version: row.version,
    outcome,
    action: w.lastAction,
    attempts,
    calcomBookingUid: uid,
    errorCode,
    errorMessage,
    sourceEventId: w.event.eventId,
    origin: w.origin,
    traceparent: w.traceparent,
  };
}
