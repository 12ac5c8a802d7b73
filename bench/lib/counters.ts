/**
 * What the services asked of MySQL and NATS in a window, counted on private
 * servers: MariaDB's general log (every command of every connection, with its
 * user, hence its service) and NATS's view (a `>` subscription sees every
 * message on the account: publishes, acks, pull requests, JetStream API calls,
 * replies; /connz counts per named connection).
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Connection, RowDataPacket } from 'mysql2/promise';

export interface Command {
  user: string;
  thread: number;
  /** Query, Execute, Prepare, Close stmt, Connect, Quit… */
  command: string;
  sql: string;
}

/** Commands that get an answer: what a round trip is. (Close stmt has none; Connect/Quit are not per request.) */
export const isRoundTrip = (c: Command) => !['Close stmt', 'Connect', 'Quit'].includes(c.command);

export function generalLog(root: Connection) {
  return {
    async start() {
      await root.query('SET GLOBAL general_log = 0');
      await root.query("SET GLOBAL log_output = 'TABLE'");
      await root.query('TRUNCATE TABLE mysql.general_log');
      await root.query('SET GLOBAL general_log = 1');
    },
    /** Stops logging and returns what was logged, in the order it happened (the table's own order). */
    async stop(): Promise<Command[]> {
      await root.query('SET GLOBAL general_log = 0');
      const [rows] = await root.query<RowDataPacket[]>(
        `SELECT thread_id, user_host, command_type, CONVERT(argument USING utf8mb4) AS argument
           FROM mysql.general_log`,
      );
      return rows.map((r) => ({
        user: String(r.user_host).split('[')[0]!.trim(),
        thread: Number(r.thread_id),
        command: String(r.command_type),
        sql: String(r.argument ?? ''),
      }));
    },
  };
}

/** A statement without its values: what it is, not which row it touched. */
export function normalize(sql: string): string {
  return sql
    .replace(/\s+/g, ' ')
    .replace(/'(?:[^'\\]|\\.)*'/g, '?')
    .replace(/\b\d+(?:\.\d+)?\b/g, '?')
    .replace(/\((?:\?, ?)+\?\)/g, '(?…)')
    .replace(/(?:\(\?…\), ?)+\(\?…\)/g, '(?…)…')
    .trim();
}

/**
 * Round trips per unit of work: on each connection, a transaction (START
 * TRANSACTION … COMMIT/ROLLBACK) or a statement outside one, labelled by
 * `label` from the unit's statements (raw SQL, values included).
 */
export function countUnits(commands: Command[], label: (user: string, unit: string[]) => string) {
  const out = new Map<string, number>();
  const open = new Map<number, string[]>();
  const close = (user: string, unit: string[]) => {
    const k = label(user, unit);
    out.set(k, (out.get(k) ?? 0) + unit.length);
  };
  for (const c of commands.filter(isRoundTrip)) {
    const unit = open.get(c.thread);
    if (unit) {
      unit.push(c.sql);
      if (/^(COMMIT|ROLLBACK)\b/i.test(c.sql)) {
        open.delete(c.thread);
        close(c.user, unit);
      }
    } else if (/^(START TRANSACTION|BEGIN)\b/i.test(c.sql)) open.set(c.thread, [c.sql]);
    else close(c.user, [c.sql]);
  }
  return out;
}

/**
 * Subjects without ids: `<ns>.appointments.<t>.<id>.booked` -> `publish
 * appointments.*.*.booked`. A message JetStream delivers to a pull consumer
 * travels under its stream subject too; its reply subject ($JS.ACK.<stream>.
 * <durable>…) tells it from the publish.
 */
export function subjectKind(subject: string, reply: string | undefined, namespace: string): string {
  if (reply?.startsWith('$JS.ACK.')) return `JetStream delivery to ${reply.split('.')[3]}`;
  const s = subject.startsWith(`${namespace}.`) ? subject.slice(namespace.length + 1) : subject;
  const t = s.split('.');
  if (s.startsWith('$JS.ACK.')) return `ack ($JS.ACK) ${t[3]}`;
  if (s.startsWith('$JS.API.CONSUMER.MSG.NEXT.')) return `pull request ${t[6]}`;
  if (s.startsWith('$JS.API.')) return `JetStream API ${t.slice(2, 4).join('.')}`;
  if (s.startsWith('_INBOX.')) return 'reply to an inbox (publish acks, API answers)';
  if (t[0] === 'appointments') return `publish appointments.*.*.${t[3]}`;
  if (t[0] === 'calcom') return `publish calcom.inbound.*.${t[3]}`;
  if (t[0] === 'sync') return `publish sync.*.*.${t[3]}`;
  return `other ${t.slice(0, 2).join('.')}`;
}

export async function natsTap(url: string, namespace: string) {
  const nc: NatsConnection = await connect({ servers: url, name: 'bench-tap' });
  const counts = new Map<string, number>();
  const sub = nc.subscribe('>');
  const done = (async () => {
    for await (const m of sub) {
      const k = subjectKind(m.subject, m.reply, namespace);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  })();
  return {
    snapshot: () => new Map(counts),
    async close() {
      await nc.drain();
      await done;
    },
  };
}

/** Messages each named connection sent (in) and received (out) so far, from /connz. */
export async function connz(monitor: string): Promise<Map<string, { sent: number; received: number }>> {
  const res = await fetch(`${monitor}/connz?limit=1024`);
  const body = (await res.json()) as { connections?: { name?: string; in_msgs: number; out_msgs: number }[] };
  const out = new Map<string, { sent: number; received: number }>();
  for (const c of body.connections ?? []) {
    // calcom-sync names its connection `calcom-sync:<worker id>`.
    const name = (c.name ?? '?').split(':')[0]!;
    const prev = out.get(name) ?? { sent: 0, received: 0 };
    out.set(name, { sent: prev.sent + c.in_msgs, received: prev.received + c.out_msgs });
  }
  return out;
}

interface Jsz {
  account_details?: {
    stream_detail?: {
      name: string;
      state: { messages: number };
      consumer_detail?: { name: string; num_pending: number; num_ack_pending: number }[];
    }[];
  }[];
}

/**
 * Streams and consumers read over the monitoring endpoint (/jsz) rather than
 * with JetStream API requests, which would show up among the messages counted.
 */
export function monitorProbe(monitor: string) {
  const streams = async () => {
    const res = await fetch(`${monitor}/jsz?accounts=true&streams=true&consumers=true`);
    const body = (await res.json()) as Jsz;
    return (body.account_details ?? []).flatMap((a) => a.stream_detail ?? []);
  };
  return {
    messages: async (stream: string) => (await streams()).find((s) => s.name === stream)?.state.messages ?? 0,
    async pending(stream: string, durable: string) {
      const c = (await streams())
        .find((s) => s.name === stream)
        ?.consumer_detail?.find((d) => d.name === durable);
      return c ? c.num_pending + c.num_ack_pending : 0;
    },
  };
}
