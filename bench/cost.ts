/**
 * `npm run bench -- cost`: what one appointment costs end to end in MySQL
 * round trips and NATS operations — create, outbox relay, calcom-sync, the
 * webhook echo through the gateway, the applier — counted, not estimated.
 *
 * The whole system runs on private servers (lib/private-servers.ts), each
 * service as its own MySQL user. Two windows are counted the same way: an idle
 * one (what the services do on their own: polls, heartbeats) and one in which
 * N appointments are created and followed until the system is idle again; the
 * idle counts, scaled to the second window's length, are subtracted.
 */
import type { RowDataPacket } from 'mysql2/promise';
import { closedLoop, openLoop } from './lib/http';
import type { Cleanup } from './lib/infra';
import {
  connz,
  countUnits,
  generalLog,
  isRoundTrip,
  monitorProbe,
  natsTap,
  normalize,
  type Command,
} from './lib/counters';
import { privateMysql, privateNats } from './lib/private-servers';
import { nowMs, sleep } from './lib/stats';
import { bookingsByAppointment, startSystem, type Created, type System } from './lib/system';

const USERS: Record<string, string> = {
  'booking-api': 'bench_api',
  'webhook-gateway': 'bench_gateway',
  'calcom-sync': 'bench_sync',
};
const N = 100;
const PER_SEC = 20;
const IDLE_MS = 5_000;

/**
 * Which step of an appointment's way a unit of work (a transaction or a lone
 * statement, raw SQL) belongs to. booking-api does three of them, told apart
 * by what they touch.
 */
function stageOf(service: string, unit: string[]): string {
  const text = unit.join('\n');
  if (unit.length === 1 && /^SET (time_zone|SESSION)/.test(text)) return `${service}: new pooled connection`;
  if (service !== 'booking-api') return service === 'webhook-gateway' ? 'webhook-gateway (echo)' : service;
  if (/INSERT INTO appointments/.test(text))
    return /'calcom'/.test(text) ? 'booking-api: applier' : 'booking-api: create';
  if (/calcom_booking_uid = |calcom_booking_tombstones|inbound_/.test(text)) return 'booking-api: applier';
  if (/\boutbox\b/.test(text)) return 'booking-api: outbox relay';
  return 'booking-api: other';
}

interface Window {
  ms: number;
  /** MariaDB's global Questions counter over the window: a cross-check of the general log. */
  questions: number;
  commands: Command[];
  nats: Map<string, { sent: number; received: number }>;
  subjects: Map<string, number>;
}

function delta<K>(after: Map<K, number>, before: Map<K, number>): Map<K, number> {
  return new Map([...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)]));
}

/** Per appointment: (counted − idle × scale) / N, rounded to hundredths. */
const perAppointment = (counted: number, idle: number, scale: number) =>
  Math.round(((counted - idle * scale) / N) * 100) / 100;

function countBy<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const i of items) out.set(key(i), (out.get(key(i)) ?? 0) + 1);
  return out;
}

