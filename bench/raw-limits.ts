/**
 * The raw limits every figure is compared with, measured in the same run on
 * the same machine: JetStream publish (one at a time, and 256 in flight), the
 * MySQL transaction booking-api's create boils down to (two inserts), and bare
 * Express + JSON + HMAC. Each is measured once per run and shared by the
 * scenarios that need it; each uses its own database / namespace.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { createDb } from '@calsync/db';
import { HEADERS } from '@calsync/contracts';
import { createTestDb, createTestNats } from '@calsync/testkit';
import { closedLoop, createHttpClient, loadAbort, type LoadResult } from './lib/http';
import { startService, type Cleanup } from './lib/infra';
import { nowMs, perSecond, summarize, type LatencySummary } from './lib/stats';
import { fmtMs, fmtRate, info, type Section } from './lib/table';
import { webhookRequestFactory, type WebhookTenant } from './lib/webhooks';

export const MYSQL_CONCURRENCY = 32;
export const HTTP_CONCURRENCY = 64;
const PIPELINE = 256;

export interface RawRun {
  rate: number;
  count: number;
  elapsedMs: number;
  latency?: LatencySummary;
}

export interface RawLimits {
  jetstreamSerial(): Promise<RawRun>;
  jetstreamPipelined(): Promise<RawRun>;
  mysqlTwoInsertTx(): Promise<RawRun>;
  /** One connection, autocommit single-row UPDATE: the latency each sequential write pays. */
  mysqlCommit(): Promise<RawRun>;
  bareExpressHmac(): Promise<RawRun>;
}

export interface RawOptions {
  cleanup: Cleanup;
  log: (line: string) => void;
  /** Seconds per measurement. */
  seconds: number;
}

/** A realistic appointment event: same size and headers as what the outbox relay publishes. */
function appointmentEventBytes(tenantId: string): Uint8Array {
  const id = randomUUID();
  return Buffer.from(
    JSON.stringify({
      version: 1,
      eventId: randomUUID(),
      event: 'booked',
      tenantId,
      appointmentId: id,
      origin: 'admin',
      occurredAt: new Date().toISOString(),
      appointment: {
        id,
        tenantId,
        eventTypeId: 500000,
        start: '2040-01-01T09:00:00.000Z',
        end: '2040-01-01T09:30:00.000Z',
        status: 'booked',
        customer: {
          name: 'Bench Customer',
          email: 'bench.customer@example.com',
          phone: null,
          timeZone: 'Europe/Berlin',
        },
        notes: null,
      },
    }),
  );
}

