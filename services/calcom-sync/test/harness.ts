/**
 * Test harness for calcom-sync: a fresh database and NATS namespace, the Cal.com
 * sandbox, a tenant written the way booking-api writes it, appointment rows and
 * their APPOINTMENTS events, and the service itself (in-process or as a process).
 */
import { randomUUID } from 'node:crypto';
import { createCalcomSandbox, type CalcomSandbox, type CalcomSandboxOptions } from '@calsync/calcom-sandbox';
import {
  encodeMessage,
  type AppointmentEventName,
  type AppointmentSnapshot,
  type Origin,
} from '@calsync/contracts';
import { tenantSecret, type AppointmentRow } from '@calsync/db';
import {
  publishEnvelope,
  createLogger,
  createSecretBox,
  DEV_SECRETS_KEY,
  hashToken,
  parseEnv,
  systemClock,
  type Logger,
} from '@calsync/platform';
import {
  createTestDb,
  createTestNats,
  spawnService,
  waitFor,
  type SpawnedService,
  type TestDb,
  type TestNats,
} from '@calsync/testkit';
import { createCalcomSyncApp, type CalcomSyncApp } from '../src/app';
import { buildConfig, envSchema } from '../src/config';

export const SECRETS_KEY = DEV_SECRETS_KEY;
let eventTypeSeq = 1000 + Math.floor(Math.random() * 1_000_000) * 10;

export interface Tenant {
  id: string;
  name: string;
  apiKey: string;
  eventTypeId: number;
}

