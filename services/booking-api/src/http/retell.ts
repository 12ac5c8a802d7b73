/**
 * Retell custom functions (SPEC §4.3): `POST /v1/tenants/:tenantId/retell/functions/:name`.
 * Not under the admin token: authenticated by Retell's signature over the RAW
 * body with the tenant's Retell key (this router reads the bytes itself, so it
 * is mounted before the global JSON parser). Business outcomes are 200.
 */
import express, { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import { E164_PATTERN, HTTP_HEADERS, tenantIdSchema } from '@calsync/contracts';
import type { TenantReader, TenantRecord } from '@calsync/db';
import { clientOf, outageOf, sha256Hex, traceOf, type Clock, type Logger } from '@calsync/platform';
import { ApiError } from '../domain/errors';
import { isRetellFunction, type RetellCall, type RetellFunctions } from '../domain/retell';
import { UNAVAILABLE } from '../domain/retell/context';
import { verifyRetellSignature } from '../domain/retell/signature';
import type { AuthThrottle } from './auth-throttle';
import { stableStringify } from './idempotency';

export interface RetellRouterDeps {
  tenants: TenantReader;
  retell: RetellFunctions;
  throttle: AuthThrottle;
  clock: Clock;
  logger: Logger;
  /** RETELL_CONFIRM_TIMEOUT_MS: no answer takes longer. */
  confirmTimeoutMs: number;
}

const CALL_ID = /^[\x21-\x7e]{1,128}$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v.trim() : undefined);
const phoneOf = (v: unknown) => {
  const p = str(v)?.replace(/[\s()-]/g, '');
  return p && E164_PATTERN.test(p) ? p : null;
};

/** Every failure is the same 401, so tenants and keys cannot be probed. */
export function retellSignature(
  deps: Pick<RetellRouterDeps, 'tenants' | 'throttle' | 'clock' | 'logger'>,
): RequestHandler {
  return async (req, res, next) => {
    const tenantId = String(req.params.tenantId ?? '');
    const validId = tenantIdSchema.safeParse(tenantId).success;
    const subject = { ip: clientOf(req), tenantId: validId ? tenantId : undefined };
    deps.throttle.guard(res, subject);
    const tenant = validId ? await deps.tenants.get(tenantId) : null;
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const check = tenant?.retellApiKey
      ? verifyRetellSignature({
          header: req.header(HTTP_HEADERS.retellSignature),
          rawBody: raw,
          apiKey: tenant.retellApiKey,
          now: deps.clock.now(),
        })
      : ({ ok: false, reason: 'no_key' } as const);
    if (!check.ok || !tenant) {
      deps.logger.warn('Retell request rejected', {
        tenant: tenant?.id,
        reason: check.ok ? 'no_tenant' : check.reason,
      });
      deps.throttle.failed(subject);
      throw new ApiError('unauthorized', 'Missing or invalid Retell signature');
    }
    res.locals.tenant = tenant;
    next();
  };
}

/** Default body `{name, args, call}` or "args only" (call id and number then in headers). */
export function readInvocation(body: Json, header: (name: string) => string | undefined) {
  const wrapped = isObject(body.args);
  const args = wrapped ? body.args : body;
  const call = wrapped && isObject(body.call) ? body.call : {};
  const callId = str(call.call_id) ?? str(header(HTTP_HEADERS.retellCallId));
  // The customer is the other end: the caller on inbound calls, the callee on outbound ones.
  const customer = call.direction === 'outbound' ? call.to_number : call.from_number;
  return {
    args,
    callId: callId && CALL_ID.test(callId) ? callId : null,
    callerPhone: phoneOf(customer) ?? phoneOf(header(HTTP_HEADERS.retellFromNumber)),
  };
}

export function retellRouter(deps: RetellRouterDeps): Router {
  const r = Router({ mergeParams: true });
  r.post(
    '/:name',
    (_req, res, next) => {
      // The caller's budget starts when the request arrives, before body, tenant and signature.
      res.locals.deadline = deps.clock.now().getTime() + deps.confirmTimeoutMs;
      next();
    },
    express.raw({ type: () => true, limit: '1mb' }),
    retellSignature(deps),
    async (req, res) => {
      const name = String(req.params.name);
      if (!isRetellFunction(name)) throw new ApiError('not_found', `Unknown function ${name.slice(0, 64)}`);
      const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
      let body: unknown = {};
      try {
        if (raw.trim()) body = JSON.parse(raw);
      } catch {
        throw new ApiError('invalid_request', 'Request body is not valid JSON');
      }
      if (!isObject(body)) {
        res.json({ result: 'I did not understand that request.', error: 'invalid_arguments' });
        return;
      }
      const inv = readInvocation(body, (h) => req.header(h));
      const call: RetellCall = {
        callId: inv.callId,
        callerPhone: inv.callerPhone,
        traceparent: traceOf(res),
        deadline: res.locals.deadline as number,
      };
      const tenant = res.locals.tenant as TenantRecord;
      const { answer, replayed } = await deps.retell.invoke(
        name,
        tenant,
        call,
        inv.args,
        sha256Hex(stableStringify(inv.args)),
      );
      if (replayed) res.setHeader(HTTP_HEADERS.idempotentReplayed, 'true');
      res.json(answer);
    },
  );
  r.use(outageAnswer(deps.logger));
  return r;
}

/**
 * MySQL or NATS away before a change committed (a committed change answers
 * `pending` itself): a sentence the agent can say, not a 5xx. This also covers
 * the signature check (it needs the tenant's key from MySQL); the answer reveals
 * nothing and changes nothing.
 */
function outageAnswer(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    const outage = outageOf(err);
    if (!outage || res.headersSent) return next(err);
    logger.warn('Retell function answered unavailable', {
      tenant: String(req.params.tenantId ?? ''),
      function: String(req.params.name ?? ''),
      dependency: outage,
      error: err,
    });
    res.json(UNAVAILABLE);
  };
}
