/**
 * booking-api's budgets (issue 9 item 9) for the operator, admin and Retell routes:
 * per client address, and per tenant named in the path. Over budget → 429 with
 * Retry-After before the route runs, so nothing changes. A request that fails
 * authentication (401/403) gives the tenant's token back: strangers guessing
 * tokens spend their own client budget, never the tenant's.
 */
import type { Registry } from 'prom-client';
import { clientOf, rateLimit, tenantOfPath, type Clock, type RateLimitConfig } from '@calsync/platform';

const notTheTenants = (status: number) => status === 401 || status === 403;

export function apiRateLimit(deps: { config: RateLimitConfig; clock: Clock; registry: Registry }) {
  const { config } = deps;
  return rateLimit({
    budgets: [
      { name: 'client', key: clientOf, perMinute: config.clientPerMinute },
      {
        name: 'tenant',
        key: tenantOfPath('/v1/tenants/'),
        perMinute: config.tenantPerMinute,
        refundIf: notTheTenants,
      },
    ],
    maxKeys: config.maxKeys,
    clock: deps.clock,
    registry: deps.registry,
  });
}
