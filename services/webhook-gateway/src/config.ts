import { z } from 'zod';
import {
  SECRETS_KEY_IN_PRODUCTION,
  parseEnv,
  portSchema,
  publicServiceConfig,
  publicServiceEnvShape,
} from '@calsync/platform';

/** Cal.com bodies are a few KiB; anything this large is not a webhook. */
export const MAX_BODY_BYTES = 256 * 1024;

const schema = z
  .object({
    ...publicServiceEnvShape,
    WEBHOOK_GATEWAY_PORT: portSchema(3001),
    /** Deliveries whose createdAt is older than this are replays (SPEC §4.4). */
    WEBHOOK_REPLAY_WINDOW_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 3600)
      .default(1800),
    /** How long a delivery waits for JetStream's ack before the answer is 503 (Cal.com retries). */
    WEBHOOK_PUBLISH_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(2_500),
  })
  .refine(...SECRETS_KEY_IN_PRODUCTION);

export type WebhookGatewayConfig = ReturnType<typeof loadConfig>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseEnv(schema, env);
  return {
    ...publicServiceConfig(e),
    port: e.WEBHOOK_GATEWAY_PORT,
    webhook: {
      maxBodyBytes: MAX_BODY_BYTES,
      replayWindowSeconds: e.WEBHOOK_REPLAY_WINDOW_SECONDS,
      /** Cal.com's clock may run a little ahead of ours; further ahead is not a real delivery. */
      maxFutureSkewSeconds: 300,
      publishTimeoutMs: e.WEBHOOK_PUBLISH_TIMEOUT_MS,
      /** De-duplication is promised for 24 h; rows live an hour longer, then are purged. */
      dedupRetentionMs: 25 * 3600_000,
      purgeIntervalMs: 10 * 60_000,
      /** The table is written behind the answer, in batches (db/delivery-recorder.ts). */
      records: {
        flushIntervalMs: 200,
        maxBatchRows: 500,
        /** A few hundred bytes each: under 10 MB, seconds to minutes of records while MySQL is away. */
        maxPendingRows: 20_000,
        /** With the backoff below, a row survives about a minute of MySQL being away. */
        maxAttempts: 10,
        maxBackoffMs: 10_000,
      },
      /** While MySQL is unreachable, tenants are verified with their last record this long (db/last-known-tenants.ts). */
      tenantStaleOnOutageMs: 5 * 60_000,
    },
  };
}
