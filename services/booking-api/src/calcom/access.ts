/**
 * booking-api's way to Cal.com: every call with a tenant's key (review view,
 * keep-calcom, the phone agent's slots) takes a slot in the tenant's budget that
 * calcom-sync shares (`calcom_rate_usage`) and runs through the tenant's breaker.
 * The breaker is this process's own: it opens on booking-api's own failures.
 */
import { createCalcomAccess, type AccessMetrics } from '@calsync/calcom-access';
import type { Db, TenantReader } from '@calsync/db';
import type { Clock, Logger } from '@calsync/platform';
import type { BookingApiConfig } from '../config';

export function createBookingApiCalcom(deps: {
  config: BookingApiConfig;
  db: Db;
  tenants: Pick<TenantReader, 'get'>;
  logger: Logger;
  clock: Clock;
  metrics: AccessMetrics;
}) {
  const { config } = deps;
  return createCalcomAccess({
    db: deps.db,
    tenants: deps.tenants,
    logger: deps.logger,
    clock: deps.clock,
    apiUrl: config.calcom.apiUrl,
    timeoutMs: config.calcom.timeoutMs,
    breaker: config.calcom.breaker,
    rateLimit: config.calcom.rateLimit,
    metrics: deps.metrics,
    // A person is waiting for these answers: a full slice is worth a short wait (slots set none).
    waitForSharedBudget: true,
  });
}
