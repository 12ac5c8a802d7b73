/**
 * What a failed Cal.com call says about Cal.com itself. The breaker only counts
 * outages (5xx, timeouts, network); our own budget refusals and Cal.com's
 * business answers (404, slot taken, 429) say nothing about it being down.
 */
import { CalcomApiError, CalcomTransportError } from '@calsync/calcom-client';
import { RateLimitedError } from './rate-limiter';

/** Our own budget refusal runs inside the client's fetch, which wraps it as a transport error. */
export function rateLimitWaitOf(err: unknown): RateLimitedError | undefined {
  if (err instanceof RateLimitedError) return err;
  const cause = (err as { cause?: unknown })?.cause;
  return err instanceof CalcomTransportError && cause instanceof RateLimitedError ? cause : undefined;
}

/** True for errors that say nothing about Cal.com being down: the breaker ignores them. */
export function isBusinessError(err: unknown): boolean {
  if (rateLimitWaitOf(err)) return true;
  return err instanceof CalcomApiError && err.kind !== 'server';
}
