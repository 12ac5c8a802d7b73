/**
 * The gateway's budgets (issue 9 item 9): per client address and per tenant in the
 * path. Cal.com sends each delivery once, so a correctly signed delivery is never
 * refused for being over budget, and never spends a budget: over budget, a request
 * that carries a well-formed signature still goes through the checks and only a
 * refusal becomes 429 (webhooks.ts); one without is answered 429 at once. Accepted
 * deliveries (2xx) give their tokens back, so Cal.com's own traffic — many tenants
 * from a few addresses — never starves a budget; refused noise spends it.
 */
import type { Request } from 'express';
import type { Registry } from 'prom-client';
import { HTTP_HEADERS } from '@calsync/contracts';
import { clientOf, rateLimit, tenantOfPath, type Clock, type RateLimitConfig } from '@calsync/platform';

export const WEBHOOK_PREFIX = '/v1/webhooks/calcom/';
const accepted = (status: number) => status < 300;
const wellFormedSignature = (req: Request) =>
  /^[0-9a-f]{64}$/i.test(req.header(HTTP_HEADERS.calSignature) ?? '');

export function webhookRateLimit(deps: { config: RateLimitConfig; clock: Clock; registry: Registry }) {
  const { config } = deps;
  return rateLimit({
    budgets: [
      { name: 'client', key: clientOf, perMinute: config.clientPerMinute, refundIf: accepted },
      {
        name: 'tenant',
        key: tenantOfPath(WEBHOOK_PREFIX),
        perMinute: config.tenantPerMinute,
        refundIf: accepted,
      },
    ],
    maxKeys: config.maxKeys,
    clock: deps.clock,
    registry: deps.registry,
    mode: (req) =>
      req.method === 'POST' && req.path.startsWith(WEBHOOK_PREFIX) && wellFormedSignature(req)
        ? 'defer'
        : 'refuse',
  });
}
