/**
 * Sequelize + mysql2. Everything is stored and compared in UTC: the session
 * time zone is pinned and DATETIME(3) columns hold UTC instants.
 */
import { QueryTypes, Sequelize, Transaction } from 'sequelize';
import type { Logger } from '@calsync/platform';

export interface DbOptions {
  url: string;
  poolMax?: number;
  logger?: Logger;
}

export interface Db {
  sequelize: Sequelize;
  /** The database name from the URL. */
  name: string;
  query<T extends object>(
    sql: string,
    replacements?: unknown[] | Record<string, unknown>,
    tx?: Transaction,
  ): Promise<T[]>;
  /** Runs INSERT/UPDATE/DELETE; returns affected rows. */
  execute(sql: string, replacements?: unknown[] | Record<string, unknown>, tx?: Transaction): Promise<number>;
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export function parseDatabaseUrl(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    database: u.pathname.replace(/^\//, ''),
  };
}

/** Sequelize drops milliseconds when it escapes a Date; we pass DATETIME(3) literals ourselves. */
export function toSqlDateTime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

function bind(replacements?: unknown[] | Record<string, unknown>): unknown {
  if (!replacements) return undefined;
  const conv = (v: unknown) => (v instanceof Date ? toSqlDateTime(v) : v);
  if (Array.isArray(replacements)) return replacements.map(conv);
  return Object.fromEntries(Object.entries(replacements).map(([k, v]) => [k, conv(v)]));
}

export function createDb(opts: DbOptions): Db {
  const c = parseDatabaseUrl(opts.url);
  const sequelize = new Sequelize(c.database, c.user, c.password || undefined, {
    host: c.host,
    port: c.port,
    dialect: 'mysql',
    logging: false,
    timezone: '+00:00',
    pool: { max: opts.poolMax ?? 20, min: 0, acquire: 10_000, idle: 10_000 },
    dialectOptions: { timezone: 'Z', dateStrings: false, connectTimeout: 5_000 },
  });
  return {
    sequelize,
    name: c.database,
    async query<T extends object>(
      sql: string,
      replacements?: unknown[] | Record<string, unknown>,
      tx?: Transaction,
    ) {
      return sequelize.query<T>(sql, {
        replacements: bind(replacements) as never,
        type: QueryTypes.SELECT,
        transaction: tx ?? null,
      });
    },
    async execute(sql, replacements, tx) {
      const [result, meta] = await sequelize.query(sql, {
        replacements: bind(replacements) as never,
        transaction: tx ?? null,
        raw: true,
      });
      // mysql2 returns a ResultSetHeader for writes; Sequelize surfaces it as the first or second element.
      const header = (meta ?? result) as { affectedRows?: number } | number;
      if (typeof header === 'number') return header;
      return header?.affectedRows ?? (result as { affectedRows?: number })?.affectedRows ?? 0;
    },
    // READ COMMITTED: no gap locks, so the outbox relay's SKIP LOCKED scan never blocks
    // inserts, and explicit row locks (FOR UPDATE on the event type) do the serialising.
    transaction: (fn) =>
      sequelize.transaction({ isolationLevel: Transaction.ISOLATION_LEVELS.READ_COMMITTED }, (tx) => fn(tx)),
    async ping() {
      await sequelize.query('SELECT 1', { type: QueryTypes.SELECT });
      return true;
    },
    close: () => sequelize.close(),
  };
}

/** True when a driver error is a duplicate key. */
export function isDuplicateKey(err: unknown): boolean {
  const e = err as { name?: string; parent?: { code?: string }; original?: { code?: string }; code?: string };
  return (
    e?.name === 'SequelizeUniqueConstraintError' ||
    e?.parent?.code === 'ER_DUP_ENTRY' ||
    e?.original?.code === 'ER_DUP_ENTRY' ||
    e?.code === 'ER_DUP_ENTRY'
  );
}

/** Deadlocks and lock-wait timeouts: the transaction can simply run again. */
export function isRetryableTxError(err: unknown): boolean {
  const e = err as { parent?: { code?: string }; original?: { code?: string } };
  const code = e?.parent?.code ?? e?.original?.code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
}
