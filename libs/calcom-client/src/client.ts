/**
 * Cal.com API v2 client: bookings with `cal-api-version: 2024-08-13`, slots
 * with `2024-09-04`, event types with `2024-06-14`, `/v2/me` and webhooks
 * unversioned. Every call has its own timeout, every answer's
 * `X-RateLimit-*-Default` headers are reported, every failure becomes a
 * CalcomApiError or CalcomTransportError.
 */
import type { z } from 'zod';
import { CalcomApiError, classify, parseErrorBody, transportError, type RateLimitInfo } from './errors';
import {
  bookingEnvelope,
  bookingListEnvelope,
  eventTypesEnvelope,
  meEnvelope,
  slotsEnvelope,
  webhookEnvelope,
  webhookListEnvelope,
  type CalcomBooking,
} from './schemas';
import {
  BOOKINGS_API_VERSION,
  EVENT_TYPES_API_VERSION,
  MAX_TAKE,
  SLOTS_API_VERSION,
  type CalcomClient,
  type CalcomClientOptions,
} from './types';
const iso = (v: string | Date) => (typeof v === 'string' ? v : v.toISOString());
/** Cal.com wants UTC `...Z` for booking starts. */
const utc = (v: string | Date) => new Date(v).toISOString();

function readRateLimit(h: Headers): RateLimitInfo | undefined {
  const num = (name: string) => {
    const v = h.get(name);
    const n = v === null ? NaN : Number(v);
    return Number.isFinite(n) ? n : undefined;
  };
  const limit = num('x-ratelimit-limit-default');
  const remaining = num('x-ratelimit-remaining-default');
  const resetSeconds = num('x-ratelimit-reset-default');
  if (limit === undefined || remaining === undefined || resetSeconds === undefined) return undefined;
  return { limit, remaining, resetSeconds };
}

