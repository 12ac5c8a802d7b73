/**
 * Whether a tenant may call Cal.com now (SPEC §6.6, §6.7): its breaker and its
 * budget, asked in one place by the worker (before it takes an appointment's
 * lease) and the scheduler (before it picks a tenant's due rows). A wait short
 * enough to sit out in place (`maxInPlaceRateWaitMs`) does not block.
 */
import type { BreakerRegistry } from './breakers';
import type { TenantRateLimiter } from './rate-limiter';

export interface TenantGateDeps {
  breakers: Pick<BreakerRegistry, 'refuseForMs'>;
  limiter: Pick<TenantRateLimiter, 'delayFor'>;
  maxInPlaceRateWaitMs: number;
}

/** Why and for how long a tenant cannot call Cal.com; undefined when it can. */
export interface Blocked {
  why: 'breaker_open' | 'rate_limited';
  ms: number;
}

export function createTenantGate(deps: TenantGateDeps) {
  return {
    blocked(tenantId: string, budgetPerMinute: number): Blocked | undefined {
      const refuse = deps.breakers.refuseForMs(tenantId);
      if (refuse > 0) return { why: 'breaker_open', ms: refuse };
      const wait = deps.limiter.delayFor(tenantId, budgetPerMinute);
      if (wait > deps.maxInPlaceRateWaitMs) return { why: 'rate_limited', ms: wait };
      return undefined;
    },
  };
}
export type TenantGate = ReturnType<typeof createTenantGate>;
