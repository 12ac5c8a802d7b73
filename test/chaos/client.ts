/** HTTP to our services, the way an admin client and Retell call them. Never throws on a status. */
import { createHmac } from 'node:crypto';

export interface Answer {
  /** 0 = no answer (refused, reset, timed out). */
  status: number;
  body: Record<string, unknown> | null;
  retryAfter: string | null;
}

async function readAnswer(res: Response): Promise<Answer> {
  const text = await res.text();
  let body: Record<string, unknown> | null = null;
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
  } catch {
    body = { text };
  }
  return { status: res.status, body, retryAfter: res.headers.get('retry-after') };
}

export async function call(
  url: string,
  init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const raw = init.body === undefined ? undefined : JSON.stringify(init.body);
  try {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(raw ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      body: raw,
      signal: AbortSignal.timeout(15_000),
    });
    return await readAnswer(res);
  } catch {
    return { status: 0, body: null, retryAfter: null };
  }
}

/** Retell's request signature (retell/FACTS.md): HMAC-SHA256(rawBody + ms) keyed with the API key. */
export function retellSignature(rawBody: string, apiKey: string, ms = Date.now()): string {
  return `v=${ms},d=${createHmac('sha256', apiKey)
    .update(rawBody + ms)
    .digest('hex')}`;
}

export async function retell(
  apiUrl: string,
  tenant: string,
  apiKey: string,
  fn: string,
  args: Record<string, unknown>,
  callId: string,
): Promise<Answer> {
  const raw = JSON.stringify({
    name: fn,
    args,
    call: { call_id: callId, call_type: 'phone_call', direction: 'inbound', from_number: '+493012345678' },
  });
  try {
    const res = await fetch(`${apiUrl}/v1/tenants/${tenant}/retell/functions/${fn}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-retell-signature': retellSignature(raw, apiKey) },
      body: raw,
      signal: AbortSignal.timeout(15_000),
    });
    return await readAnswer(res);
  } catch {
    return { status: 0, body: null, retryAfter: null };
  }
}

export interface Appointment {
  id: string;
  tenantId: string;
  eventTypeId: number;
  start: string;
  status: 'booked' | 'cancelled';
  origin: string;
  customer: { name: string };
  createdAt: string;
  sync: {
    status: string;
    calcomBookingUid?: string | null;
    requiresManualReview: boolean;
    errorCode?: string | null;
  };
}

export interface ReviewItem {
  appointment: Appointment;
  reason: string | null;
}

/** Every appointment of a tenant, paged. Undefined when the API did not answer 200. */
export async function listAppointments(apiUrl: string, tenant: string, token: string) {
  const items: Appointment[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const a = await call(`${apiUrl}/v1/tenants/${tenant}/appointments?limit=200${q}`, { token });
    if (a.status !== 200 || !a.body) return undefined;
    items.push(...(a.body.items as Appointment[]));
    cursor = (a.body.nextCursor as string | null) ?? null;
  } while (cursor);
  return items;
}

export async function listReview(apiUrl: string, tenant: string, token: string) {
  const a = await call(`${apiUrl}/v1/tenants/${tenant}/sync/review`, { token });
  if (a.status !== 200 || !a.body) return undefined;
  return a.body.items as ReviewItem[];
}
