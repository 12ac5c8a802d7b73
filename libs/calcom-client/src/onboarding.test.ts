/** Event types, /v2/me and webhook subscriptions: the calls onboarding makes. */
import { createCalcomClient, CalcomApiError } from './index';

const KEY = 'cal_live_supersecretkey123456';
const HOOK = {
  id: '5d6f8c4e-3b1a-4a7e-9c2d-1f0e9b8a7c6d',
  userId: 5,
  subscriberUrl: 'https://hooks.example/v1/webhooks/calcom/t1',
  active: true,
  triggers: ['BOOKING_CREATED', 'BOOKING_CANCELLED'],
  payloadTemplate: null,
  secret: null,
};

interface Seen {
  url: URL;
  init: RequestInit;
}
function fakeFetch(status: number, body: unknown) {
  const seen: Seen[] = [];
  const impl = ((url: URL | string, init?: RequestInit) => {
    seen.push({ url: new URL(String(url)), init: init ?? {} });
    return Promise.resolve(new Response(JSON.stringify(body), { status }));
  }) as typeof fetch;
  return { impl, seen };
}
const header = (s: Seen | undefined, name: string) => (s?.init.headers as Record<string, string>)[name];
const clientWith = (f: { impl: typeof fetch }) =>
  createCalcomClient({ baseUrl: 'https://api.cal.example', apiKey: KEY, fetchImpl: f.impl });

async function errorOf(p: Promise<unknown>): Promise<CalcomApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CalcomApiError);
  return err as CalcomApiError;
}

describe('event types and me', () => {
  it('lists event types with cal-api-version 2024-06-14 and keeps only what it needs typed', async () => {
    const f = fakeFetch(200, {
      status: 'success',
      data: [{ id: 101, lengthInMinutes: 30, title: 'Beratung', slug: 'beratung', users: [{ id: 5 }] }],
    });
    const types = await clientWith(f).listEventTypes();
    expect(types).toEqual([expect.objectContaining({ id: 101, lengthInMinutes: 30, title: 'Beratung' })]);
    expect(f.seen[0]!.url.href).toBe('https://api.cal.example/v2/event-types');
    expect(header(f.seen[0], 'cal-api-version')).toBe('2024-06-14');
    expect(header(f.seen[0], 'Authorization')).toBe(`Bearer ${KEY}`);
  });

  it('reads /v2/me without a version header', async () => {
    const f = fakeFetch(200, {
      status: 'success',
      data: { id: 5, username: 'host', email: 'h@example.com' },
    });
    expect(await clientWith(f).me()).toMatchObject({ id: 5, email: 'h@example.com' });
    expect(header(f.seen[0], 'cal-api-version')).toBeUndefined();
  });
});

describe('webhook subscriptions', () => {
  it('creates one with triggers as an array and reads the uuid id and null secret back', async () => {
    const f = fakeFetch(201, { status: 'success', data: HOOK });
    const hook = await clientWith(f).createWebhook({
      subscriberUrl: HOOK.subscriberUrl,
      active: true,
      triggers: HOOK.triggers,
      secret: 'generated',
    });
    expect(hook).toMatchObject({ id: HOOK.id, secret: null, payloadTemplate: null });
    const s = f.seen[0]!;
    expect(s.init.method).toBe('POST');
    expect(s.url.pathname).toBe('/v2/webhooks');
    expect(header(s, 'cal-api-version')).toBeUndefined();
    expect(JSON.parse(s.init.body as string)).toEqual({
      subscriberUrl: HOOK.subscriberUrl,
      active: true,
      triggers: HOOK.triggers,
      secret: 'generated',
    });
  });

  it('patches a new secret onto /v2/webhooks/{id}', async () => {
    const f = fakeFetch(200, { status: 'success', data: HOOK });
    await clientWith(f).updateWebhook(HOOK.id, { secret: 'rotated' });
    expect(f.seen[0]!.init.method).toBe('PATCH');
    expect(f.seen[0]!.url.pathname).toBe(`/v2/webhooks/${HOOK.id}`);
    expect(JSON.parse(f.seen[0]!.init.body as string)).toEqual({ secret: 'rotated' });
  });

  it('lists subscriptions', async () => {
    const f = fakeFetch(200, { status: 'success', data: [HOOK] });
    expect(await clientWith(f).listWebhooks()).toHaveLength(1);
    expect(f.seen[0]!.init.method).toBe('GET');
  });

  it('deletes one; a subscription already gone answers false, not an error', async () => {
    const ok = fakeFetch(200, { status: 'success', data: HOOK });
    expect(await clientWith(ok).deleteWebhook(HOOK.id)).toBe(true);
    expect(ok.seen[0]!.init.method).toBe('DELETE');
    const gone = fakeFetch(404, {
      status: 'error',
      error: { code: 'NotFoundException', message: 'Webhook not found' },
    });
    expect(await clientWith(gone).deleteWebhook(HOOK.id)).toBe(false);
  });

  it('a second subscription for the same URL is a conflict (envelope shape)', async () => {
    const f = fakeFetch(409, {
      status: 'error',
      timestamp: '2026-05-24T09:30:00.000Z',
      path: '/v2/webhooks',
      error: { code: 'ConflictException', message: 'Webhook with this subscriber url already exists' },
    });
    const err = await errorOf(
      clientWith(f).createWebhook({ subscriberUrl: HOOK.subscriberUrl, active: true, triggers: [] }),
    );
    expect(err).toMatchObject({ status: 409, kind: 'conflict', code: 'ConflictException' });
    expect(err.message).not.toContain(KEY);
  });

  it("another user's subscription is a 403 in the internal shape", async () => {
    const f = fakeFetch(403, { statusCode: 403, message: 'Forbidden resource', error: 'Forbidden' });
    const err = await errorOf(clientWith(f).updateWebhook(HOOK.id, { active: false }));
    expect(err).toMatchObject({ status: 403, kind: 'unauthorized', code: 'Forbidden' });
    expect(err.calcomMessage).toBe('Forbidden resource');
  });

  it('a numeric webhook id (the published OpenAPI, not the code) is an invalid response', async () => {
    const f = fakeFetch(200, { status: 'success', data: [{ ...HOOK, id: 7 }] });
    const err = await errorOf(clientWith(f).listWebhooks());
    expect(err.code).toBe('invalid_response');
  });
});
