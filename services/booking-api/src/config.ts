import { z } from 'zod';
import {
  SECRETS_KEY_IN_PRODUCTION,
  parseEnv,
  portSchema,
  publicServiceConfig,
  publicServiceEnvShape,
} from '@calsync/platform';
import { calcomAccessConfig, calcomAccessEnvShape } from '@calsync/calcom-access';

const schema = z
  .object({
    ...publicServiceEnvShape,
    /** The tenant's Cal.com breaker and budget: the same variables (and meaning) as calcom-sync's. */
    ...calcomAccessEnvShape,
    BOOKING_API_PORT: portSchema(3000),
    CALCOM_API_URL: z.url().default('https://api.cal.com'),
    /** Where Cal.com reaches webhook-gateway; onboarding registers `${this}/v1/webhooks/calcom/<tenant>`. */
    PUBLIC_WEBHOOK_BASE_URL: z.url().optional(),
    /** Only for PUBLIC_WEBHOOK_BASE_URL's default (the gateway on this host). */
    WEBHOOK_GATEWAY_PORT: portSchema(3001),
    OPERATOR_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
    /** How often the outbox relay looks for rows another process left behind. */
    OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
    /** How long a Retell booking waits for calcom-sync's outcome before answering "pending". */
    RETELL_CONFIRM_TIMEOUT_MS: z.coerce.number().int().min(0).max(30_000).default(4_000),
    CALCOM_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    /** How long a Cal.com reschedule that overtook the delivery of the booking it moves waits for it. */
    INBOUND_REORDER_WINDOW_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
    /** Failed admin/operator/Retell authentications per minute before 429: per client address, per tenant. */
    AUTH_FAILURES_PER_CLIENT: z.coerce.number().int().min(1).max(1_000_000).default(10),
    AUTH_FAILURES_PER_TENANT: z.coerce.number().int().min(1).max(1_000_000).default(50),
  })
  .refine(...SECRETS_KEY_IN_PRODUCTION);

export type BookingApiConfig = ReturnType<typeof loadConfig>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseEnv(schema, env);
  return {
    ...publicServiceConfig(e),
    port: e.BOOKING_API_PORT,
    operatorToken: e.OPERATOR_TOKEN,
    outboxPollMs: e.OUTBOX_POLL_MS,
    authThrottle: { perIp: e.AUTH_FAILURES_PER_CLIENT, perTenant: e.AUTH_FAILURES_PER_TENANT },
    calcom: { apiUrl: e.CALCOM_API_URL, timeoutMs: e.CALCOM_TIMEOUT_MS, ...calcomAccessConfig(e) },
    retell: { confirmTimeoutMs: e.RETELL_CONFIRM_TIMEOUT_MS },
    inbound: { reorderWindowMs: e.INBOUND_REORDER_WINDOW_MS },
    publicWebhookBaseUrl: (e.PUBLIC_WEBHOOK_BASE_URL ?? `http://127.0.0.1:${e.WEBHOOK_GATEWAY_PORT}`).replace(
      /\/+$/,
      '',
    ),
  };
}
