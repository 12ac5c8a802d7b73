/**
 * The admin API as the console uses it (SPEC §4.2), nothing else. The token lives
 * only in this object, in memory: sent in the Authorization header, never put in
 * a URL or in storage. Signing out drops the object.
 */

export type Origin = 'retell' | 'admin' | 'calcom' | 'system';
export type SyncStatus = 'pending' | 'synced' | 'failed' | 'skipped';
export type Resolution = 'keep-local' | 'keep-calcom' | 'dismiss';
export const ORIGINS: Origin[] = ['retell', 'admin', 'calcom', 'system'];
export const SYNC_STATUSES: SyncStatus[] = ['pending', 'synced', 'failed', 'skipped'];

export interface Appointment {
  id: string;
  eventTypeId: number;
  start: string;
  end: string;
  status: 'booked' | 'cancelled';
  origin: Origin;
  customer: { name: string; email: string | null; phone: string | null; timeZone: string };
  notes: string | null;
  sync: {
    status: SyncStatus;
    calcomBookingUid: string | null;
    errorCode: string | null;
    errorMessage: string | null;
    requiresManualReview: boolean;
    flaggedAt: string | null;
  };
  updatedAt: string;
}

export interface Settings {
  id: string;
  name: string;
  timeZone: string;
  eventTypes: { id: number; title: string; lengthInMinutes: number }[];
}

/** Either Cal.com shape the review queue gives (stored webhook snapshot or live booking). */
export interface CalcomSide {
  uid?: string;
  start?: string;
  end?: string;
  status?: string;
  attendees?: { name?: string; email?: string }[];
}

export interface ReviewItem {
  appointment: Appointment;
  calcom: CalcomSide | null;
  reason: string | null;
  flaggedAt: string | null;
}

export interface SyncReport {
  since: string;
  total: number;
  successRate: number | null;
  byOrigin: Record<Origin, Record<SyncStatus, number>>;
  reviewQueue: number;
}

export interface CreateBody {
  eventTypeId: number;
  start: string;
  customer: { name: string; email?: string; phone?: string; timeZone: string };
  notes?: string;
}

/** An answer other than 2xx, or no answer (status 0). `details` name the fields a 400 is about. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/** Random enough for an Idempotency-Key; crypto.randomUUID needs a secure context, this does not. */
function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function createApi(tenantId: string, token: string) {
  const base = `/v1/tenants/${encodeURIComponent(tenantId)}`;
  const auth = { authorization: `Bearer ${token}` };

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { ...auth, accept: 'application/json' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      // A retried click must not act twice (SPEC §4.2 Idempotency-Key).
      if (method === 'POST' || method === 'PATCH') headers['idempotency-key'] = newKey();
    }
    let res: Response;
    try {
      res = await fetch(base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch {
      throw new ApiError(0, 'network', 'The server cannot be reached');
    }
    const text = await res.text();
    const json: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const e = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)
        ?.error;
      const details = Array.isArray(e?.details) ? (e.details as { path: string; message: string }[]) : [];
      throw new ApiError(res.status, e?.code ?? 'error', e?.message ?? res.statusText, details);
    }
    return json as T;
  }

  const appointment = (id: string) => `/appointments/${encodeURIComponent(id)}`;

  return {
    tenantId,
    settings: () => call<Settings>('GET', '/settings'),

    /** Every appointment starting in [from, to), all pages. */
    async appointments(from: Date, to: Date): Promise<Appointment[]> {
      const out: Appointment[] = [];
      let cursor: string | null = null;
      do {
        const q = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), limit: '200' });
        if (cursor) q.set('cursor', cursor);
        const page: { items: Appointment[]; nextCursor: string | null } = await call(
          'GET',
          `/appointments?${q.toString()}`,
        );
        out.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor && out.length < 5_000);
      return out;
    },
    appointment: (id: string) => call<Appointment>('GET', appointment(id)),
    create: (body: CreateBody) => call<Appointment>('POST', '/appointments', body),
    patch: (id: string, body: Record<string, unknown>) => call<Appointment>('PATCH', appointment(id), body),
    cancel: (id: string, reason?: string) =>
      call<Appointment>('POST', `${appointment(id)}/cancel`, reason ? { reason } : {}),
    reschedule: (id: string, start: string, reason?: string) =>
      call<Appointment>('POST', `${appointment(id)}/reschedule`, reason ? { start, reason } : { start }),
    bulkCancel: (ids: string[], reason?: string) =>
      call<{ results: { id: string; ok: boolean; error?: { code: string; message: string } }[] }>(
        'POST',
        '/appointments/bulk-cancel',
        reason ? { ids, reason } : { ids },
      ),
    review: () => call<{ items: ReviewItem[] }>('GET', '/sync/review'),
    syncStatus: (since: Date) =>
      call<SyncReport>(
        'GET',
        `/sync/status?${new URLSearchParams({ since: since.toISOString() }).toString()}`,
      ),
    retry: (id: string) => call<unknown>('POST', `${appointment(id)}/sync/retry`, {}),
    resolve: (id: string, resolution: Resolution) =>
      call<Appointment>('POST', `${appointment(id)}/sync/resolve`, { resolution }),

    /** The events endpoint, with the token in a header (EventSource cannot send one). */
    openEvents: (signal: AbortSignal) =>
      fetch(`${base}/events`, {
        headers: { ...auth, accept: 'text/event-stream' },
        cache: 'no-store',
        credentials: 'omit',
        signal,
      }),
  };
}
export type Api = ReturnType<typeof createApi>;
