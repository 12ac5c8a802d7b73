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

/** Also the last token of the user's inbox prefix, so a subject token: no dots, wildcards or spaces. */
const natsUserSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, "_" and "-" only');

export interface NatsCredentials {
  user: string;
  pass: string;
}

/**
 * Takes credentials out of NATS_URL (`nats://user:pass@host:4222`, percent-encoded,
 * the same on every server of a list) or NATS_USER / NATS_PASSWORD, and returns the
 * URL without them, so no later log line or error can carry the password.
 */
export function natsConnection(env: Pick<CommonEnv, 'NATS_URL' | 'NATS_USER' | 'NATS_PASSWORD'>): {
  url: string;
  credentials?: NatsCredentials;
} {
  const fromUrl = new Set<string>();
  const servers = env.NATS_URL.split(',').map((raw) => {
    let u: URL;
    try {
      u = new URL(raw.trim());
    } catch {
      throw new ConfigError('NATS_URL', '- must be nats://host:port'); // never echo the value: it may hold a password
    }
    if (u.username || u.password) {
      fromUrl.add(JSON.stringify([decodeURIComponent(u.username), decodeURIComponent(u.password)]));
      u.username = '';
      u.password = '';
    }
    return u.toString().replace(/\/$/, '');
  });
  if (fromUrl.size > 1) throw new ConfigError('NATS_URL', '- every server must carry the same credentials');
  const [inUrl] = fromUrl;
  if (inUrl !== undefined && (env.NATS_USER || env.NATS_PASSWORD))
    throw new ConfigError('NATS_USER', '- credentials are given both here and in NATS_URL');
  if (!!env.NATS_USER !== !!env.NATS_PASSWORD)
    throw new ConfigError(
      env.NATS_USER ? 'NATS_PASSWORD' : 'NATS_USER',
      '- NATS_USER and NATS_PASSWORD go together',
    );
  const url = servers.join(',');
  if (inUrl !== undefined) {
    const [user, pass] = JSON.parse(inUrl) as [string, string];
    if (!natsUserSchema.safeParse(user).success || !pass)
      throw new ConfigError('NATS_URL', '- the user must be letters, digits, "_" or "-", with a password');
    return { url, credentials: { user, pass } };
  }
  return env.NATS_USER && env.NATS_PASSWORD
    ? { url, credentials: { user: env.NATS_USER, pass: env.NATS_PASSWORD } }
    : { url };
}

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

/**
 * The key a service uses when SECRETS_KEY is unset outside production (development, tests):
 * all zeros, so it protects nothing; production refuses to start without a real one.
 */
export const DEV_SECRETS_KEY = '0'.repeat(64);

/**
 * For a service's env schema: `.refine(...SECRETS_KEY_IN_PRODUCTION)` — production refuses to
 * start without SECRETS_KEY; elsewhere secretsKeyOf falls back to DEV_SECRETS_KEY.
 */
export const SECRETS_KEY_IN_PRODUCTION: [
  (e: { NODE_ENV?: string | undefined; SECRETS_KEY?: string | undefined }) => boolean,
  { path: string[]; message: string },
] = [
  (e) => e.NODE_ENV !== 'production' || !!e.SECRETS_KEY,
  { path: ['SECRETS_KEY'], message: 'is required when NODE_ENV=production' },
];

/** The key a service seals tenant secrets with, and whether it is the development one. */
export function secretsKeyOf(e: { SECRETS_KEY?: string | undefined }) {
  return { secretsKey: e.SECRETS_KEY ?? DEV_SECRETS_KEY, usingDevSecretsKey: !e.SECRETS_KEY };
}

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
  /** This service's own NATS user (deploy/nats); credentials in NATS_URL work as well. */
  NATS_USER: natsUserSchema.optional(),
  NATS_PASSWORD: z.string().min(1).max(512).optional(),
};

export type CommonEnv = z.infer<z.ZodObject<typeof commonEnvShape>>;

export function commonConfig(env: CommonEnv) {
  return {
    env: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    nats: { ...natsConnection(env), namespace: env.NATS_NAMESPACE, replicas: env.NATS_STREAM_REPLICAS },
    db: { url: env.DATABASE_URL, poolMax: env.DB_POOL_MAX, migrate: env.DB_MIGRATE },
  };
}

/** Environment of a service with public endpoints (the budgets of rate-limit.ts). 0 turns a budget off. */
export const rateLimitEnvShape = {
  /** Requests a minute from one client address (behind a proxy see TRUST_PROXY). */
  RATE_LIMIT_CLIENT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(600),
  /** Requests a minute naming one tenant (every client together). */
  RATE_LIMIT_TENANT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(1200),
  /** Clients (and tenants) remembered at once; beyond, the least recently seen is forgotten. */
  RATE_LIMIT_MAX_KEYS: z.coerce.number().int().min(100).max(1_000_000).default(50_000),
  /**
   * Express `trust proxy`: empty (default) uses the socket address as the client; behind an
   * ingress set the hop count (`1`) or the proxies' addresses (`10.0.0.0/8`), or every client
   * shares the proxy's budget.
   */
  TRUST_PROXY: z
    .string()
    .regex(/^[0-9a-zA-Z.:/, ]{0,500}$/, 'a hop count or comma-separated proxy addresses')
    .default(''),
};

export function rateLimitConfig(e: z.infer<z.ZodObject<typeof rateLimitEnvShape>>) {
  const t = e.TRUST_PROXY.trim();
  return {
    clientPerMinute: e.RATE_LIMIT_CLIENT_PER_MINUTE,
    tenantPerMinute: e.RATE_LIMIT_TENANT_PER_MINUTE,
    maxKeys: e.RATE_LIMIT_MAX_KEYS,
    trustProxy: t === '' ? false : /^\d+$/.test(t) ? Number(t) : t,
  };
}
export type RateLimitConfig = ReturnType<typeof rateLimitConfig>;

/**
 * The environment a service with public endpoints that seals tenant secrets shares
 * (booking-api, webhook-gateway): the common variables, the request budgets and
 * SECRETS_KEY. Its schema adds `.refine(...SECRETS_KEY_IN_PRODUCTION)`, and
 * publicServiceConfig reads the three groups.
 */
export const publicServiceEnvShape = {
  ...commonEnvShape,
  ...rateLimitEnvShape,
  SECRETS_KEY: secretsKeySchema.optional(),
};

export function publicServiceConfig(e: z.infer<z.ZodObject<typeof publicServiceEnvShape>>) {
  return { ...commonConfig(e), ...secretsKeyOf(e), rateLimit: rateLimitConfig(e) };
}
