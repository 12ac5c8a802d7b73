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
  planSlices,
  type SharedBudget,
  type SlicePlan,
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
