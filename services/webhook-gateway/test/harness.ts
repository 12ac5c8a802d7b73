/**
 * Starts the gateway in-process on port 0 against a real MariaDB and NATS, with
 * tenants written straight into the test database, and a keep-alive HTTP client.
 */
import http from 'node:http';
import type { Server } from 'node:http';
import { createTenantReader, tenantSecret } from '@calsync/db';
import { decodeMessage, readMeta, type Topology } from '@calsync/contracts';
import {
  closeServer,
  createSecretBox,
  hmacSha256Hex,
  listen,
  portOf,
  systemClock,
  type Clock,
  type Logger,
  type NatsHandle,
} from '@calsync/platform';
import { createOpenApiConformance, createTestDb, type TestDb } from '@calsync/testkit';
import { createWebhookGatewayApp } from '../src/app';
import { loadConfig, type WebhookGatewayConfig } from '../src/config';
import { createDeliveriesRepo } from '../src/db/deliveries-repo';
import { createDeliveryRecorder, type DeliveryRecorder } from '../src/db/delivery-recorder';
import { readDuplicateWindowMs } from '../src/messaging/duplicate-window';
import { createGatewayMetrics, type GatewayMetrics } from '../src/metrics';
import { gatewayOpenApiDocument } from './openapi';

const SECRETS_KEY = '1'.repeat(64);
export const secretBox = createSecretBox(SECRETS_KEY);

/** Every answer of every gateway started here must match the OpenAPI document (SPEC §4.6). */
export const openApiConformance = createOpenApiConformance(gatewayOpenApiDocument());
afterAll(() => openApiConformance.failOnViolations());

export interface TenantFixture {
  id: string;
  webhookSecret: string | null;
  eventTypeIds: number[];
}

export async function insertTenant(db: TestDb['db'], t: TenantFixture): Promise<void> {
  const now = new Date();
  await db.execute(
    `INSERT INTO tenants (id, name, time_zone, admin_token_hash, calcom_api_key_enc, calcom_webhook_secret_enc,
       created_at, updated_at) VALUES (?, ?, 'Europe/Berlin', SHA2(?, 256), ?, ?, ?, ?)`,
    [
      t.id,
      `Tenant ${t.id}`,
      t.id,
      secretBox.seal(`cal_live_${t.id}apikey000`, tenantSecret(t.id, 'calcom_api_key_enc')),
      t.webhookSecret === null
        ? null
        : secretBox.seal(t.webhookSecret, tenantSecret(t.id, 'calcom_webhook_secret_enc')),
      now,
      now,
    ],
  );
  for (const [i, id] of t.eventTypeIds.entries()) {
    await db.execute(
      'INSERT INTO tenant_event_types (tenant_id, id, title, length_minutes, position) VALUES (?, ?, ?, 30, ?)',
      [t.id, id, `Type ${id}`, i],
    );
  }
}

export interface GatewayUnderTest {
  url: string;
  app: ReturnType<typeof createWebhookGatewayApp>;
  metrics: GatewayMetrics;
  /** The deliveries table's write-behind buffer. */
  recorder: DeliveryRecorder;
  /** Writes the buffered delivery records now (they are written behind the answers). */
  flush(): Promise<void>;
  /** Stops the server, then writes the buffered records, as shutdown does. */
  close(): Promise<void>;
}

export async function startGateway(opts: {
  db: TestDb['db'];
  nats: NatsHandle;
  topology: Topology;
  logger: Logger;
  clock?: Clock;
  env?: Record<string, string>;
  /** Overrides of config.webhook.records (e.g. a long flush interval). */
  records?: Partial<WebhookGatewayConfig['webhook']['records']>;
  /** How long the tenant reader caches a tenant (60 s unless told). */
  tenantTtlMs?: number;
}): Promise<GatewayUnderTest> {
  const config = loadConfig({ NODE_ENV: 'test', SECRETS_KEY, ...opts.env });
  const metrics = createGatewayMetrics();
  const recorder = createDeliveryRecorder({
    repo: createDeliveriesRepo(opts.db),
    logger: opts.logger,
    metrics,
    ...config.webhook.records,
    ...opts.records,
  });
  const app = createWebhookGatewayApp({
    config,
    logger: opts.logger,
    db: opts.db,
    js: opts.nats.js,
    nc: opts.nats.nc,
    topology: opts.topology,
    tenants: createTenantReader({ db: opts.db, secrets: secretBox, ttlMs: opts.tenantTtlMs ?? 60_000 }),
    clock: opts.clock ?? systemClock,
    metrics,
    duplicateWindowMs: await readDuplicateWindowMs(opts.nats.jsm, opts.topology),
    deliveries: recorder,
  });
  const server: Server = await listen(app, 0, opts.logger, 'webhook-gateway');
  openApiConformance.attach(server);
  return {
    url: `http://127.0.0.1:${portOf(server)}`,
    app,
    metrics,
    recorder,
    async flush() {
      if (!(await recorder.flush())) throw new Error('delivery records not written');
    },
    async close() {
      await closeServer(server);
      await recorder.stop();
    },
  };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json(): unknown;
}

/** Raw HTTP so tests control every byte and header; one keep-alive agent per client. */
export function createClient(baseUrl: string, maxSockets = 32) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const url = new URL(baseUrl);
  function request(
    method: string,
    path: string,
    body?: Buffer | string,
    headers: Record<string, string | number> = {},
  ): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: url.hostname, port: url.port, method, path, agent, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: text,
              json: () => JSON.parse(text) as unknown,
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
  return {
    request,
    get: (path: string) => request('GET', path),
    close: () => agent.destroy(),
  };
}
export type Client = ReturnType<typeof createClient>;

export const webhookPath = (tenantId: string) => `/v1/webhooks/calcom/${encodeURIComponent(tenantId)}`;

/** POSTs a body as Cal.com does: JSON content type and the HMAC of the exact bytes. */
export function postSigned(client: Client, tenantId: string, raw: string | Buffer, secret: string | null) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  headers['X-Cal-Signature-256'] = secret === null ? 'no-secret-provided' : hmacSha256Hex(secret, raw);
  headers['X-Cal-Webhook-Version'] = '2021-10-20';
  return client.request('POST', webhookPath(tenantId), raw, headers);
}

export async function streamCount(nats: NatsHandle, topology: Topology): Promise<number> {
  const info = await nats.jsm.streams.info(topology.streams.calcomInbound.name);
  return info.state.messages;
}

/** Every message in CALCOM_INBOUND, decoded with the contract. */
export async function streamMessages(nats: NatsHandle, topology: Topology) {
  const stream = topology.streams.calcomInbound.name;
  const info = await nats.jsm.streams.info(stream);
  const out = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await nats.jsm.streams.getMessage(stream, { seq });
    if (!m) continue;
    const decoded = decodeMessage('calcomInbound', { data: m.data, headers: m.header });
    out.push({ subject: m.subject, meta: readMeta(m.header), decoded });
  }
  return out;
}

export { createTestDb };
