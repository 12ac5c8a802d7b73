/**
 * The raw limits the rows are compared with, each set up once per group and
 * measured again in every repetition, between the project's measurements:
 * the MySQL transaction booking-api's create boils down to (two inserts), bare
 * Express + JSON + HMAC, and a call straight to the Cal.com sandbox.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { buildSync } from 'esbuild';
import type { CalcomSandbox } from '@calsync/calcom-sandbox';
import { createDb } from '@calsync/db';
import { createTestDb } from '@calsync/testkit';
import { closedLoop, createHttpClient, openLoop, type LoadResult } from './lib/http';
import { startService, type Cleanup, type Service } from './lib/infra';
import { perSecond, summarize, type LatencySummary } from './lib/stats';
import { addSandboxAccounts, BENCH_CUSTOMER, slot, type BenchTenant } from './lib/tenants';
import { webhookRequestFactory, type WebhookTenant } from './lib/webhooks';

export const MYSQL_CONCURRENCY = 32;
export const HTTP_CONCURRENCY = 64;

export interface RawRun {
  rate: number;
  count: number;
  failed: number;
  latency: LatencySummary;
}

export const asRun = (r: LoadResult): RawRun => ({
  rate: perSecond(r.ok, r.elapsedMs),
  count: r.ok,
  failed: r.failed,
  latency: summarize(r.samples),
});

/** An outbox payload of the size the relay publishes. */
function outboxPayload(): string {
  const id = randomUUID();
  return JSON.stringify({
    version: 1,
    eventId: randomUUID(),
    event: 'booked',
    tenantId: 'bench',
    appointmentId: id,
    origin: 'admin',
    occurredAt: new Date().toISOString(),
    appointment: {
      id,
      tenantId: 'bench',
      eventTypeId: 500000,
      start: '2040-01-01T09:00:00.000Z',
      end: '2040-01-01T09:30:00.000Z',
      status: 'booked',
      customer: { ...BENCH_CUSTOMER, phone: null },
      notes: null,
    },
  });
}

/**
 * INSERT into `appointments` + INSERT into `outbox` in one transaction, from
 * MYSQL_CONCURRENCY clients on a pool of as many connections (`createDb` from
 * `@calsync/db`, as the services use it), in a scratch migrated database.
 */
export async function rawMysql(cleanup: Cleanup) {
  const scratch = await createTestDb();
  const db = createDb({ url: scratch.url, poolMax: MYSQL_CONCURRENCY });
  const release = cleanup.add(`raw MySQL database ${scratch.url}`, async () => {
    await db.close();
    await scratch.drop();
  });
  const now = new Date();
  await db.execute(
    `INSERT INTO tenants (id, name, time_zone, admin_token_hash, calcom_api_key_enc, created_at, updated_at)
     VALUES ('bench', 'Bench', 'Europe/Berlin', SHA2('bench', 256), 'x', ?, ?)`,
    [now, now],
  );
  const payload = outboxPayload();
  let slotSeq = 0;
  const tx = async () => {
    const id = randomUUID();
    const start = new Date(slot(slotSeq++));
    const at = new Date();
    await db.transaction(async (t) => {
      await db.execute(
        `INSERT INTO appointments (id, tenant_id, event_type_id, start_at, end_at, status, origin, customer_name,
           customer_email, customer_phone, customer_time_zone, notes, version, synced_version, sync_status,
           created_at, updated_at)
         VALUES (?,?,?,?,?,'booked','admin',?,?,?,?,?,1,0,'pending',?,?)`,
        [
          id,
          'bench',
          500000,
          start,
          new Date(start.getTime() + 30 * 60_000),
          BENCH_CUSTOMER.name,
          BENCH_CUSTOMER.email,
          null,
          BENCH_CUSTOMER.timeZone,
          null,
          at,
          at,
        ],
        t,
      );
      await db.execute(
        `INSERT INTO outbox (id, tenant_id, appointment_id, event, origin, payload, traceparent, created_at)
         VALUES (?,?,?,?,?,?,?,?)`,
        [randomUUID(), 'bench', id, 'booked', 'admin', payload, null, at],
        t,
      );
    });
    return true as const;
  };
  return {
    async measure(ms: number): Promise<RawRun> {
      return asRun(
        await closedLoop({ concurrency: MYSQL_CONCURRENCY, durationMs: ms, maxRequests: 500_000, send: tx }),
      );
    },
    release,
  };
}

/**
 * The baseline runs compiled, as the services do (`npm run bench` builds them first):
 * esbuild turns the one file into CommonJS beside a git-ignored `.build/`, where
 * `@calsync/platform` and express resolve to the same built packages the services load.
 */
function compiledBareEntry(): string {
  const outfile = resolve(__dirname, '.build', 'bare-express-server.js');
  buildSync({
    entryPoints: [resolve(__dirname, 'bare-express-server.ts')],
    outfile,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
  return outfile;
}

/**
 * `bare-express-server.ts` as a child process, like the services: fed the same
 * unique signed deliveries as the gateway, from HTTP_CONCURRENCY clients.
 */
export async function rawBareExpress(cleanup: Cleanup) {
  const tenants: WebhookTenant[] = Array.from({ length: 4 }, (_, t) => ({
    id: `bare-${t}`,
    webhookSecret: `whsec-bench-bare-${t}`,
    eventTypeIds: [600_000 + t],
  }));
  const server: Service = await startService(
    cleanup,
    'bare-express',
    {
      BENCH_WEBHOOK_SECRETS: JSON.stringify(Object.fromEntries(tenants.map((t) => [t.id, t.webhookSecret]))),
    },
    compiledBareEntry(),
  );
  const client = createHttpClient(server.port, HTTP_CONCURRENCY);
  const send = webhookRequestFactory(client, tenants, 'bare');
  return {
    async measure(ms: number): Promise<RawRun> {
      return asRun(
        await closedLoop({ concurrency: HTTP_CONCURRENCY, durationMs: ms, maxRequests: 1_000_000, send }),
      );
    },
    async release() {
      client.close();
      await server.stop();
    },
  };
}

/**
 * POST /v2/bookings straight to the sandbox at a fixed offered rate: Cal.com's
 * own time under that load, with nothing of ours in between. Its own account
 * (no webhook), its own calendar. CPU is this process's (client + sandbox).
 */
export function rawSandbox(sandbox: CalcomSandbox, account: BenchTenant) {
  addSandboxAccounts(sandbox, [account]);
  const client = createHttpClient(sandbox.port, 256);
  let next = 0;
  const send = async () => {
    const res = await client.json(
      'POST',
      '/v2/bookings',
      { start: slot(next++), eventTypeId: account.eventTypeIds[0]!, attendee: BENCH_CUSTOMER },
      { authorization: `Bearer ${account.calcomApiKey}`, 'cal-api-version': '2024-08-13' },
    );
    return res.status === 201 ? true : `HTTP ${res.status} ${res.body.toString().slice(0, 160)}`;
  };
  return {
    async measure(perSec: number, ms: number): Promise<RawRun & { cpuMsEach: number }> {
      const cpu0 = process.cpuUsage();
      const run = asRun(await openLoop({ ratePerSec: perSec, durationMs: ms, send, graceMs: 10_000 }));
      const cpu = process.cpuUsage(cpu0);
      return { ...run, cpuMsEach: (cpu.user + cpu.system) / 1000 / Math.max(1, run.count) };
    },
    release: () => client.close(),
  };
}
