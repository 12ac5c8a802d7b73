/** Environment of the standalone sandbox, parsed once at start. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { LOG_LEVELS, parseEnv, portSchema } from '@calsync/platform';
import { accountInputSchema } from './control';

const envSchema = z.object({
  CALCOM_SANDBOX_PORT: portSchema(3100),
  /** JSON file with an array of accounts to preload. */
  CALCOM_SANDBOX_ACCOUNTS_FILE: z.string().optional(),
  /** The same array inline. */
  CALCOM_SANDBOX_ACCOUNTS: z.string().optional(),
  CALCOM_SANDBOX_RATE_LIMIT: z.coerce.number().int().positive().default(120),
  CALCOM_SANDBOX_LATENCY_MS: z.coerce.number().int().min(0).default(0),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
});

export function loadConfig(env: NodeJS.ProcessEnv) {
  const e = parseEnv(envSchema, env);
  const raw = e.CALCOM_SANDBOX_ACCOUNTS_FILE
    ? readFileSync(e.CALCOM_SANDBOX_ACCOUNTS_FILE, 'utf8')
    : (e.CALCOM_SANDBOX_ACCOUNTS ?? '[]');
  const accounts = parseEnv(z.object({ accounts: z.array(accountInputSchema) }), {
    accounts: JSON.parse(raw) as unknown,
  } as unknown as NodeJS.ProcessEnv).accounts;
  return {
    port: e.CALCOM_SANDBOX_PORT,
    accounts,
    rateLimit: { limit: e.CALCOM_SANDBOX_RATE_LIMIT, windowMs: 60_000, blockMs: 60_000 },
    latencyMs: e.CALCOM_SANDBOX_LATENCY_MS,
    logLevel: e.LOG_LEVEL,
  };
}
