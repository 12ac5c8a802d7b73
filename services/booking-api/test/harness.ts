/**
 * Runs booking-api in-process against real MariaDB and NATS (own database and
 * namespace per test file) and speaks HTTP to it.
 */
import type { Server } from 'node:http';
import {
  createOpenApiConformance,
  createTestDb,
  createTestNats,
  createLogCapture,
  type TestDb,
  type TestNats,
  type LogCapture,
} from '@calsync/testkit';
import { closeServer, listen, portOf, systemClock, type Clock } from '@calsync/platform';
import type { JsMsg } from '@nats-io/jetstream';
import { createBookingApi, type BookingApi } from '../src/app';
import { loadConfig } from '../src/config';
import { openApiDocument } from '../src/http/openapi/document';

export const OPERATOR_TOKEN = 'operator-token-0123456789abcdef';

/** Every answer of every booking-api started here must match GET /openapi.json (SPEC §4.6). */
export const openApiConformance = createOpenApiConformance(openApiDocument(), {
  ignore: (path) => path.startsWith('/admin/'), // the console's static files
});
afterAll(() => openApiConformance.failOnViolations());

export interface Harness {
  url: string;
  api: BookingApi;
  testDb: TestDb;
  nats: TestNats;
  logs: LogCapture;
  http(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export async function startBookingApi(
  opts: { env?: Record<string, string>; clock?: Clock; nats?: TestNats; startRelay?: boolean } = {},
): Promise<Harness> {
  const testDb = await createTestDb();
  const nats = opts.nats ?? (await createTestNats());
  const logs = createLogCapture();
  const logger = logs.logger('booking-api');
  const config = loadConfig({
    OPERATOR_TOKEN,
    DATABASE_URL: testDb.url,
    NATS_URL: nats.url,
    NATS_NAMESPACE: nats.namespace,
    OUTBOX_POLL_MS: '50',
    ...opts.env,
  });
  const api = createBookingApi({
    config,
    logger,
    db: testDb.db,
    nc: nats.nc,
    js: nats.js,
    topology: nats.topology,
    clock: opts.clock ?? systemClock,
  });
  if (opts.startRelay !== false) api.start();
  const server: Server = await listen(api.app, 0, logger, 'booking-api');
  openApiConformance.attach(server);
  const url = `http://127.0.0.1:${portOf(server)}`;
  return {
    url,
    api,
    testDb,
    nats,
    logs,
    async http(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      let body: string | undefined = o.raw;
      if (o.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = JSON.stringify(o.body);
      }
      const res = await fetch(url + path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async close() {
      await closeServer(server);
      await api.stop();
      if (!opts.nats) await nats.close();
      await testDb.drop();
    },
  };
}

let tenantCounter = 0;
export interface TestTenant {
  id: string;
  adminToken: string;
  calcomApiKey: string;
  webhookSecret: string;
  retellApiKey: string;
  eventTypeId: number;
}

/** Creates a tenant through the operator API. Event type ids are unique per call. */
export async function createTenant(
  h: Harness,
  overrides: Partial<{
    id: string;
    eventTypes: { id: number; title: string; lengthInMinutes: number }[];
    rateLimitPerMinute: number;
  }> = {},
): Promise<TestTenant> {
  tenantCounter++;
  const id = overrides.id ?? `tenant-${tenantCounter}-${Math.random().toString(36).slice(2, 8)}`;
  const eventTypeId = 1000 + Math.floor(Math.random() * 1e8);
  const t: TestTenant = {
    id,
    adminToken: `admin-token-${id}-${'x'.repeat(16)}`,
    calcomApiKey: `cal_live_${id.replace(/-/g, '')}secret`,
    webhookSecret: `whsec-${id}-secret`,
    retellApiKey: `key_retell_${id}`,
    eventTypeId,
  };
  const res = await h.http('PUT', `/v1/tenants/${id}`, {
    token: OPERATOR_TOKEN,
    body: {
      name: `Praxis ${id}`,
      timeZone: 'Europe/Berlin',
      adminToken: t.adminToken,
      calcom: {
        apiKey: t.calcomApiKey,
        webhookSecret: t.webhookSecret,
        eventTypes: overrides.eventTypes ?? [{ id: eventTypeId, title: 'Beratung', lengthInMinutes: 30 }],
        ...(overrides.rateLimitPerMinute ? { rateLimitPerMinute: overrides.rateLimitPerMinute } : {}),
      },
      retell: { apiKey: t.retellApiKey },
    },
  });
  if (res.status !== 201) throw new Error(`tenant create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return t;
}

export interface StoredMessage {
  subject: string;
  headers: Record<string, string>;
  data: any;
  seq: number;
}

/** Every message currently in this test's APPOINTMENTS stream, in stream order. */
export async function streamMessages(
  nats: TestNats,
  stream = nats.topology.streams.appointments.name,
): Promise<StoredMessage[]> {
  const info = await nats.jsm.streams.info(stream);
  const out: StoredMessage[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await nats.jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (!m) continue;
    const headers: Record<string, string> = {};
    for (const k of m.header?.keys() ?? []) headers[k] = m.header.get(k);
    out.push({ subject: m.subject, headers, data: m.json(), seq });
  }
  return out;
}

export type { JsMsg };

/** A start time `days` ahead at `hour`:`minute` UTC. */
export function future(days: number, hour = 9, minute = 0): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + days);
  d.setUTCHours(hour, minute, 0, 0);
  return d.toISOString();
}

export const customer = {
  name: 'Jane Roe',
  email: 'jane.roe@example.com',
  phone: '+4915112345678',
  timeZone: 'Europe/Berlin',
};