export interface Harness {
  db: TestDb;
  nats: TestNats;
  sandbox: CalcomSandbox;
  env(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

/** Short retry delays, a short breaker; a test that needs other values passes them. */
export const FAST: Record<string, string> = {
  SYNC_RETRY_DELAYS_MS: '100,200,300',
  CALCOM_BREAKER_RESET_MS: '1000',
  CALCOM_TIMEOUT_MS: '2000',
  RECONCILE_INTERVAL_SECONDS: '0',
  METRICS_REFRESH_SECONDS: '1',
  LOG_LEVEL: 'warn',
};

export async function createHarness(sandboxOpts: CalcomSandboxOptions = {}): Promise<Harness> {
  const [db, nats] = await Promise.all([createTestDb(), createTestNats()]);
  const sandbox = await createCalcomSandbox({
    logger: createLogger({ service: 'sandbox', level: 'error' }),
    ...sandboxOpts,
  });
  return {
    db,
    nats,
    sandbox,
    env: (extra = {}) => ({
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      NATS_URL: nats.url,
      NATS_NAMESPACE: nats.namespace,
      CALCOM_API_URL: sandbox.url,
      CALCOM_SYNC_PORT: '0',
      SECRETS_KEY,
      ...FAST,
      ...extra,
    }),
    async close() {
      await sandbox.close();
      await nats.close();
      await db.drop();
    },
  };
}

/** A tenant as booking-api stores it (encrypted key) plus its Cal.com account in the sandbox. */
export async function addTenant(h: Harness, opts: { rateLimitPerMinute?: number } = {}): Promise<Tenant> {
  const id = `t-${randomUUID().slice(0, 8)}`;
  const apiKey = `cal_test_${randomUUID().replace(/-/g, '')}`;
  const eventTypeId = (eventTypeSeq += 1);
  const box = createSecretBox(SECRETS_KEY);
  const now = new Date();
  const name = `Praxis ${id}`;
  await h.db.db.execute(
    `INSERT INTO tenants (id, name, time_zone, admin_token_hash, calcom_api_key_enc, calcom_webhook_secret_enc,
       calcom_rate_limit_per_minute, created_at, updated_at) VALUES (?, ?, 'Europe/Berlin', ?, ?, ?, ?, ?, ?)`,
    [
      id,
      name,
      hashToken(randomUUID()),
      box.seal(apiKey, tenantSecret(id, 'calcom_api_key_enc')),
      box.seal('whsec', tenantSecret(id, 'calcom_webhook_secret_enc')),
      opts.rateLimitPerMinute ?? 120,
      now,
      now,
    ],
  );
  await h.db.db.execute(
    `INSERT INTO tenant_event_types (tenant_id, id, title, length_minutes, position) VALUES (?, ?, 'Beratung', 30, 0)`,
    [id, eventTypeId],
  );
  h.sandbox.addAccount({ apiKey, eventTypes: [{ id: eventTypeId, title: 'Beratung', lengthInMinutes: 30 }] });
  return { id, name, apiKey, eventTypeId };
}

/** Monday 2050-09-05 09:00 Berlin (07:00Z) plus n half-hour slots within working hours. */
export function slot(n: number): Date {
  const day = Math.floor(n / 16);
  const weekday = day % 5;
  const week = Math.floor(day / 5);
  const ms = Date.UTC(2050, 8, 5 + week * 7 + weekday, 7, 0) + (n % 16) * 30 * 60_000;
  return new Date(ms);
}

export async function loadRow(h: Harness, id: string): Promise<AppointmentRow> {
  const [row] = await h.db.db.query<AppointmentRow>('SELECT * FROM appointments WHERE id = ?', [id]);
  if (!row) throw new Error(`no appointment ${id}`);
  return row;
}

/** The snapshot booking-api puts into an appointment's event (its domain/appointment-resource.ts). */
function snapshotOf(r: AppointmentRow): AppointmentSnapshot {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    eventTypeId: Number(r.event_type_id),
    start: r.start_at.toISOString(),
    end: r.end_at.toISOString(),
    status: r.status,
    customer: {
      name: r.customer_name,
      email: r.customer_email,
      phone: r.customer_phone,
      timeZone: r.customer_time_zone,
    },
    notes: r.notes,
  };
}

async function publish(
  h: Harness,
  row: AppointmentRow,
  event: AppointmentEventName,
  origin: Origin,
  reason?: string,
) {
  const eventId = randomUUID();
  const env = encodeMessage(
    'appointment',
    h.nats.topology,
    {
      version: 1,
      eventId,
      event,
      tenantId: row.tenant_id,
      appointmentId: row.id,
      origin,
      occurredAt: new Date().toISOString(),
      appointment: snapshotOf(row),
      ...(reason ? { reason } : {}),
    },
    { msgId: eventId, origin, traceparent: `00-${randomUUID().replace(/-/g, '')}-${'1'.repeat(16)}-01` },
  );
  await publishEnvelope(h.nats.js, env);
}

/** What booking-api does for a new appointment: the row, then its `booked` event. */
export async function book(h: Harness, t: Tenant, start: Date, origin: Origin = 'admin'): Promise<string> {
  const id = randomUUID();
  const now = new Date();
  await h.db.db.execute(
    `INSERT INTO appointments (id, tenant_id, event_type_id, start_at, end_at, status, origin, customer_name,
       customer_email, customer_phone, customer_time_zone, version, synced_version, sync_status, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'booked', ?, 'Jane Roe', 'jane@example.com', '+4915112345678', 'Europe/Berlin', 1, 0, 'pending', ?, ?)`,
    [id, t.id, t.eventTypeId, start, new Date(start.getTime() + 30 * 60_000), origin, now, now],
  );
  await publish(h, await loadRow(h, id), 'booked', origin);
  return id;
}

const LOCAL_CHANGE = `version = version + 1, sync_status = 'pending', sync_attempts = 0,
  sync_error_code = NULL, sync_error_message = NULL, updated_at = NOW(3)`;

export async function reschedule(h: Harness, id: string, start: Date, origin: Origin = 'admin') {
  await h.db.db.execute(`UPDATE appointments SET start_at = ?, end_at = ?, ${LOCAL_CHANGE} WHERE id = ?`, [
    start,
    new Date(start.getTime() + 30 * 60_000),
    id,
  ]);
  await publish(h, await loadRow(h, id), 'rescheduled', origin);
}

export async function cancel(h: Harness, id: string, origin: Origin = 'admin', reason = 'Customer called') {
  await h.db.db.execute(
    `UPDATE appointments SET status = 'cancelled', cancel_reason = ?, ${LOCAL_CHANGE} WHERE id = ?`,
    [reason, id],
  );
  await publish(h, await loadRow(h, id), 'cancelled', origin, reason);
}

export async function touch(h: Harness, id: string, event: AppointmentEventName, origin: Origin) {
  await publish(h, await loadRow(h, id), event, origin);
}

/** The service in this process; stop() is what SIGTERM does, minus closing the shared connections. */
export async function startApp(
  h: Harness,
  extra: Record<string, string> = {},
  logger: Logger = createLogger({ service: 'calcom-sync', level: 'error' }),
): Promise<CalcomSyncApp> {
  const config = buildConfig(parseEnv(envSchema, h.env(extra)));
  const app = createCalcomSyncApp({ config, logger, db: h.db.db, nats: h.nats, clock: systemClock });
  await app.start();
  return app;
}

export function spawnSync(h: Harness, extra: Record<string, string> = {}): Promise<SpawnedService> {
  return spawnService('calcom-sync', h.env({ DB_MIGRATE: 'false', ...extra }));
}

export function waitForRow(
  h: Harness,
  id: string,
  ok: (r: AppointmentRow) => boolean,
  what: string,
  timeoutMs = 20_000,
) {
  return waitFor(
    async () => {
      const r = await loadRow(h, id);
      return ok(r) ? r : undefined;
    },
    { timeoutMs, what },
  );
}

const masked = (key: string) => `${key.slice(0, 4)}…${key.slice(-4)}`;

/** The Cal.com API calls the sandbox received with this tenant's key, optionally for one route. */
export const callsOf = (h: Harness, t: Tenant, route?: string) =>
  h.sandbox.calls({ kind: 'api', ...(route ? { route } : {}) }).filter((c) => c.apiKey === masked(t.apiKey));

export const bookingsOf = (h: Harness, t: Tenant) => h.sandbox.bookings({ apiKey: t.apiKey });

export async function attemptsAudit(h: Harness, id: string) {
  return h.db.db.query<{ action: string; outcome: string; attempt: number }>(
    'SELECT action, outcome, attempt FROM sync_attempts WHERE appointment_id = ? ORDER BY id',
    [id],
  );
}
