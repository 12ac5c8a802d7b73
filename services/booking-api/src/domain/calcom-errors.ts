/**
 * What an operator call that depends on Cal.com answers when Cal.com does not
 * cooperate: Cal.com's own refusal or silence is a 502 carrying its reason; our
 * own refusal to call (open breaker, spent budget) is a 503 to retry later.
 */
import { CalcomApiError, CalcomTransportError } from '@calsync/calcom-client';
import { BreakerOpenError, rateLimitWaitOf } from '@calsync/calcom-access';
import { ApiError } from './errors';

export function calcomFailure(err: unknown, what: string): unknown {
  const refused = rateLimitWaitOf(err);
  if (refused)
    return new ApiError('unavailable', `The tenant's Cal.com budget is spent; ${what} was not attempted`, {
      retryInMs: refused.waitMs,
    });
  if (err instanceof BreakerOpenError)
    return new ApiError(
      'unavailable',
      `Cal.com is failing for this tenant (circuit open); ${what} was not attempted`,
      {
        retryInMs: err.retryInMs,
      },
    );
  if (err instanceof CalcomApiError)
    return new ApiError(
      'bad_gateway',
      `Cal.com refused ${what}: ${err.status} ${err.calcomMessage || err.code}`,
      {
        calcom: { status: err.status, code: err.code, message: err.calcomMessage },
      },
    );
  if (err instanceof CalcomTransportError)
    return new ApiError('bad_gateway', `Cal.com did not answer ${what} (${err.kind})`, {
      calcom: { status: null, code: err.kind, message: err.message },
    });
  return err;
}

/** Runs one Cal.com call, translating its failure. */
export async function viaCalcom<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw calcomFailure(err, what);
  }
}
