/**
 * The per-tenant circuit breaker (SPEC §6.6) lives in @calsync/calcom-access,
 * shared with booking-api; the sync rules keep importing it from here.
 */
export {
  BreakerOpenError,
  CIRCUIT_STATE_VALUE,
  createBreakerRegistry,
  type BreakerOptions,
  type BreakerRegistry,
  type BreakerSettings,
  type CircuitState,
} from '@calsync/calcom-access';
