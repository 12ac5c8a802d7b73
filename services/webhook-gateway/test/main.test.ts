/** The composition root as a container runs it: starts, serves, and exits 0 on SIGTERM within 10 s. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createTopology } from '@calsync/contracts';
import { tenantSecret } from '@calsync/db';
import {
  DEV_SECRETS_KEY,
  createLogger,
  createSecretBox,
  hmacSha256Hex,
  connectNats,
} from '@calsync/platform';
import { natsUrl, uniqueSuffix, waitFor } from '@calsync/testkit';
import { bookingPayload, webhookBody } from './fixtures';
import { createTestDb } from './harness';

const ROOT = join(__dirname, '..', '..', '..');
const namespace = `t${uniqueSuffix()}`;
let testDb: Awaited<ReturnType<typeof createTestDb>>;
let child: ChildProcess | undefined;

beforeAll(async () => {
  testDb = await createTestDb();
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  const nats = await connectNats({
    url: natsUrl(),
    name: 'cleanup',
    logger: createLogger({ service: 'test', level: 'error' }),
  });
  for (const s of Object.values(createTopology(namespace).streams))
    await nats.jsm.streams.delete(s.name).catch(() => undefined);
  await nats.nc.close();
  await testDb?.drop();
});

it('starts with the development key, accepts a signed delivery, and exits 0 on SIGTERM within 10 s, its record written', async () => {
  const secret = 'whsec_main_0123456789';
  const now = new Date();
  await testDb.db.execute(
    `INSERT INTO tenants (id, name, time_zone, admin_token_hash, calcom_api_key_enc, calcom_webhook_secret_enc, created_at, updated_at)
     VALUES ('main-t', 'Main', 'Europe/Berlin', SHA2('main-t', 256), ?, ?, ?, ?)`,
    [
      createSecretBox(DEV_SECRETS_KEY).seal('cal_live_x', tenantSecret('main-t', 'calcom_api_key_enc')),
      createSecretBox(DEV_SECRETS_KEY).seal(secret, tenantSecret('main-t', 'calcom_webhook_secret_enc')),
      now,
      now,
    ],
  );
  await testDb.db.execute(
    "INSERT INTO tenant_event_types (tenant_id, id, title, length_minutes, position) VALUES ('main-t', 7701, 'T', 30, 0)",
  );

  let out = '';
  child = spawn(process.execPath, ['--import', 'tsx', 'services/webhook-gateway/src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      WEBHOOK_GATEWAY_PORT: '0',
      DATABASE_URL: testDb.url,
      NATS_URL: natsUrl(),
      NATS_NAMESPACE: namespace,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));

  const port = await waitFor(() => /"port":(\d+)/.exec(out)?.[1], {
    timeoutMs: 30_000,
    what: 'listening line',
  });
  expect(out).toContain('SECRETS_KEY is not set: using the fixed development key');
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { what: 'ready' });

  const raw = webhookBody('BOOKING_CREATED', bookingPayload(7701));
  const r = await fetch(`${base}/v1/webhooks/calcom/main-t`, {
    method: 'POST',
    body: raw,
    headers: { 'Content-Type': 'application/json', 'X-Cal-Signature-256': hmacSha256Hex(secret, raw) },
  });
  expect(r.status).toBe(200);

  const started = Date.now();
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(out).toContain('Shutdown complete');
  expect(out).not.toContain(secret);
  // Its record is written behind the answer; SIGTERM right after it still leaves it in the table.
  const rows = await testDb.db.query<{ published_at: Date | null }>(
    "SELECT published_at FROM webhook_deliveries WHERE tenant_id = 'main-t'",
  );
  expect(rows.map((r) => r.published_at)).toEqual([expect.any(Date)]);
}, 60_000);
