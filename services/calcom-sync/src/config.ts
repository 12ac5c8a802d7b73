/**
 * calcom-sync configuration: one zod schema over the environment, parsed once at
 * start. A bad value stops the process with one line naming the variable.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import {
  commonConfig,
  commonEnvShape,
  parseEnv,
  portSchema,
  secretsKeyOf,
  secretsKeySchema,
  SECRETS_KEY_IN_PRODUCTION,
} from '@calsync/platform';
import { calcomAccessConfig, calcomAccessEnvShape } from '@calsync/calcom-access';

const int = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);

const delaysSchema = z
  .string()
  .default('1000,5000,30000')
  .refine((v) => v.split(',').every((p) => /^\s*\d+\s*$/.test(p)), 'must be comma-separated milliseconds')
  .transform((v) => v.split(',').map((p) => Number(p.trim())))
  .refine((a) => a.length >= 1, 'needs at least one delay');

export const envSchema = z
  .object({
    ...commonEnvShape,
    CALCOM_SYNC_PORT: portSchema(3002),
    CALCOM_API_URL: z.url().default('https://api.cal.com'),
    SECRETS_KEY: secretsKeySchema.optional(),
    RECONCILE_INTERVAL_SECONDS: int(0, 300),
    CALCOM_TIMEOUT_MS: int(100, 10_000),
    /** Delays before attempts 2, 3, 4 (SPEC §6.5); their count + 1 is the number of attempts. */
    SYNC_RETRY_DELAYS_MS: delaysSchema,
    SYNC_CONCURRENCY: int(1, 32),
    /** Ack wait of the durable (contracts' default 60 s); shorter in crash tests. */
    SYNC_ACK_WAIT_SECONDS: z.coerce.number().int().min(1).optional(),
    /** How often the scheduler reads MySQL for due work (backoffs, parked and lost work). */
    SYNC_SCHEDULE_INTERVAL_MS: int(20, 500),
    /** Appointments the scheduler drives at once, those waiting in place for their Cal.com slot included. */
    SYNC_SCHEDULE_CONCURRENCY: int(1, 128),
    /**
     * How far ahead of a tenant's next free Cal.com slot the scheduler starts the work that will
     * use it: the reads and writes before the call take that long on a busy host, and the call
     * then waits in place for its slot (so calcom-sync's calls may wait this long, at least
     * CALCOM_RATE_MAX_INPLACE_WAIT_MS).
     */
    SYNC_SCHEDULE_AHEAD_MS: int(0, 4_000),
    /** Per-appointment lease across replicas. */
    SYNC_LOCK_SECONDS: int(5, 30),
    /** CALCOM_BREAKER_* and CALCOM_RATE_*: the tenant's breaker and budget, as booking-api reads them. */
    ...calcomAccessEnvShape,
    /** How often gauges (consumer lag, review queue) are refreshed. */
    METRICS_REFRESH_SECONDS: int(1, 15),
    /** Days the sync_attempts audit is kept (purged at start and hourly). */
    SYNC_AUDIT_RETENTION_DAYS: int(1, 30),
    SYNC_WORKER_ID: z.string().min(1).max(40).optional(),
    /** The pod's name (Kubernetes downward API): the worker id unless SYNC_WORKER_ID is set. */
    POD_NAME: z.string().min(1).max(253).optional(),
    /** Test-only crash point; ignored in production. */
    CALCOM_SYNC_FAILPOINT: z.enum(['after-create-response']).optional(),
  })
  .refine(...SECRETS_KEY_IN_PRODUCTION);

export type Env = z.infer<typeof envSchema>;

export function buildConfig(env: Env) {
  return {
    ...commonConfig(env),
    port: env.CALCOM_SYNC_PORT,
    ...secretsKeyOf(env),
    // One per replica: in containers every pid is 1, the host name (container id) is not.
    workerId: env.SYNC_WORKER_ID ?? env.POD_NAME ?? `calcom-sync-${hostname()}-${process.pid}`,
    calcom: {
      apiUrl: env.CALCOM_API_URL,
      timeoutMs: env.CALCOM_TIMEOUT_MS,
    },
    sync: {
      retryDelaysMs: env.SYNC_RETRY_DELAYS_MS,
      maxAttempts: env.SYNC_RETRY_DELAYS_MS.length + 1,
      concurrency: env.SYNC_CONCURRENCY,
      lockSeconds: env.SYNC_LOCK_SECONDS,
      scheduleIntervalMs: env.SYNC_SCHEDULE_INTERVAL_MS,
      scheduleConcurrency: env.SYNC_SCHEDULE_CONCURRENCY,
      scheduleAheadMs: Math.max(env.SYNC_SCHEDULE_AHEAD_MS, env.CALCOM_RATE_MAX_INPLACE_WAIT_MS),
      ackWaitMs: env.SYNC_ACK_WAIT_SECONDS === undefined ? undefined : env.SYNC_ACK_WAIT_SECONDS * 1000,
    },
    // breaker, rateLimit (an event's work waits in place up to half of rateLimit.maxInPlaceWaitMs for its slot; later work is parked)
    ...calcomAccessConfig(env),
    reconcileIntervalSeconds: env.RECONCILE_INTERVAL_SECONDS,
    metricsRefreshMs: env.METRICS_REFRESH_SECONDS * 1000,
    auditRetentionDays: env.SYNC_AUDIT_RETENTION_DAYS,
    failpoint: env.NODE_ENV === 'production' ? undefined : env.CALCOM_SYNC_FAILPOINT,
  };
}

export type CalcomSyncConfig = ReturnType<typeof buildConfig>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): CalcomSyncConfig {
  return buildConfig(parseEnv(envSchema, env));
}
