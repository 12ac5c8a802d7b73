/**
 * Tells a dependency that is briefly away (MySQL unreachable or overloaded, NATS
 * disconnected) from a bug. One place, so the HTTP layer (503 + Retry-After),
 * the consumers (redeliver forever vs. park) and the relay (keep vs. park) agree
 * on what "outage" means.
 */
import {
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  RequestError,
  TimeoutError,
} from '@nats-io/nats-core';

export type Outage = 'mysql' | 'nats';

/** mysql2 / Node socket codes meaning "the database is not there right now", not "this statement is wrong". */
const MYSQL_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  // A primary that turned read-only during a failover.
  'ER_OPTION_PREVENTS_STATEMENT',
]);

/** Sequelize wraps driver errors; its connection-class names mean the same. */
const SEQUELIZE_NAMES = new Set([
  'SequelizeConnectionError',
  'SequelizeConnectionRefusedError',
  'SequelizeConnectionAcquireTimeoutError',
  'SequelizeConnectionTimedOutError',
  'SequelizeHostNotFoundError',
  'SequelizeHostNotReachableError',
]);

/** nats.js v3 errors for "no server / no JetStream answer right now" (classes: other libraries also name errors TimeoutError). */
const NATS_CLASSES = [
  ConnectionError,
  ClosedConnectionError,
  DrainingConnectionError,
  RequestError,
  TimeoutError,
  NoRespondersError,
];

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

function classifyOne(e: ErrorLike & object): Outage | undefined {
  if (typeof e.code === 'string' && MYSQL_CODES.has(e.code)) return 'mysql';
  if (typeof e.name === 'string') {
    if (SEQUELIZE_NAMES.has(e.name)) return 'mysql';
    if (e.name === 'JetStreamNotEnabled') return 'nats';
    // JetStream's "no responders": the stream's leader is not there (restart, election).
    if (e.name === 'JetStreamStatusError' && Number(e.code) === 503) return 'nats';
  }
  if (NATS_CLASSES.some((c) => e instanceof c)) return 'nats';
  // mysql2 pool errors without a code: closed pool, waiting-queue timeout.
  if (
    typeof e.message === 'string' &&
    /^Pool is closed|Queue limit reached|acquire.*timeout/i.test(e.message)
  )
    return 'mysql';
  return undefined;
}

/** Which dependency is away, following `cause` chains (a few levels); undefined for anything else. */
export function outageOf(err: unknown): Outage | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    const found = classifyOne(e);
    if (found) return found;
    e = (e as ErrorLike).cause;
  }
  return undefined;
}

export const isOutage = (err: unknown): boolean => outageOf(err) !== undefined;
