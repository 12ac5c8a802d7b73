/** Pieces every booking-api operation in the document shares: security schemes, parameters, errors. */
import { z } from 'zod';
import {
  HTTP_HEADERS,
  errorBodySchema,
  jsonContent,
  retryAfterHeader,
  tenantIdSchema,
  type HttpResponse,
} from '@calsync/contracts';
import { ERROR_STATUS, type ErrorCode } from '../../domain/errors';

export const OPERATOR = 'operatorToken';
export const ADMIN = 'adminToken';
export const RETELL = 'retellSignature';

export const securitySchemes = {
  [OPERATOR]: {
    type: 'http' as const,
    scheme: 'bearer',
    description:
      '`Authorization: Bearer $OPERATOR_TOKEN`. Without OPERATOR_TOKEN the operator API answers 403.',
  },
  [ADMIN]: {
    type: 'http' as const,
    scheme: 'bearer',
    description:
      "`Authorization: Bearer <the tenant's adminToken>`. Another tenant's token → 403, nothing changes.",
  },
  [RETELL]: {
    type: 'apiKey' as const,
    in: 'header' as const,
    name: HTTP_HEADERS.retellSignature,
    description:
      "`v=<unix ms>,d=<hex>`: HMAC-SHA256 of the raw body followed by the timestamp, keyed with the tenant's Retell API key; within ±5 minutes.",
  },
};

export const tenantParams = z.object({ tenantId: tenantIdSchema });
export const appointmentParams = tenantParams.extend({
  id: z.string().meta({ description: 'The appointment id (a UUID; anything else is a 404).' }),
});

export const idempotencyHeaders = z.object({
  [HTTP_HEADERS.idempotencyKey]: z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/)
    .optional()
    .meta({
      description:
        'Per tenant and route, kept 24 h: a repeat gets the first status and body (`Idempotent-Replayed: true`); another body → 422; while the first runs → 409.',
    }),
});
export const replayedHeader = z.object({
  [HTTP_HEADERS.idempotentReplayed]: z
    .literal('true')
    .optional()
    .meta({ description: 'This answer is a replay.' }),
});

/** Codes the error middleware (libs/platform http.ts) answers with besides ERROR_STATUS. */
const EXTRA_CODES: Partial<Record<number, string[]>> = { 400: ['invalid_json'] };

const errorSchemas = new Map<number, z.ZodType>();
/** `Error409` etc.: the error body with the codes that status can carry. */
function errorSchema(status: number): z.ZodType {
  const known = errorSchemas.get(status);
  if (known) return known;
  const codes = [
    ...(Object.keys(ERROR_STATUS) as ErrorCode[]).filter((c) => ERROR_STATUS[c] === status),
    ...(EXTRA_CODES[status] ?? []),
  ];
  const schema = errorBodySchema(codes as [string, ...string[]]).meta({ id: `Error${status}` });
  errorSchemas.set(status, schema);
  return schema;
}

const WITH_RETRY_AFTER = new Set([429, 503]);

/** Error answers by status, each described for its operation. */
export function errors(described: Record<number, string>): Record<number, HttpResponse> {
  return Object.fromEntries(
    Object.entries(described).map(([s, description]) => {
      const status = Number(s);
      return [
        status,
        {
          description,
          content: jsonContent(errorSchema(status)),
          ...(WITH_RETRY_AFTER.has(status) ? { headers: retryAfterHeader } : {}),
        },
      ];
    }),
  );
}

/** Compile-time check that a documented shape is exactly the domain's type. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

export const ADMIN_AUTH = {
  401: '`unauthorized`: missing or unknown token.',
  403: '`forbidden`: a token of another tenant; nothing changed.',
};

/** What any operation behind the rate limiter and MySQL can answer. */
export const ALWAYS = {
  400: '`invalid_request` / `invalid_json`: the request is malformed; `details` names the fields.',
  429: '`rate_limited`: over the client or tenant budget, or too many failed authentications.',
  500: '`internal`: a bug; nothing secret is in the answer.',
  503: '`unavailable`: MySQL, NATS or Cal.com briefly away; nothing happened, retry.',
};
export const BODY = {
  413: '`payload_too_large`: the body is over 1 MB.',
  415: '`unsupported_media_type`: the body encoding is not supported.',
};
