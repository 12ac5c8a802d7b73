/**
 * The environment every service that calls Cal.com reads for its breaker and
 * budget, so the same variable means the same thing in calcom-sync and booking-api.
 */
import { z } from 'zod';
import type { BreakerSettings } from './breakers';

const int = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);

export const calcomAccessEnvShape = {
  /** Breaker opens after this many consecutive failures (5xx, timeouts, network)… */
  CALCOM_BREAKER_CONSECUTIVE_FAILURES: int(1, 5),
  /** …or when this share of calls failed within the rolling window (with at least VOLUME calls). */
  CALCOM_BREAKER_ERROR_PERCENTAGE: int(1, 50),
  CALCOM_BREAKER_VOLUME_THRESHOLD: int(1, 20),
  CALCOM_BREAKER_WINDOW_MS: int(1000, 30_000),
  /** How long the breaker stays open before a half-open probe. */
  CALCOM_BREAKER_RESET_MS: int(100, 30_000),
  /** Window of the per-tenant budget (calcom_rate_limit_per_minute); shorter in tests. */
  CALCOM_RATE_WINDOW_MS: int(100, 60_000),
  /** A wait for the budget up to this long happens in place; longer waits are refused. */
  CALCOM_RATE_MAX_INPLACE_WAIT_MS: int(0, 2_000),
};

export type CalcomAccessEnv = z.infer<z.ZodObject<typeof calcomAccessEnvShape>>;

export interface CalcomAccessSettings {
  breaker: BreakerSettings;
  rateLimit: { windowMs: number; maxInPlaceWaitMs: number };
}

export function calcomAccessConfig(env: CalcomAccessEnv): CalcomAccessSettings {
  return {
    breaker: {
      consecutiveFailures: env.CALCOM_BREAKER_CONSECUTIVE_FAILURES,
      errorThresholdPercentage: env.CALCOM_BREAKER_ERROR_PERCENTAGE,
      volumeThreshold: env.CALCOM_BREAKER_VOLUME_THRESHOLD,
      rollingWindowMs: env.CALCOM_BREAKER_WINDOW_MS,
      resetTimeoutMs: env.CALCOM_BREAKER_RESET_MS,
    },
    rateLimit: {
      windowMs: env.CALCOM_RATE_WINDOW_MS,
      maxInPlaceWaitMs: env.CALCOM_RATE_MAX_INPLACE_WAIT_MS,
    },
  };
}