export function createCalcomClient(opts: CalcomClientOptions): CalcomClient {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const doFetch = opts.fetchImpl ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  let last: RateLimitInfo | undefined;

  interface Call<S extends z.ZodType> {
    operation: string;
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
    path: string;
    /** `cal-api-version`; Cal.com's unversioned controllers (me, webhooks) take none. */
    version?: string;
    query?: Record<string, string | undefined>;
    body?: unknown;
    schema: S;
  }

  async function call<S extends z.ZodType>(c: Call<S>): Promise<z.infer<S>> {
    const url = new URL(`${base}${c.path}`);
    for (const [k, v] of Object.entries(c.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const headers: Record<string, string> = {
      Authorization: `Bearer ${opts.apiKey}`,
      Accept: 'application/json',
    };
    if (c.version) headers['cal-api-version'] = c.version;
    if (c.body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    let text: string;
    try {
      res = await doFetch(url, {
        method: c.method,
        headers,
        body: c.body === undefined ? undefined : JSON.stringify(c.body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw transportError(err, c.operation);
    }
    const rateLimit = readRateLimit(res.headers);
    if (rateLimit) {
      last = rateLimit;
      opts.onRateLimit?.(rateLimit);
    }
    let json: unknown = text;
    try {
      json = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      // not JSON (a proxy's HTML error page): keep the text
    }
    if (!res.ok) {
      const { code, message } = parseErrorBody(res.status, json);
      throw new CalcomApiError(
        res.status,
        code,
        message,
        classify(res.status, message),
        c.operation,
        rateLimit,
      );
    }
    const parsed = c.schema.safeParse(json);
    if (!parsed.success) {
      const where = parsed.error.issues[0]?.path.join('.') ?? '';
      // A 2xx happened: retrying a create would only meet "slot taken", so not retryable.
      throw new CalcomApiError(
        res.status,
        'invalid_response',
        `unexpected response shape at ${where}`,
        'server',
        c.operation,
        rateLimit,
        false,
      );
    }
    return parsed.data;
  }

  const seg = (uid: string) => encodeURIComponent(uid);

  const client: CalcomClient = {
    async createBooking(input) {
      const env = await call({
        operation: 'createBooking',
        method: 'POST',
        path: '/v2/bookings',
        version: BOOKINGS_API_VERSION,
        body: { ...input, start: utc(input.start) },
        schema: bookingEnvelope,
      });
      return env.data;
    },

    async getBooking(uid) {
      try {
        const env = await call({
          operation: 'getBooking',
          method: 'GET',
          path: `/v2/bookings/${seg(uid)}`,
          version: BOOKINGS_API_VERSION,
          schema: bookingEnvelope,
        });
        return env.data;
      } catch (err) {
        if (err instanceof CalcomApiError && err.kind === 'not_found') return null;
        throw err;
      }
    },

    async listBookings(f = {}) {
      const take = f.take ?? 100;
      if (take > MAX_TAKE) throw new RangeError(`take must be at most ${MAX_TAKE}`);
      const env = await call({
        operation: 'listBookings',
        method: 'GET',
        path: '/v2/bookings',
        version: BOOKINGS_API_VERSION,
        query: {
          eventTypeId: f.eventTypeId?.toString(),
          attendeeEmail: f.attendeeEmail,
          bookingUid: f.bookingUid,
          afterStart: f.afterStart && iso(f.afterStart),
          beforeEnd: f.beforeEnd && iso(f.beforeEnd),
          afterUpdatedAt: f.afterUpdatedAt && iso(f.afterUpdatedAt),
          sortUpdatedAt: f.sortUpdatedAt,
          status: f.status?.join(','),
          take: String(take),
          skip: String(f.skip ?? 0),
        },
        schema: bookingListEnvelope,
      });
      return { bookings: env.data, pagination: env.pagination };
    },

    async listAllBookings(f = {}, o = {}) {
      const out: CalcomBooking[] = [];
      const maxPages = o.maxPages ?? 100;
      for (let page = 0; page < maxPages; page++) {
        const { bookings, pagination } = await client.listBookings({
          ...f,
          take: MAX_TAKE,
          skip: page * MAX_TAKE,
        });
        out.push(...bookings);
        if (!pagination.hasNextPage || bookings.length === 0) return out;
      }
      return out;
    },

    async findBookingsByMetadata(eventTypeId, range, key, value) {
      const all = await client.listAllBookings({
        eventTypeId,
        afterStart: range.afterStart,
        beforeEnd: range.beforeEnd,
      });
      return all.filter((b) => b.metadata[key] === value);
    },

    async cancelBooking(uid, reason) {
      const env = await call({
        operation: 'cancelBooking',
        method: 'POST',
        path: `/v2/bookings/${seg(uid)}/cancel`,
        version: BOOKINGS_API_VERSION,
        body: { cancellationReason: reason?.trim() ? reason : 'Cancelled' },
        schema: bookingEnvelope,
      });
      return env.data;
    },

    async rescheduleBooking(uid, input) {
      const env = await call({
        operation: 'rescheduleBooking',
        method: 'POST',
        path: `/v2/bookings/${seg(uid)}/reschedule`,
        version: BOOKINGS_API_VERSION,
        body: {
          start: utc(input.start),
          ...(input.reason ? { reschedulingReason: input.reason } : {}),
          ...(input.rescheduledBy ? { rescheduledBy: input.rescheduledBy } : {}),
        },
        schema: bookingEnvelope,
      });
      return env.data;
    },

    async getSlots(input) {
      const env = await call({
        operation: 'getSlots',
        method: 'GET',
        path: '/v2/slots',
        version: SLOTS_API_VERSION,
        query: {
          eventTypeId: String(input.eventTypeId),
          start: iso(input.start),
          end: iso(input.end),
          timeZone: input.timeZone,
          format: input.format,
          bookingUidToReschedule: input.bookingUidToReschedule,
        },
        schema: slotsEnvelope,
      });
      return env.data;
    },

    async listEventTypes() {
      const env = await call({
        operation: 'listEventTypes',
        method: 'GET',
        path: '/v2/event-types',
        version: EVENT_TYPES_API_VERSION,
        schema: eventTypesEnvelope,
      });
      return env.data;
    },

    async me() {
      const env = await call({ operation: 'me', method: 'GET', path: '/v2/me', schema: meEnvelope });
      return env.data;
    },

    async listWebhooks() {
      const env = await call({
        operation: 'listWebhooks',
        method: 'GET',
        path: '/v2/webhooks',
        query: { take: '250', skip: '0' },
        schema: webhookListEnvelope,
      });
      return env.data;
    },

    async createWebhook(input) {
      const env = await call({
        operation: 'createWebhook',
        method: 'POST',
        path: '/v2/webhooks',
        body: input,
        schema: webhookEnvelope,
      });
      return env.data;
    },

    async updateWebhook(id, input) {
      const env = await call({
        operation: 'updateWebhook',
        method: 'PATCH',
        path: `/v2/webhooks/${seg(id)}`,
        body: input,
        schema: webhookEnvelope,
      });
      return env.data;
    },

    async deleteWebhook(id) {
      try {
        await call({
          operation: 'deleteWebhook',
          method: 'DELETE',
          path: `/v2/webhooks/${seg(id)}`,
          schema: webhookEnvelope,
        });
        return true;
      } catch (err) {
        if (err instanceof CalcomApiError && err.kind === 'not_found') return false;
        throw err;
      }
    },

    lastRateLimit: () => last,
  };
  return client;
}
