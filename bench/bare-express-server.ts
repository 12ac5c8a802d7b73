/**
 * The baseline the webhook gateway is compared with: the least an Express app
 * must do for a signed Cal.com webhook (read and parse JSON, HMAC the raw bytes
 * with the tenant's secret, compare in constant time, answer). Started as a
 * child process exactly like the services, and logs the same "listening" line.
 */
import express from 'express';
import { z } from 'zod';
import {
  constantTimeEqual,
  createLogger,
  hmacSha256Hex,
  jsonWithRaw,
  listen,
  parseEnv,
  rawBodyOf,
} from '@calsync/platform';
import { HTTP_HEADERS } from '@calsync/contracts';

const env = parseEnv(
  z.object({
    BENCH_WEBHOOK_SECRETS: z.string().transform((v) => z.record(z.string(), z.string()).parse(JSON.parse(v))),
    PORT: z.coerce.number().int().min(0).default(0),
  }),
  process.env,
);
const logger = createLogger({ service: 'bare-express', level: 'info' });

const app = express();
app.disable('x-powered-by');
app.post('/v1/webhooks/calcom/:tenantId', jsonWithRaw('256kb'), (req, res) => {
  const secret = env.BENCH_WEBHOOK_SECRETS[String(req.params.tenantId)];
  const signature = req.header(HTTP_HEADERS.calSignature) ?? '';
  if (!secret || !constantTimeEqual(hmacSha256Hex(secret, rawBodyOf(req)), signature)) {
    res.status(401).json({ error: { code: 'unauthorized', message: 'Invalid signature' } });
    return;
  }
  res.status(200).json({ status: 'accepted' });
});

listen(app, env.PORT, logger, 'bare-express').catch((err: unknown) => {
  logger.error('bare-express failed to start', { error: err });
  process.exit(1);
});
process.once('SIGTERM', () => process.exit(0));
