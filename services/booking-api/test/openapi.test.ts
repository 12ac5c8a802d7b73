/**
 * GET /openapi.json documents every route booking-api has (and the gateway's),
 * and no route it lacks; the reference page shows every operation, with no script.
 * Every answer here also goes through the harness's conformance check.
 */
import { webhookGatewayRoutes } from '@calsync/contracts';
import { compareRoutes, documentedRoutes, listExpressRoutes } from '@calsync/testkit';
import { openApiDocument } from '../src/http/openapi/document';
import { OPERATOR_TOKEN, createTenant, startBookingApi, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startBookingApi();
});
afterAll(() => h.close());

const doc = openApiDocument();
const key = (r: { method: string; path: string }) => `${r.method.toUpperCase()} ${r.path}`;
/** Served by webhook-gateway. */
const elsewhere = new Set(webhookGatewayRoutes.map(key));

it('documents every route of the app, and no route it lacks', () => {
  const documented = documentedRoutes(doc).filter((r) => !elsewhere.has(key(r)));
  expect(compareRoutes(listExpressRoutes(h.api.app), documented)).toEqual({ undocumented: [], unrouted: [] });
});

it("holds webhook-gateway's routes too", () => {
  const keys = new Set(documentedRoutes(doc).map(key));
  for (const r of webhookGatewayRoutes) expect(keys).toContain(key(r));
});

it('serves the document without authentication', async () => {
  const res = await h.http('GET', '/openapi.json');
  expect(res.status).toBe(200);
  expect(res.body).toEqual(JSON.parse(JSON.stringify(doc)));
  expect(res.body.openapi).toMatch(/^3\.1\./);
});

it('serves a reference page of every operation under a CSP that allows no script', async () => {
  const res = await h.http('GET', '/docs');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'none'");
  expect(csp).not.toMatch(/script-src|unsafe-inline/);
  const page = String(res.body);
  expect(page).not.toMatch(/<script|\son[a-z]+=|style=/i);
  expect(page).not.toMatch(/https?:\/\//);
  for (const r of documentedRoutes(doc)) expect(page).toContain(r.path);
  const css = await h.http('GET', '/docs/reference.css');
  expect(css.status).toBe(200);
  expect(css.headers.get('content-type')).toMatch(/^text\/css/);
});

it('answers the console page and the health routes as documented', async () => {
  expect((await h.http('GET', '/admin')).status).toBe(200);
  for (const path of ['/livez', '/readyz', '/metrics']) expect((await h.http('GET', path)).status).toBe(200);
});

it("answers the operator's parked deliveries and the console's settings as documented", async () => {
  expect((await h.http('GET', '/v1/parked?all=true', { token: OPERATOR_TOKEN })).status).toBe(200);
  expect((await h.http('POST', '/v1/parked/999999/redrive', { token: OPERATOR_TOKEN })).status).toBe(404);
  const t = await createTenant(h);
  const settings = await h.http('GET', `/v1/tenants/${t.id}/settings`, { token: t.adminToken });
  expect(settings.status).toBe(200);
  expect(settings.body.timeZone).toBe('Europe/Berlin');
});