async function jetstreamRun(opts: RawOptions, inFlight: number, maxMessages: number): Promise<RawRun> {
  const nats = await createTestNats();
  const release = opts.cleanup.add(`raw JetStream namespace ${nats.namespace}`, () => nats.close());
  try {
    const data = appointmentEventBytes('bench');
    const subject = (i: number) => `${nats.namespace}.appointments.bench.${i}.booked`;
    const publish = (i: number) => {
      const h = natsHeaders();
      const msgId = `${nats.namespace}-${i}`;
      h.set(HEADERS.msgId, msgId);
      h.set(HEADERS.origin, 'admin');
      h.set(HEADERS.tenantId, 'bench');
      h.set(HEADERS.eventType, 'appointment.booked');
      h.set(HEADERS.eventVersion, '1');
      return nats.js.publish(subject(i), data, { msgID: msgId, headers: h, timeout: 5_000 });
    };
    // Warm the connection and the stream's file store.
    for (let i = 0; i < 50; i++) await publish(-1 - i);
    const t0 = nowMs();
    const deadline = t0 + opts.seconds * 1000;
    let next = 0;
    const samples: number[] = [];
    const worker = async () => {
      while (next < maxMessages && nowMs() < deadline && !loadAbort.signal.aborted) {
        const s = nowMs();
        await publish(next++);
        samples.push(nowMs() - s);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    const elapsedMs = nowMs() - t0;
    return {
      rate: perSecond(samples.length, elapsedMs),
      count: samples.length,
      elapsedMs,
      latency: summarize(samples),
    };
  } finally {
    await release();
  }
}

const asRaw = (r: LoadResult): RawRun => ({
  rate: perSecond(r.ok, r.elapsedMs),
  count: r.ok,
  elapsedMs: r.elapsedMs,
  latency: summarize(r.samples),
});

async function mysqlRun(opts: RawOptions): Promise<{ tx: RawRun; commit: RawRun }> {
  const scratch = await createTestDb();
  // The pool matches the clients, as booking-api's does in the booking-api scenario.
  const db = createDb({ url: scratch.url, poolMax: MYSQL_CONCURRENCY });
  const release = opts.cleanup.add(`raw MySQL database ${scratch.db.name}`, async () => {
    await db.close();
    await scratch.drop();
  });
  try {
    const now = new Date();
    await db.execute(
      `INSERT INTO tenants (id, name, time_zone, admin_token_hash, calcom_api_key_enc, created_at, updated_at)
       VALUES ('bench', 'Bench', 'Europe/Berlin', SHA2('bench', 256), 'x', ?, ?)`,
      [now, now],
    );
    const commit = await closedLoop({
      concurrency: 1,
      durationMs: 2_000,
      maxRequests: 5_000,
      send: async () => {
        await db.execute('UPDATE tenants SET updated_at = ? WHERE id = ?', [new Date(), 'bench']);
        return true;
      },
    });
    const payload = Buffer.from(appointmentEventBytes('bench')).toString('utf8');
    let slotSeq = 0;
    const tx = async () => {
      const id = randomUUID();
      const start = new Date(Date.UTC(2040, 0, 1) + slotSeq++ * 30 * 60_000);
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
            'Bench Customer',
            'bench.customer@example.com',
            null,
            'Europe/Berlin',
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
    await closedLoop({ concurrency: MYSQL_CONCURRENCY, durationMs: 1_000, maxRequests: 5_000, send: tx });
    const r = await closedLoop({
      concurrency: MYSQL_CONCURRENCY,
      durationMs: opts.seconds * 1000,
      maxRequests: 200_000,
      send: tx,
    });
    if (r.failed) opts.log(`raw MySQL: ${r.failed} transactions failed (${r.failures.join('; ')})`);
    return { tx: asRaw(r), commit: asRaw(commit) };
  } finally {
    await release();
  }
}

const BARE_ENTRY = resolve(__dirname, 'bare-express-server.ts');

async function bareExpressRun(opts: RawOptions): Promise<RawRun> {
  const tenants: WebhookTenant[] = Array.from({ length: 4 }, (_, t) => ({
    id: `bare-${t}`,
    webhookSecret: `whsec-bench-bare-${t}`,
    eventTypeIds: [600_000 + t],
  }));
  const server = await startService(
    opts.cleanup,
    'bare-express',
    {
      BENCH_WEBHOOK_SECRETS: JSON.stringify(Object.fromEntries(tenants.map((t) => [t.id, t.webhookSecret]))),
    },
    BARE_ENTRY,
  );
  const client = createHttpClient(server.port, HTTP_CONCURRENCY);
  try {
    const send = webhookRequestFactory(client, tenants, 'bare');
    await closedLoop({ concurrency: HTTP_CONCURRENCY, durationMs: 1_500, maxRequests: 50_000, send });
    const r = await closedLoop({
      concurrency: HTTP_CONCURRENCY,
      durationMs: opts.seconds * 1000,
      maxRequests: 500_000,
      send,
    });
    if (r.failed) opts.log(`bare Express: ${r.failed} requests failed (${r.failures.join('; ')})`);
    return asRaw(r);
  } finally {
    client.close();
    await server.stop();
  }
}

export function createRawLimits(opts: RawOptions): RawLimits {
  const once = <T>(what: string, fn: () => Promise<T>) => {
    let p: Promise<T> | undefined;
    return () =>
      (p ??= (async () => {
        opts.log(`raw limit: ${what}…`);
        return fn();
      })());
  };
  const mysql = once(`MySQL commit latency and two-insert transaction, ${MYSQL_CONCURRENCY} concurrent`, () =>
    mysqlRun(opts),
  );
  return {
    jetstreamSerial: once('JetStream publish, one at a time', () => jetstreamRun(opts, 1, 20_000)),
    jetstreamPipelined: once(`JetStream publish, ${PIPELINE} in flight`, () =>
      jetstreamRun(opts, PIPELINE, 200_000),
    ),
    mysqlTwoInsertTx: () => mysql().then((m) => m.tx),
    mysqlCommit: () => mysql().then((m) => m.commit),
    bareExpressHmac: once(`bare Express + JSON + HMAC, ${HTTP_CONCURRENCY} concurrent`, () =>
      bareExpressRun(opts),
    ),
  };
}

export async function rawSection(limits: RawLimits): Promise<Section> {
  const serial = await limits.jetstreamSerial();
  const piped = await limits.jetstreamPipelined();
  const mysql = await limits.mysqlTwoInsertTx();
  const commit = await limits.mysqlCommit();
  const bare = await limits.bareExpressHmac();
  const lat = (r: RawRun) => (r.latency ? `p50 ${fmtMs(r.latency.p50)}, p99 ${fmtMs(r.latency.p99)}` : '-');
  return {
    title: 'raw limits (this machine, this run)',
    rows: [
      info('JetStream publish, awaited one at a time', fmtRate(serial.rate), lat(serial)),
      info(`JetStream publish, ${PIPELINE} in flight`, fmtRate(piped.rate), lat(piped)),
      info('MySQL autocommit UPDATE, one connection', fmtRate(commit.rate), lat(commit)),
      info(`MySQL two-insert tx, ${MYSQL_CONCURRENCY} concurrent`, fmtRate(mysql.rate), lat(mysql)),
      info(`bare Express + JSON + HMAC, ${HTTP_CONCURRENCY} concurrent`, fmtRate(bare.rate), lat(bare)),
    ],
    notes: [
      'the "raw limit" column here holds each raw measurement\'s own latency; scenarios compare against these rates',
      `JetStream: file-storage stream with the production config, ~${appointmentEventBytes('bench').length} B event + SPEC headers, unique Nats-Msg-Id`,
    ],
  };
}
