/**
 * The tenant reader caches a tenant for seconds; once that runs out while MySQL is unreachable,
 * every delivery would fail on the tenant lookup even though nothing else on a fresh delivery's
 * path needs MySQL. So the gateway keeps each tenant's last record read and, only while MySQL is
 * away (an outage error, not any error), goes on verifying with it for at most `maxStaleMs`.
 * That is no wider than what the gateway already allows: a rotated-out secret stays valid for
 * 10 minutes (domain/signature.ts), and an offboarded tenant's deliveries reach an applier that
 * needs MySQL to act on them.
 */
import type { TenantReader, TenantRecord } from '@calsync/db';
import { createLruCache, outageOf, type Logger } from '@calsync/platform';

export type GatewayTenants = Pick<TenantReader, 'get'> & Partial<Pick<TenantReader, 'invalidate'>>;

export function withLastKnownTenants(
  reader: GatewayTenants,
  opts: { maxStaleMs: number; logger: Logger; now?: () => number },
): GatewayTenants {
  const lastKnown = createLruCache<string, TenantRecord>({
    max: 10_000,
    ttlMs: opts.maxStaleMs,
    now: opts.now,
  });
  // One log line per tenant a minute while it is served from memory.
  const logged = createLruCache<string, true>({ max: 10_000, ttlMs: 60_000, now: opts.now });

  return {
    get(id) {
      return reader.get(id).then(
        (tenant) => {
          if (tenant) lastKnown.set(id, tenant);
          else lastKnown.delete(id);
          return tenant;
        },
        (err: unknown) => {
          const tenant = outageOf(err) === 'mysql' ? lastKnown.get(id) : undefined;
          if (!tenant) throw err;
          if (!logged.get(id)) {
            logged.set(id, true);
            opts.logger.warn('MySQL unreachable: verifying with the last known tenant record', {
              tenant: id,
              error: err,
            });
          }
          return tenant;
        },
      );
    },
    invalidate: reader.invalidate && ((id?: string) => reader.invalidate?.(id)),
  };
}
