/**
 * /admin (the staff console's files) and GET /settings (what it reads first):
 * served by booking-api itself under a strict Content-Security-Policy; the
 * settings name the tenant's zone and event types and no secret.
 */
import { createTenant, startBookingApi, type Harness, type TestTenant } from './harness';

let h: Harness;
let a: TestTenant;
let b: TestTenant;

beforeAll(async () => {
  h = await startBookingApi();
  a = await createTenant(h);
  b = await createTenant(h);
});
afterAll(async () => {
  await h.close();
});

describe('/admin', () => {
  it('serves the page from this host under a strict CSP that allows no inline script and no framing', async () => {
    const res = await fetch(`${h.url}/admin/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp.split('; ')).toEqual(
      expect.arrayContaining(["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"]),
    );
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    // Every file it loads is our own, by path: no other host, no inline script.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/<script>|<script [^>]*>[^<]/);
  });

  it('redirects /admin to /admin/ and serves the compiled scripts and the styles', async () => {
    const res = await fetch(`${h.url}/admin`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/admin/');
    const js = await fetch(`${h.url}/admin/js/main.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect((await fetch(`${h.url}/admin/styles.css`)).status).toBe(200);
  });
});

describe('GET /v1/tenants/:t/settings', () => {
  it("gives the tenant's name, time zone and event types, and no secret", async () => {
    const res = await h.http('GET', `/v1/tenants/${a.id}/settings`, { token: a.adminToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: a.id,
      name: `Praxis ${a.id}`,
      timeZone: 'Europe/Berlin',
      eventTypes: [{ id: a.eventTypeId, title: 'Beratung', lengthInMinutes: 30 }],
    });
    expect(JSON.stringify(res.body)).not.toMatch(/secret|cal_live|key_retell|admin-token/);
  });

  it("refuses another tenant's token (403) and no token (401)", async () => {
    expect((await h.http('GET', `/v1/tenants/${a.id}/settings`, { token: b.adminToken })).status).toBe(403);
    expect((await h.http('GET', `/v1/tenants/${a.id}/settings`)).status).toBe(401);
  });
});
