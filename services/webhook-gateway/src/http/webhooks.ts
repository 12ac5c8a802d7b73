/** `POST /v1/webhooks/calcom/:tenantId`: size and content type here, everything else in the receiver. */
import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { HTTP_HEADERS, BOOKING_TRIGGERS } from '@calsync/contracts';
import {
  RETRY_AFTER_SECONDS,
  rateLimitedRetryAfter,
  sendError,
  sendRateLimited,
  traceOf,
  type Logger,
} from '@calsync/platform';
import {
  UNAUTHORIZED_MESSAGE,
  type Rejection,
  type RejectionReason,
  type WebhookReceiver,
} from '../domain/receiver';
import type { GatewayMetrics } from '../metrics';
import { hasContentEncoding, isJsonContentType, readBody } from './body';

export interface WebhookRouteDeps {
  receiver: WebhookReceiver;
  metrics: Pick<GatewayMetrics, 'rejections' | 'deliveries'>;
  logger: Logger;
  maxBodyBytes: number;
}

const WEBHOOK_PREFIX = '/v1/webhooks/calcom/';

const STATUS: Record<Rejection['code'], number> = {
  unauthorized: 401,
  invalid_request: 400,
  forbidden: 403,
  unavailable: 503,
};

const triggerLabel = (t: string) =>
  t === 'PING' || (BOOKING_TRIGGERS as readonly string[]).includes(t) ? t : 'other';

export function webhookRouter(deps: WebhookRouteDeps): Router {
  const { receiver, metrics, maxBodyBytes } = deps;
  const router = Router();

  const refuse = (res: Response, status: number, code: string, reason: RejectionReason, message: string) => {
    // Over budget but let through because it looked signed (http/rate-limit.ts): it was not a
    // valid delivery after all, so it gets the 429 it would have had (503 stays: Cal.com retries it).
    const retryAfter = status === 503 ? undefined : rateLimitedRetryAfter(res);
    if (retryAfter !== undefined) {
      metrics.rejections.inc({ reason: 'rate_limited' });
      return sendRateLimited(res, retryAfter);
    }
    metrics.rejections.inc({ reason });
    // Nothing was accepted while a dependency is away: say when to come back, like booking-api.
    if (status === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    sendError(res, status, code, message);
  };

  /** The rest of an unread body is not worth reading: close the connection after the answer. */
  const closeIfUnread = (req: Request, res: Response) => {
    if (!req.complete) res.setHeader('Connection', 'close');
  };

  router.post(`${WEBHOOK_PREFIX}:tenantId`, async (req, res) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBodyBytes) {
      closeIfUnread(req, res);
      return refuse(res, 413, 'payload_too_large', 'too_large', `Body exceeds ${maxBodyBytes} bytes`);
    }
    if (!isJsonContentType(req.headers['content-type']) || hasContentEncoding(req)) {
      closeIfUnread(req, res);
      return refuse(
        res,
        415,
        'unsupported_media_type',
        'unsupported_media_type',
        'Body must be application/json',
      );
    }
    const body = await readBody(req, maxBodyBytes);
    if (!body.ok) {
      if (body.reason === 'aborted') return; // the client went away; nobody to answer
      closeIfUnread(req, res);
      return refuse(res, 413, 'payload_too_large', 'too_large', `Body exceeds ${maxBodyBytes} bytes`);
    }

    const result = await receiver.receive({
      tenantId: req.params.tenantId ?? '',
      raw: body.raw,
      signature: req.header(HTTP_HEADERS.calSignature),
      traceparent: traceOf(res),
    });
    if (!result.ok) {
      const { code, reason, message } = result.rejection;
      return refuse(res, STATUS[code], code, reason, message);
    }
    metrics.deliveries.inc({ trigger: triggerLabel(result.trigger), outcome: result.outcome });
    switch (result.outcome) {
      case 'ping':
        res.status(200).json({ status: 'ok' });
        return;
      case 'ignored':
        metrics.rejections.inc({ reason: 'unknown_trigger' });
        res.status(202).json({ status: 'ignored' });
        return;
      case 'published':
      case 'duplicate':
        res.status(200).json({
          status: 'accepted',
          deliveryId: result.deliveryId,
          duplicate: result.outcome === 'duplicate',
        });
        return;
    }
  });

  return router;
}

/**
 * A tenant id that is not even valid percent-encoding fails in Express's router
 * before the route runs: answer it like any unknown tenant, not with a 500.
 */
export function undecodablePathHandler(metrics: Pick<GatewayMetrics, 'rejections'>): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (!(err instanceof URIError) || res.headersSent) return next(err);
    if (!req.complete) res.setHeader('Connection', 'close');
    if (req.path.startsWith(WEBHOOK_PREFIX)) {
      metrics.rejections.inc({ reason: 'unknown_tenant' });
      return sendError(res, 401, 'unauthorized', UNAUTHORIZED_MESSAGE);
    }
    sendError(res, 400, 'invalid_request', 'Path is not valid percent-encoding');
  };
}
