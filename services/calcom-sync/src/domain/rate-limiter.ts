/**
 * The per-tenant rate limiter (SPEC §6.7) lives in @calsync/calcom-access,
 * shared with booking-api; the sync rules keep importing it from here.
 */
export {
  createRateLimiter,
  RateLimitedError,
  type RateLimiterOptions,
  type TenantRateLimiter,
} from '@calsync/calcom-access';
