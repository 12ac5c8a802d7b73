/**
 * How the services reach MySQL. Only `ensureDatabase` (before the database exists)
 * and the test and bench harnesses (creating and dropping databases) open
 * connections of their own. Queries run on a mysql2 pool: the hot paths
 * (a create is ~8 statements) spend far less CPU there than through Sequelize's
 * query layer. Sequelize stays for what it is good at here, the migration
 * bookkeeping (umzug's SequelizeStorage).
 *
 * Everything is stored and compared in UTC: each connection's session time zone
 * is pinned and DATETIME(3) columns hold UTC instants. Transactions run READ
 * COMMITTED: no gap locks, so the outbox relay's SKIP LOCKED scan never blocks
 * inserts, and explicit row locks (FOR UPDATE on the event type) do the serialising.
 */
import {
  createPool,
  type Pool,
  type PoolConnection,
  type QueryOptions,
  type ResultSetHeader,
} from 'mysql2/promise';
import { Sequelize } from 'sequelize';
import type { Logger } from '@calsync/platform';
import { commitsByItself, noteWriteAttempt } from './write-tracking';

export interface DbOptions {
  url: string;
  poolMax?: number;
  logger?: Logger;
}

/** A transaction: pass it to query/execute to run a statement inside it. */
export interface Tx {
  readonly connection: PoolConnection;
}

type Replacements = unknown[] | Record<string, unknown>;

export interface Db {
  /** Migration bookkeeping only; application SQL goes through query/execute. */
  readonly sequelize: Sequelize;
  /** The database name from the URL. */
  name: string;
  query<T extends object>(sql: string, replacements?: Replacements, tx?: Tx): Promise<T[]>;
  /** Runs INSERT/UPDATE/DELETE; returns the rows changed. */
  execute(sql: string, replacements?: Replacements, tx?: Tx): Promise<number>;
  /** Runs `fn` in a READ COMMITTED transaction: commit on return, roll back on throw. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
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

/**
 * The server a database URL names, as mysql2 connection options without the database (an
 * empty password is none): what a pool adds its database to, and what a connection that
 * creates or drops a database opens.
 */
export function serverConnectionOptions(url: string) {
  const c = parseDatabaseUrl(url);
  return { host: c.host, port: c.port, user: c.user, password: c.password || undefined };
}

/** DATETIME(3) literal in UTC; some drivers drop milliseconds when they escape a Date. */
export function toSqlDateTime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

function bind(replacements?: Replacements): { values: QueryOptions['values']; named: boolean } {
  const conv = (v: unknown) => (v instanceof Date ? toSqlDateTime(v) : v);
  if (!replacements) return { values: undefined, named: false };
  if (Array.isArray(replacements)) return { values: replacements.map(conv), named: false };
  const named = Object.fromEntries(Object.entries(replacements).map(([k, v]) => [k, conv(v)]));
  return { values: named as QueryOptions['values'], named: true };
}

export function createDb(opts: DbOptions): Db {
  const c = parseDatabaseUrl(opts.url);
  const pool: Pool = createPool({
    ...serverConnectionOptions(opts.url),
    database: c.database,
    connectionLimit: opts.poolMax ?? 20,
    maxIdle: Math.min(opts.poolMax ?? 20, 10),
    idleTimeout: 60_000,
    connectTimeout: 5_000,
    timezone: 'Z',
    dateStrings: false,
    // affectedRows = rows actually changed (as Sequelize configures it): compare-and-set updates rely on it.
    flags: ['-FOUND_ROWS'],
    enableKeepAlive: true,
  });
  // Every new connection: UTC session and READ COMMITTED, queued before any other statement on it.
  pool.pool.on('connection', (conn) => {
    const failed = (err: Error | null) => {
      if (err) opts.logger?.error('MySQL session setup failed', { error: err });
    };
    conn.query("SET time_zone = '+00:00'", failed);
    conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', failed);
  });

  let sequelize: Sequelize | undefined;
  const run = (sql: string, replacements: Replacements | undefined, tx: Tx | undefined) => {
    const { values, named } = bind(replacements);
    if (!tx && commitsByItself(sql)) noteWriteAttempt();
    return (tx?.connection ?? pool).query({ sql, values, namedPlaceholders: named });
  };

  return {
    get sequelize() {
      sequelize ??= new Sequelize(c.database, c.user, c.password || undefined, {
        host: c.host,
        port: c.port,
        dialect: 'mysql',
        logging: false,
        timezone: '+00:00',
        pool: { max: 2, min: 0, idle: 10_000 },
      });
      return sequelize;
    },
    name: c.database,
    async query<T extends object>(sql: string, replacements?: Replacements, tx?: Tx) {
      const [rows] = await run(sql, replacements, tx);
      return rows as T[];
    },
    async execute(sql, replacements, tx) {
      const [result] = await run(sql, replacements, tx);
      return (result as ResultSetHeader).affectedRows ?? 0;
    },
    async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      const connection = await pool.getConnection();
      try {
        await connection.query('START TRANSACTION');
        const result = await fn({ connection });
        noteWriteAttempt(); // from here a lost connection leaves the outcome unknown
        await connection.query('COMMIT');
        return result;
      } catch (err) {
        // A connection whose rollback failed is in an unknown state: never reuse it.
        await connection.query('ROLLBACK').catch(() => connection.destroy());
        throw err;
      } finally {
        connection.release();
      }
    },
    async ping() {
      await pool.query('SELECT 1');
      return true;
    },
    async close() {
      await Promise.all([pool.end(), sequelize?.close()]);
    },
  };
}

function codeOf(err: unknown): string | undefined {
  const e = err as { code?: string; parent?: { code?: string }; original?: { code?: string } };
  return e?.code ?? e?.parent?.code ?? e?.original?.code;
}

/** True when a driver error is a duplicate key. */
export function isDuplicateKey(err: unknown): boolean {
  return codeOf(err) === 'ER_DUP_ENTRY';
}

/** The index a duplicate-key error names (`Duplicate entry '…' for key 'ux_…'`). */
export function duplicateKeyName(err: unknown): string | undefined {
  const e = err as { sqlMessage?: string; message?: string };
  return /for key '([^']+)'/
    .exec(e?.sqlMessage ?? e?.message ?? '')?.[1]
    ?.split('.')
    .pop();
}

/** Deadlocks and lock-wait timeouts: the transaction can simply run again. */
export function isRetryableTxError(err: unknown): boolean {
  const code = codeOf(err);
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
}
