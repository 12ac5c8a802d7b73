/**
 * Classifies what a Cal.com call's failure means for the sync (SPEC §6.5–6.7):
 * worth another attempt, a business answer for a human, a wait that is no
 * attempt at all, or an answer that actually means success.
 */
import { CalcomApiError, CalcomTransportError } from '@calsync/calcom-client';
import { BreakerOpenError, rateLimitWaitOf } from '@calsync/calcom-access';

export type CallFailure =
  /** Not an attempt: the tenant's circuit is open. */
  | { type: 'breaker_open'; retryInMs: number }
  /** Not an attempt: over budget or Cal.com said 429. */
  | { type: 'rate_limited'; retryInMs: number; httpStatus: number | null }
  /** 5xx, timeout, network: counts an attempt; the outcome of a mutating call may be unknown. */
  | { type: 'retryable'; code: string; message: string; httpStatus: number | null; outcomeUnknown: boolean }
  /** Retrying cannot fix it (validation, slot taken, 401, 404, 409): review at once. */
  | { type: 'permanent'; code: string; message: string; httpStatus: number | null }
  | { type: 'already_cancelled'; httpStatus: number | null }
  | { type: 'already_rescheduled'; httpStatus: number | null };

interface ApiErrorLike {
  name: string;
  status?: number;
  kind?: string;
  retryable?: boolean;
  message?: string;
  outcomeUnknown?: boolean;
  rateLimit?: { remaining?: number; resetSeconds?: number; reset?: number } | null;
}

/** Cal.com's 429 tells the reset in seconds remaining; without it, wait a window. */
export function resetSecondsOf(err: unknown): number | undefined {
  const rl = (err as ApiErrorLike)?.rateLimit;
  const v = rl?.resetSeconds ?? rl?.reset;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

const isCalcomApiError = (err: unknown): err is ApiErrorLike => err instanceof CalcomApiError;
const isCalcomTransportError = (err: unknown): err is ApiErrorLike => err instanceof CalcomTransportError;

export function classifyFailure(
  err: unknown,
  rateLimitWaitMs: (resetSeconds: number | undefined) => number,
): CallFailure {
  if (err instanceof BreakerOpenError) return { type: 'breaker_open', retryInMs: err.retryInMs };
  const wait = rateLimitWaitOf(err);
  if (wait) return { type: 'rate_limited', retryInMs: wait.waitMs, httpStatus: null };
  const message = String((err as ApiErrorLike)?.message ?? err).slice(0, 1000);
  if (isCalcomApiError(err)) {
    const status = err.status ?? null;
    switch (err.kind) {
      case 'rate_limited':
        return { type: 'rate_limited', retryInMs: rateLimitWaitMs(resetSecondsOf(err)), httpStatus: status };
      case 'already_cancelled':
        return { type: 'already_cancelled', httpStatus: status };
      case 'already_rescheduled':
        return { type: 'already_rescheduled', httpStatus: status };
      case 'server':
        // A 5xx may have been answered after Cal.com committed: treat the outcome as unknown.
        return {
          type: 'retryable',
          code: `calcom_${status ?? 500}`,
          message,
          httpStatus: status,
          outcomeUnknown: true,
        };
      case 'conflict':
        // 409: seats full or a same-host same-time race (FACTS) — the slot is taken. Named so, because
        // "conflict" is the review reason for a Cal.com change on top of an unsynced local one (SPEC §6.8).
        return { type: 'permanent', code: 'slot_taken', message, httpStatus: status };
      case 'slot_taken':
      case 'validation':
      case 'not_found':
      case 'unauthorized':
        return { type: 'permanent', code: err.kind, message, httpStatus: status };
      case undefined:
      default:
        return err.retryable
          ? {
              type: 'retryable',
              code: `calcom_${status ?? 0}`,
              message,
              httpStatus: status,
              outcomeUnknown: true,
            }
          : { type: 'permanent', code: String(err.kind ?? 'calcom_error'), message, httpStatus: status };
    }
  }
  if (isCalcomTransportError(err)) {
    const code = err.kind === 'timeout' ? 'calcom_timeout' : 'calcom_network';
    return { type: 'retryable', code, message, httpStatus: null, outcomeUnknown: err.outcomeUnknown ?? true };
  }
  // Anything else (a bug, a DB hiccup mid-call) is retried like an outage, never silently dropped.
  return { type: 'retryable', code: 'internal', message, httpStatus: null, outcomeUnknown: true };
}
