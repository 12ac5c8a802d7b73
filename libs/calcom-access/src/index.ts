export {
  BreakerOpenError,
  CIRCUIT_STATE_VALUE,
  createBreakerRegistry,
  type BreakerOptions,
  type BreakerRegistry,
  type BreakerSettings,
  type CircuitState,
} from './breakers';
export {
  createRateLimiter,
  RateLimitedError,
  type RateLimiterOptions,
  type TenantRateLimiter,
} from './rate-limiter';
export {
  createSharedBudget,
  PACE_BURST,
  PACE_CLAIM_MARGIN_MS,
  PACE_JITTER_MS,
  PACE_LATE_MS,
  planPace,
  type PacePlan,
  type SharedBudget,
  type UsageStore,
} from './shared-budget';
export { createRateUsageStore } from './usage-store';
export { isBusinessError, rateLimitWaitOf } from './errors';
export {
  createTenantCalcom,
  type ClientOptions,
  type TenantCalcom,
  type TenantCalcomOptions,
  type TenantKey,
} from './tenant-calcom';
export {
  calcomAccessConfig,
  calcomAccessEnvShape,
  type CalcomAccessEnv,
  type CalcomAccessSettings,
} from './config';
export { createAccessMetrics, type AccessMetrics } from './metrics';
export { createCalcomAccess, type CalcomAccess, type CalcomAccessDeps } from './access';
