/**
 * Express building blocks every service shares: trace context, validation,
 * the one error middleware that maps error codes to statuses, health and
 * metrics routes, listen/close.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Router } from 'express';
import type { z } from 'zod';
import { HTTP_HEADERS } from '@calsync/contracts';
import type { Registry } from 'prom-client';
import { AppError, CodedError } from './errors';
import { outageOf } from './outage';
import { newTraceparent } from './crypto';
import { clipText, type Logger } from './logger';

export function sendError(
  res: express.Response,
  status: number,
  code: string,
  message: string,
  details?: unknown,
) {
  res.status(status).json({ error: details === undefined ? { code, message } : { code, message, details } });
}

/** Parses with zod; a failure is a 400 that names the offending field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, what = 'body'): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues
    .slice(0, 5)
    .map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const first = issues[0]!;
  throw new AppError(
    'invalid_request',
    `Invalid ${what}: ${first.path ? first.path + ': ' : ''}${first.message}`,
    issues,
  );
}

const TRACEPARENT_RE = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Accepts an incoming W3C traceparent or starts a trace; logs one line per request (ids only). */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.header(HTTP_HEADERS.traceparent);
    const traceparent = incoming && TRACEPARENT_RE.test(incoming) ? incoming : newTraceparent();
    res.locals.traceparent = traceparent;
    res.setHeader(HTTP_HEADERS.traceparent, traceparent);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      if (req.path === '/livez' || req.path === '/readyz' || req.path === '/metrics') return;
      const routePath = (req.route as { path?: string } | undefined)?.path;
      logger.http('request', {
        method: req.method,
        route: routePath ? `${req.baseUrl}${routePath}` : 'unmatched',
        status: res.statusCode,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
        traceId: traceparent.slice(3, 35),
        // An unvalidated path value: a valid tenant id is at most 63 characters.
        tenant: typeof req.params?.tenantId === 'string' ? clipText(req.params.tenantId, 64) : undefined,
      });
    });
    next();
  };
}

export function traceOf(res: express.Response): string {
  return String(res.locals.traceparent ?? newTraceparent());
}

/** JSON body parser that keeps the raw bytes (signatures are checked on them). */
export function jsonWithRaw(limit: string, strictType = true): RequestHandler {
  return express.json({
    limit,
    type: strictType ? 'application/json' : () => true,
    verify: (req, _res, buf) => {
      (req as Request & { rawBody?: Buffer }).rawBody = Buffer.from(buf);
    },
  });
}

export function rawBodyOf(req: Request): Buffer {
  return (req as Request & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
}

/** Seconds a client should wait before retrying a 503: long enough for a reconnect, short for a phone call. */
export const RETRY_AFTER_SECONDS = 5;

export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof CodedError) {
      const { status, code, message, details } = err as CodedError<string>;
      if (status === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      sendError(res, status, code, message, details);
      return;
    }
    // MySQL or NATS briefly away. Routes that committed something answer before an error
    // reaches this point, so a 503 here means: nothing happened, try again.
    const outage = outageOf(err);
    if (outage) {
      logger.warn('Request failed: dependency unavailable', {
        dependency: outage,
        error: err,
        method: req.method,
        route: req.route ? String((req.route as { path: string }).path) : 'unmatched',
      });
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      return sendError(res, 503, 'unavailable', `Temporarily unavailable (${outage}); retry shortly`);
    }
    // Express could not decode a path parameter (`/v1/tenants/%`): the client's mistake, not ours.
    if (err instanceof URIError)
      return sendError(res, 400, 'invalid_request', 'Path is not valid percent-encoding');
    const e = err as { type?: string; status?: number; statusCode?: number };
    if (e?.type === 'entity.too.large')
      return sendError(res, 413, 'payload_too_large', 'Request body too large');
    if (e?.type === 'entity.parse.failed')
      return sendError(res, 400, 'invalid_json', 'Request body is not valid JSON');
    if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported')
      return sendError(res, 415, 'unsupported_media_type', 'Unsupported body encoding');
    if ((e?.status ?? e?.statusCode ?? 500) < 500 && typeof e?.type === 'string')
      return sendError(res, e.status ?? 400, 'invalid_request', 'Request could not be read');
    logger.error('Unhandled error', {
      error: err,
      method: req.method,
      route: req.route ? String((req.route as { path: string }).path) : 'unmatched',
    });
    sendError(res, 500, 'internal', 'Internal error');
  };
}

export const notFoundHandler: RequestHandler = (_req, res) =>
  sendError(res, 404, 'not_found', 'No such route');

export interface HealthOptions {
  registry: Registry;
  /** Throws or returns false when a dependency is not ready. */
  ready: () => Promise<boolean>;
}

export function healthRouter(opts: HealthOptions): Router {
  const r = express.Router();
  r.get('/livez', (_req, res) => {
    res.json({ status: 'ok' });
  });
  r.get('/readyz', async (_req, res) => {
    const ok = await opts.ready().catch(() => false);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not_ready' });
  });
  r.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', opts.registry.contentType);
    res.send(await opts.registry.metrics());
  });
  return r;
}

export async function listen(
  app: express.Express,
  port: number,
  logger: Logger,
  what: string,
): Promise<Server> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, '0.0.0.0', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  server.keepAliveTimeout = 5_000;
  const addr = server.address() as AddressInfo;
  logger.info(`${what} listening`, { address: `http://127.0.0.1:${addr.port}`, port: addr.port });
  return server;
}

/** Stops accepting, lets in-flight requests finish, then closes idle keep-alive sockets. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 8_000).unref();
  });
}

export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}