export async function costSection({ cleanup, log }: { cleanup: Cleanup; log: (l: string) => void }) {
  log('cost: private MariaDB and nats-server');
  const mysql = await privateMysql(cleanup, Object.values(USERS));
  const nats = await privateNats(cleanup);
  const database = 'calsync_bench_cost';
  const sys: System = await startSystem(cleanup, {
    prefix: 'co',
    tenants: 2,
    eventTypesEach: 1,
    rateLimitPerMinute: 100_000,
    servers: { databaseUrl: mysql.urlFor('root', database), natsUrl: nats.url },
    envFor: (service) => ({ DATABASE_URL: mysql.urlFor(USERS[service]!, database) }),
    probe: () => monitorProbe(nats.monitor),
  });
  const tap = await natsTap(nats.url, sys.infra.nats.namespace);
  cleanup.add('NATS tap', () => tap.close());
  const log_ = generalLog(mysql.root);
  const users = new Map(Object.entries(USERS).map(([s, u]) => [u, s]));

  const appointments = async (count: number, perSec: number) => {
    const created: Created[] = [];
    const send = sys.sender(created);
    const before = await sys.published();
    const r = perSec
      ? await openLoop({ ratePerSec: perSec, durationMs: (count / perSec) * 1000, send })
      : await closedLoop({ concurrency: 4, durationMs: 60_000, maxRequests: count, send });
    if (r.failed) throw new Error(`creates failed: ${r.failures.join(' | ')}`);
    if (!(await sys.settle(60_000, before + created.length)))
      throw new Error('the system did not become idle');
    const seen = bookingsByAppointment(sys.sandbox);
    if (!created.every((c) => seen.has(c.id))) throw new Error('not every appointment reached the sandbox');
    return created.length;
  };
  const questions = async () => {
    const [rows] = await mysql.root.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Questions'");
    return Number(rows[0]?.Value);
  };
  const window = async (fn: () => Promise<unknown>): Promise<Window> => {
    await log_.start();
    const [nats0, subjects0, q0, t0] = [
      await connz(nats.monitor),
      tap.snapshot(),
      await questions(),
      nowMs(),
    ];
    await fn();
    const ms = nowMs() - t0;
    const q1 = await questions();
    const commands = (await log_.stop()).filter((c) => users.has(c.user));
    const nats1 = await connz(nats.monitor);
    const perService = new Map(
      Object.keys(USERS).map((s) => {
        const [a, b] = [nats1.get(s), nats0.get(s)];
        return [
          s,
          { sent: (a?.sent ?? 0) - (b?.sent ?? 0), received: (a?.received ?? 0) - (b?.received ?? 0) },
        ];
      }),
    );
    return { ms, questions: q1 - q0, commands, nats: perService, subjects: delta(tap.snapshot(), subjects0) };
  };

  log('cost: warming up (20 appointments)');
  await appointments(20, 0);
  log(`cost: idle window (${IDLE_MS / 1000} s)`);
  const idle = await window(() => sleep(IDLE_MS));
  log(`cost: ${N} appointments at ${PER_SEC}/s, followed until idle`);
  const busy = await window(() => appointments(N, PER_SEC));
  const scale = busy.ms / idle.ms;

  const service = (c: Command) => users.get(c.user)!;
  const trips = (w: Window) => countBy(w.commands.filter(isRoundTrip), service);
  const statements = (w: Window) =>
    countBy(w.commands.filter(isRoundTrip), (c) => `${service(c)}\t${c.command}\t${normalize(c.sql)}`);
  const [busyTrips, idleTrips] = [trips(busy), trips(idle)];
  const stages = (w: Window) => countUnits(w.commands, (user, unit) => stageOf(users.get(user)!, unit));
  const [busyStages, idleStages] = [stages(busy), stages(idle)];
  const mysqlPerStage = Object.fromEntries(
    [...busyStages]
      .map(([k, n]) => [k, perAppointment(n, idleStages.get(k) ?? 0, scale)] as const)
      .filter(([, v]) => Math.abs(v) >= 0.05)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  const [busyStatements, idleStatements] = [statements(busy), statements(idle)];

  const mysqlPerService = Object.fromEntries(
    Object.keys(USERS).map((s) => [s, perAppointment(busyTrips.get(s) ?? 0, idleTrips.get(s) ?? 0, scale)]),
  );
  const statementRows = [...busyStatements]
    .map(([key, n]) => {
      const [svc, command, sql] = key.split('\t') as [string, string, string];
      return {
        service: svc,
        command,
        sql,
        perAppointment: perAppointment(n, idleStatements.get(key) ?? 0, scale),
      };
    })
    .filter((r) => r.perAppointment >= 0.05)
    .sort((a, b) => a.service.localeCompare(b.service) || b.perAppointment - a.perAppointment);
  const natsPerService = Object.fromEntries(
    Object.keys(USERS).map((s) => {
      const [b, i] = [busy.nats.get(s)!, idle.nats.get(s)!];
      return [
        s,
        {
          sent: perAppointment(b.sent, i.sent, scale),
          received: perAppointment(b.received, i.received, scale),
        },
      ];
    }),
  );
  const subjectRows = [...busy.subjects]
    .map(([kind, n]) => ({ kind, perAppointment: perAppointment(n, idle.subjects.get(kind) ?? 0, scale) }))
    .filter((r) => r.perAppointment >= 0.05)
    .sort((a, b) => b.perAppointment - a.perAppointment);

  const out: string[] = [
    `== cost of one appointment end to end: ${N} created at ${PER_SEC}/s, each pushed to Cal.com, echoed back through the gateway and applied; idle baseline (${(idle.ms / 1000).toFixed(1)} s) scaled to ${(busy.ms / 1000).toFixed(1)} s and subtracted ==`,
    `MySQL round trips per appointment: ${Object.entries(mysqlPerService)
      .map(([s, v]) => `${s} ${v}`)
      .join(', ')}; total ${Object.values(mysqlPerService)
      .reduce((a, b) => a + b, 0)
      .toFixed(2)} (MariaDB's Questions counter: ${perAppointment(busy.questions, idle.questions, scale)})`,
    `  by step: ${Object.entries(mysqlPerStage)
      .map(([k, v]) => `${k} ${v}`)
      .join('; ')}`,
    '  by statement:',
    ...statementRows.map(
      (r) =>
        `  ${r.service.padEnd(16)} ${r.perAppointment.toFixed(2).padStart(6)}  ${r.command.padEnd(8)} ${r.sql.slice(0, 150)}`,
    ),
    `NATS messages per appointment, sent / received by each service: ${Object.entries(natsPerService)
      .map(([s, v]) => `${s} ${v.sent} / ${v.received}`)
      .join(', ')}`,
    ...subjectRows.map((r) => `  ${r.perAppointment.toFixed(2).padStart(6)}  ${r.kind}`),
  ];
  process.stdout.write(`${out.join('\n')}\n\n`);
  await sys.release();
  return {
    n: N,
    perSec: PER_SEC,
    idleMs: idle.ms,
    busyMs: busy.ms,
    mysqlPerService,
    mysqlPerStage,
    statementRows,
    natsPerService,
    subjectRows,
  };
}
