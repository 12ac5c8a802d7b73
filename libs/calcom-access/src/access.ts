/**
 * Everything a service needs to call Cal.com with tenants' keys, built once per
 * process: the pacing (its slots claimed in the budget shared through MySQL),
 * the breakers and the budgeted clients. The breaker probes read the tenant fresh,
 * so a rotated key is probed with the new one.
 */
import type { Db, TenantReader } from '@calsync/db';
import type { Clock, Logger } from '@calsync/platform';
import { createBreakerRegistry, CIRCUIT_STATE_VALUE } from './breakers';
import type { CalcomAccessSettings } from './config';
import { isBusinessError } from './errors';
import type { AccessMetrics } from './metrics';
import { createRateLimiter } from './rate-limiter';
import { createSharedBudget } from './shared-budget';
import { createTenantCalcom } from './tenant-calcom';
import { createRateUsageStore } from './usage-store';

export interface CalcomAccessDeps extends CalcomAccessSettings {
  db: Db;
  tenants: Pick<TenantReader, 'get'>;
  logger: Logger;
  clock: Clock;
  apiUrl: string;
  timeoutMs: number;
  metrics?: AccessMetrics;
  /** See TenantCalcomOptions. */
  waitForSharedBudget?: boolean;
  fetchImpl?: typeof fetch;
}

export function createCalcomAccess(deps: CalcomAccessDeps) {
  const sharedBudget = createSharedBudget({
    store: createRateUsageStore(deps.db),
    windowMs: deps.rateLimit.windowMs,
    clock: deps.clock,
  });
  const limiter = createRateLimiter({
    windowMs: deps.rateLimit.windowMs,
    clock: deps.clock,
    shared: sharedBudget,
    onWait: (tenant) => deps.metrics?.rateLimitWaits.inc({ tenant }),
  });
  // The probe needs the clients and the clients need the breakers: tie the knot lazily.
  let probe: (tenantId: string) => Promise<void> = () => Promise.resolve();
  const breakers = createBreakerRegistry({
    ...deps.breaker,
    isBusinessError,
    probe: (tenantId) => probe(tenantId),
    onStateChange: (tenant, state) => deps.metrics?.circuitState.set({ tenant }, CIRCUIT_STATE_VALUE[state]),
    logger: deps.logger,
  });
  const calcom = createTenantCalcom({
    apiUrl: deps.apiUrl,
    timeoutMs: deps.timeoutMs,
    limiter,
    breakers,
    maxInPlaceWaitMs: deps.rateLimit.maxInPlaceWaitMs,
    ...(deps.waitForSharedBudget ? { waitForSharedBudget: true } : {}),
    ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
  });
  probe = async (tenantId) => {
    const tenant = await deps.tenants.get(tenantId);
    if (tenant) await calcom.probe(tenant);
  };
  return {
    limiter,
    sharedBudget,
    breakers,
    clientFor: calcom.clientFor,
    /** Stops the breakers' timers (no probe after shutdown). */
    shutdown: () => breakers.shutdown(),
  };
}
export type CalcomAccess = ReturnType<typeof createCalcomAccess>;
