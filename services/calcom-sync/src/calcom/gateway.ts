/**
 * The CalcomGateway of one tenant: @calsync/calcom-client with the tenant's key,
 * every HTTP request through the tenant's rate limiter (so paged lookups count
 * too) and every operation through the tenant's circuit breaker.
 */
import {
  CalcomApiError,
  createCalcomClient,
  type CalcomBooking as ClientBooking,
  type CalcomClient,
} from '@calsync/calcom-client';
import type { TenantRecord } from '@calsync/db';
import type { BreakerRegistry } from '../domain/breakers';
import type { CalcomBooking, CalcomGateway } from '../domain/calcom-port';
import { RateLimitedError, type TenantRateLimiter } from '../domain/rate-limiter';
import type { SharedBudget } from '../domain/shared-budget';

export interface GatewayFactoryOptions {
  apiUrl: string;
  timeoutMs: number;
  limiter: TenantRateLimiter;
  /** The tenant's budget across replicas. */
  sharedBudget: SharedBudget;
  breakers: BreakerRegistry;
  maxInPlaceWaitMs: number;
  fetchImpl?: typeof fetch;
}

export function toBooking(b: ClientBooking): CalcomBooking {
  return {
    uid: b.uid,
    id: b.id,
    status: b.status,
    start: new Date(b.start),
    end: new Date(b.end),
    attendees: b.attendees.map((a) => ({
      name: a.name,
      email: a.email,
      timeZone: a.timeZone,
      phoneNumber: a.phoneNumber,
    })),
    eventTypeId: b.eventTypeId,
    metadata: b.metadata,
    rescheduledFromUid: b.rescheduledFromUid ?? null,
    rescheduledToUid: b.rescheduledToUid ?? null,
    updatedAt: b.updatedAt ? new Date(b.updatedAt) : null,
  };
}

export function createGatewayFactory(opts: GatewayFactoryOptions) {
  const clients = new Map<string, { apiKey: string; client: CalcomClient }>();
  const baseFetch = opts.fetchImpl ?? fetch;

  /** One client per tenant and key; a changed key gets a new client. */
  function clientFor(tenant: TenantRecord): CalcomClient {
    const hit = clients.get(tenant.id);
    if (hit && hit.apiKey === tenant.calcomApiKey) return hit.client;
    // Every request takes a slot, but never waits here: a wait would eat the client's own timeout.
    const limitedFetch: typeof fetch = async (input, init) => {
      await opts.limiter.acquire(tenant.id, tenant.calcomRateLimitPerMinute, 0);
      // The budget is the API key's, shared by every replica: count the call there too.
      const wait = await opts.sharedBudget.take(tenant.id, tenant.calcomRateLimitPerMinute);
      if (wait > 0) throw new RateLimitedError(wait);
      return baseFetch(input, init);
    };
    const client = createCalcomClient({
      baseUrl: opts.apiUrl,
      apiKey: tenant.calcomApiKey,
      timeoutMs: opts.timeoutMs,
      fetchImpl: limitedFetch,
      onRateLimit: (rl) => opts.limiter.observe(tenant.id, rl.remaining, rl.resetSeconds),
    });
    clients.set(tenant.id, { apiKey: tenant.calcomApiKey, client });
    return client;
  }

  function gatewayFor(tenant: TenantRecord): CalcomGateway {
    const client = clientFor(tenant);
    const run = async <T>(fn: () => Promise<T>) => {
      // Short waits for the budget happen here, before the call and its timeout start.
      await opts.limiter.waitForSlot(tenant.id, tenant.calcomRateLimitPerMinute, opts.maxInPlaceWaitMs);
      return opts.breakers.exec(tenant.id, fn);
    };
    return {
      create: (i) =>
        run(() =>
          client.createBooking({
            eventTypeId: i.eventTypeId,
            start: i.start,
            attendee: i.attendee,
            metadata: i.metadata,
          }),
        ).then(toBooking),
      async get(uid) {
        const b = await run(() => client.getBooking(uid));
        if (!b)
          throw new CalcomApiError(
            404,
            'NotFoundException',
            `Booking ${uid} not found`,
            'not_found',
            'getBooking',
          );
        return toBooking(b);
      },
      cancel: (uid, reason) => run(() => client.cancelBooking(uid, reason)).then(() => undefined),
      reschedule: (uid, start, reason) =>
        run(() => client.rescheduleBooking(uid, reason ? { start, reason } : { start })).then(toBooking),
      findByAppointmentId: (eventTypeId, from, to, appointmentId) =>
        run(() =>
          client.findBookingsByMetadata(
            eventTypeId,
            { afterStart: from, beforeEnd: to },
            'appointmentId',
            appointmentId,
          ),
        ).then((l) => l.map(toBooking)),
      async listUpdatedSince(since, skip, take) {
        const page = await run(() =>
          client.listBookings({
            ...(since ? { afterUpdatedAt: since } : {}),
            sortUpdatedAt: 'asc',
            skip,
            take,
          }),
        );
        return { items: page.bookings.map(toBooking), hasMore: page.pagination.hasNextPage };
      },
    };
  }

  /** The breaker's half-open probe: the cheapest read there is. */
  async function probe(tenant: TenantRecord): Promise<void> {
    await clientFor(tenant).listBookings({ take: 1 });
  }

  return { gatewayFor, probe };
}
