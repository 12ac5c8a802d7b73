/**
 * Config helpers. Each service declares one zod schema over the environment and
 * parses it once at start; a bad value stops the process with one line naming
 * the variable. No process.env outside a config module.
 */
import { z } from 'zod';

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`Invalid configuration: ${variable} ${detail}`);
  }
}

/** Parses `env` with `schema`; throws ConfigError naming the first bad variable. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const variable = issue.path.map(String).join('.') || '(environment)';
  throw new ConfigError(variable, `- ${issue.message}`);
}

export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;

/** Port 0 means any free port (tests). */
export const portSchema = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

export const natsUrlSchema = z
  .string()
  .default('nats://127.0.0.1:4222')
  .refine(
    (v) => v.split(',').every((u) => /^(nats|tls|ws|wss):\/\/[^\s]+$/.test(u.trim())),
    'must be nats://host:port',
  );

export const databaseUrlSchema = z
  .string()
  .default('mysql://root@127.0.0.1:3306/calcom_sync')
  .refine((v) => {
    try {
      const u = new URL(v);
      return (
        (u.protocol === 'mysql:' || u.protocol === 'mariadb:') && /^\/[A-Za-z0-9_]{1,64}$/.test(u.pathname)
      );
    } catch {
      return false;
    }
  }, 'must be mysql://user[:password]@host:port/database');

/** 32 bytes as base64 or hex. */
export const secretsKeySchema = z
  .string()
  .refine((v) => decodeKey(v) !== null, 'must be 32 bytes as base64 or hex');

export function decodeKey(v: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(v)) return Buffer.from(v, 'hex');
  const b = Buffer.from(v, 'base64');
  return b.length === 32 && /^[A-Za-z0-9+/]+={0,2}$/.test(v) ? b : null;
}

const booleanish = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Variables every service shares (SPEC §3), plus the NATS topology knobs. */
export const commonEnvShape = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  NATS_URL: natsUrlSchema,
  DATABASE_URL: databaseUrlSchema,
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** Prefix for every stream and subject; empty in production. Lets test runs share one server. */
  NATS_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9_-]{0,40}$/, 'lower-case letters, digits, "_" and "-" only')
    .default(''),
  /** JetStream stream replicas: 1 on a single server, 3 in a production cluster. */
  NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(20),
  /** Run migrations at start (default). A deployment that migrates in a job sets it to false. */
  DB_MIGRATE: booleanish.default(true),
};

export type CommonEnv = z.infer<z.ZodObject<typeof commonEnvShape>>;

export function commonConfig(env: CommonEnv) {
  return {
    env: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    nats: { url: env.NATS_URL, namespace: env.NATS_NAMESPACE, replicas: env.NATS_STREAM_REPLICAS },
    db: { url: env.DATABASE_URL, poolMax: env.DB_POOL_MAX, migrate: env.DB_MIGRATE },
  };
}
