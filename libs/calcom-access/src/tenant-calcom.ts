/**
 * A tenant's Cal.com client as every service must use it: each HTTP request
 * (paged lookups too) takes a slot in the tenant's in-process window and in the
 * budget shared through MySQL, and each operation runs through the tenant's
 * circuit breaker. Cal.com's limit belongs to the API key, so a call that skips
 * this is a call another service's budget does not know about.
 */
import { createCalcomClient, type CalcomClient } from '@calsync/calcom-client';
import type { TenantRecord } from '@calsync/db';
import { sleep } from '@calsync/platform';
import type { BreakerRegistry } from './breakers';
import { rateLimitWaitOf } from './errors';
import { RateLimitedError, type TenantRateLimiter } from './rate-limiter';
import type { SharedBudget } from './shared-budget';

/** What a client needs of a tenant. */
export type TenantKey = Pick<TenantRecord, 'id' | 'calcomApiKey' | 'calcomRateLimitPerMinute'>;

export interface TenantCalcomOptions {
  apiUrl: string;
  /** Per request, unless clientFor is given another. */
  timeoutMs: number;
  limiter: TenantRateLimiter;
  sharedBudget: SharedBudget;
  breakers: BreakerRegistry;
  /** Longest wait for the tenant's window before an operation; longer waits throw RateLimitedError. */
  maxInPlaceWaitMs: number;
  /**
   * Also wait in place (within maxInPlaceWaitMs) when the shared budget's slice is
   * full, and then try again. For a caller that answers a person (booking-api);
   * calcom-sync's worker would rather nak and take other work.
   */
  waitForSharedBudget?: boolean;
  fetchImpl?: typeof fetch;
}

export interface ClientOptions {
  timeoutMs?: number;
  maxInPlaceWaitMs?: number;
}

export interface TenantCalcom {
  /** The tenant's client; refusals throw BreakerOpenError or RateLimitedError (maybe as a transport error's cause). */
  clientFor: (tenant: TenantKey, opts?: ClientOptions) => CalcomClient;
  /** The breaker's half-open probe: the cheapest read there is, budgeted but not through the breaker. */
  probe: (tenant: TenantKey) => Promise<void>;
}

export function createTenantCalcom(opts: TenantCalcomOptions): TenantCalcom {
  const baseFetch = opts.fetchImpl ?? fetch;
  const cache = new Map<string, { apiKey: string; raw: CalcomClient; guarded: CalcomClient }>();

  /** The plain client whose every request is counted; it never waits, which would eat the request's own timeout. */
  function budgetedClient(tenant: TenantKey, timeoutMs: number): CalcomClient {
    const budgetedFetch: typeof fetch = async (input, init) => {
      await opts.limiter.acquire(tenant.id, tenant.calcomRateLimitPerMinute, 0);
      const wait = await opts.sharedBudget.take(tenant.id, tenant.calcomRateLimitPerMinute);
      if (wait > 0) throw new RateLimitedError(wait);
      return baseFetch(input, init);
    };
    return createCalcomClient({
      baseUrl: opts.apiUrl,
      apiKey: tenant.calcomApiKey,
      timeoutMs,
      fetchImpl: budgetedFetch,
      onRateLimit: (rl) => opts.limiter.observe(tenant.id, rl.remaining, rl.resetSeconds),
    });
  }

  function guard(tenant: TenantKey, raw: CalcomClient, maxWaitMs: number): CalcomClient {
    const run = async <T>(fn: () => Promise<T>): Promise<T> => {
      const until = Date.now() + maxWaitMs;
      for (;;) {
        // Short waits for the window happen here, before the request and its timeout start.
        await opts.limiter.waitForSlot(tenant.id, tenant.calcomRateLimitPerMinute, until - Date.now());
        try {
          return await opts.breakers.exec(tenant.id, fn);
        } catch (err) {
          // A refusal happens before the request goes out, so trying again repeats no effect.
          const refused = opts.waitForSharedBudget ? rateLimitWaitOf(err) : undefined;
          if (!refused || refused.waitMs > until - Date.now()) throw err;
          await sleep(refused.waitMs);
        }
      }
    };
    return {
      createBooking: (input) => run(() => raw.createBooking(input)),
      getBooking: (uid) => run(() => raw.getBooking(uid)),
      listBookings: (filters) => run(() => raw.listBookings(filters)),
      listAllBookings: (filters, o) => run(() => raw.listAllBookings(filters, o)),
      findBookingsByMetadata: (eventTypeId, range, key, value) =>
        run(() => raw.findBookingsByMetadata(eventTypeId, range, key, value)),
      cancelBooking: (uid, reason) => run(() => raw.cancelBooking(uid, reason)),
      rescheduleBooking: (uid, input) => run(() => raw.rescheduleBooking(uid, input)),
      getSlots: (input) => run(() => raw.getSlots(input)),
      listEventTypes: () => run(() => raw.listEventTypes()),
      me: () => run(() => raw.me()),
      listWebhooks: () => run(() => raw.listWebhooks()),
      createWebhook: (input) => run(() => raw.createWebhook(input)),
      updateWebhook: (id, input) => run(() => raw.updateWebhook(id, input)),
      deleteWebhook: (id) => run(() => raw.deleteWebhook(id)),
      lastRateLimit: () => raw.lastRateLimit(),
    };
  }

  /** One client per tenant and key (a changed key gets a new one); other timeouts get their own. */
  function cached(tenant: TenantKey) {
    const hit = cache.get(tenant.id);
    if (hit && hit.apiKey === tenant.calcomApiKey) return hit;
    const raw = budgetedClient(tenant, opts.timeoutMs);
    const entry = { apiKey: tenant.calcomApiKey, raw, guarded: guard(tenant, raw, opts.maxInPlaceWaitMs) };
    cache.set(tenant.id, entry);
    return entry;
  }

  return {
    clientFor(tenant, o = {}) {
      if (o.timeoutMs === undefined && o.maxInPlaceWaitMs === undefined) return cached(tenant).guarded;
      const raw = o.timeoutMs === undefined ? cached(tenant).raw : budgetedClient(tenant, o.timeoutMs);
      return guard(tenant, raw, o.maxInPlaceWaitMs ?? opts.maxInPlaceWaitMs);
    },
    async probe(tenant) {
      await cached(tenant).raw.listBookings({ take: 1 });
    },
  };
}
