/**
 * A tenant's Cal.com client as every service must use it: each HTTP request
 * (paged lookups too) claims a slot of the tenant's budget — in this process
 * and in MySQL, shared with every replica and service — and waits for it, and
 * each operation runs through the tenant's circuit breaker. Cal.com's limit
 * belongs to the API key, so a call that skips this is a call another
 * service's budget does not know about.
 */
import { createCalcomClient, type CalcomClient } from '@calsync/calcom-client';
import type { TenantRecord } from '@calsync/db';
import { sleep } from '@calsync/platform';
import type { BreakerRegistry } from './breakers';
import { rateLimitWaitOf } from './errors';
import type { TenantRateLimiter } from './rate-limiter';

/** What a client needs of a tenant. */
export type TenantKey = Pick<TenantRecord, 'id' | 'calcomApiKey' | 'calcomRateLimitPerMinute'>;

export interface TenantCalcomOptions {
  apiUrl: string;
  /** Per request, unless clientFor is given another. */
  timeoutMs: number;
  /** The tenant's pacing; it claims every slot in the budget shared through MySQL too. */
  limiter: TenantRateLimiter;
  breakers: BreakerRegistry;
  /** Longest wait for a request's slot; a slot further away throws RateLimitedError and nothing is sent. */
  maxInPlaceWaitMs: number;
  /**
   * After a refusal that is shorter than what is left of maxInPlaceWaitMs, wait and try
   * the operation again (nothing was sent). For a caller that answers a person (booking-api).
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

  /** The plain client whose every request claims a slot and waits for it (up to maxWaitMs). */
  function budgetedClient(tenant: TenantKey, timeoutMs: number, maxWaitMs: number): CalcomClient {
    const budgetedFetch: typeof fetch = async (input, init) => {
      await opts.limiter.acquire(tenant.id, tenant.calcomRateLimitPerMinute, maxWaitMs);
      // The client's timeout signal started before the wait for the slot: the request gets its own, from now.
      return baseFetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
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
    const raw = budgetedClient(tenant, opts.timeoutMs, opts.maxInPlaceWaitMs);
    const entry = { apiKey: tenant.calcomApiKey, raw, guarded: guard(tenant, raw, opts.maxInPlaceWaitMs) };
    cache.set(tenant.id, entry);
    return entry;
  }

  return {
    clientFor(tenant, o = {}) {
      if (o.timeoutMs === undefined && o.maxInPlaceWaitMs === undefined) return cached(tenant).guarded;
      const maxWaitMs = o.maxInPlaceWaitMs ?? opts.maxInPlaceWaitMs;
      return guard(tenant, budgetedClient(tenant, o.timeoutMs ?? opts.timeoutMs, maxWaitMs), maxWaitMs);
    },
    async probe(tenant) {
      await cached(tenant).raw.listBookings({ take: 1 });
    },
  };
}
