/**
 * The HTTP contract shared across services, as data for the one OpenAPI
 * document booking-api serves (`GET /openapi.json`, SPEC §4.6): the error body,
 * the health routes every service has, and webhook-gateway's route with the
 * schemas it validates with. Routes are plain objects in the shape of
 * zod-to-openapi's `RouteConfig`; this library does not depend on the generator.
 */
import { z } from 'zod';
import { tenantIdSchema } from './common';
import { BOOKING_TRIGGERS, calcomWebhookBookingSchema, calcomWebhookSchema } from './events';
import { HTTP_HEADERS } from './headers';

type JsonContent = Record<string, { schema: z.ZodType }>;

export interface HttpResponse {
  description: string;
  headers?: z.ZodObject;
  content?: JsonContent;
}

/** One operation: what `OpenAPIRegistry.registerPath` takes (a subset of its RouteConfig; a type, not an interface, so it is assignable to that index-signed type). */
export type HttpRoute = {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI template: `/v1/tenants/{tenantId}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security?: Record<string, string[]>[];
  servers?: {
    url: string;
    description?: string;
    variables?: Record<string, { default: string; description?: string }>;
  }[];
  request?: {
    params?: z.ZodObject;
    query?: z.ZodObject;
    headers?: z.ZodObject;
    body?: { description?: string; required?: boolean; content: JsonContent };
  };
  responses: Record<number, HttpResponse>;
};

/** Every error answer: `{"error":{"code","message","details?"}}` (SPEC §4). */
export function errorBodySchema<C extends string>(codes?: readonly [C, ...C[]]) {
  return z.strictObject({
    error: z.strictObject({
      code: codes ? z.enum(codes) : z.string(),
      message: z.string().meta({ description: 'For people; never a stack trace or a secret.' }),
      details: z.unknown().optional().meta({
        description: 'Machine-readable specifics, e.g. the offending fields of a 400: `[{path, message}]`.',
      }),
    }),
  });
}

export const jsonContent = (schema: z.ZodType): JsonContent => ({ 'application/json': { schema } });

const anyError = errorBodySchema().meta({ id: 'Error' });

export const errorResponse = (description: string, headers?: z.ZodObject): HttpResponse => ({
  description,
  ...(headers ? { headers } : {}),
  content: jsonContent(anyError),
});

export const retryAfterHeader = z.object({
  'Retry-After': z.string().regex(/^\d+$/).meta({ description: 'Seconds to wait before trying again.' }),
});

const health = z.strictObject({ status: z.enum(['ok', 'ready', 'not_ready']) }).meta({ id: 'Health' });
const OPERATIONS = 'Operations';

/** `GET /livez`, `/readyz`, `/metrics` of every service (SPEC §4.5; platform's healthRouter). */
export const healthRoutes: HttpRoute[] = [
  {
    method: 'get',
    path: '/livez',
    operationId: 'livez',
    summary: 'Liveness',
    description: 'The process runs. Every service (booking-api, webhook-gateway, calcom-sync) answers it.',
    tags: [OPERATIONS],
    responses: { 200: { description: 'Alive.', content: jsonContent(health) } },
  },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'readyz',
    summary: 'Readiness',
    description: 'NATS and MySQL reachable and migrations done. Every service answers it.',
    tags: [OPERATIONS],
    responses: {
      200: { description: 'Ready: `{"status":"ready"}`.', content: jsonContent(health) },
      503: { description: 'Not ready: `{"status":"not_ready"}`.', content: jsonContent(health) },
    },
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    description: 'Prometheus text format (passes `promtool check metrics`). Every service answers it.',
    tags: [OPERATIONS],
    responses: {
      200: { description: 'The metrics.', content: { 'text/plain': { schema: z.string() } } },
    },
  },
];

export const CALCOM_SIGNATURE_SCHEME = 'calcomSignature';

export const webhookGatewaySecuritySchemes = {
  [CALCOM_SIGNATURE_SCHEME]: {
    type: 'apiKey' as const,
    in: 'header' as const,
    name: HTTP_HEADERS.calSignature,
    description:
      "Hex HMAC-SHA256 of the raw body keyed with the tenant's Cal.com webhook secret (`no-secret-provided` is refused). After a rotation the previous secret is accepted for 10 minutes.",
  },
};

const webhookAnswer = z
  .discriminatedUnion('status', [
    z.strictObject({ status: z.literal('ok') }),
    z.strictObject({ status: z.literal('ignored') }),
    z.strictObject({
      status: z.literal('accepted'),
      deliveryId: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .meta({ description: 'sha256 of the raw body.' }),
      duplicate: z.boolean().meta({ description: 'Seen within 24 h: acknowledged, not published again.' }),
    }),
  ])
  .meta({ id: 'WebhookAnswer' });

const webhookBody = z
  .object({
    triggerEvent: calcomWebhookSchema.shape.triggerEvent.meta({
      description: `${BOOKING_TRIGGERS.join(', ')} are published; \`PING\` is answered 200; any other trigger 202 and ignored.`,
    }),
    createdAt: calcomWebhookSchema.shape.createdAt.meta({
      description: 'Refused (401) when older than WEBHOOK_REPLAY_WINDOW_SECONDS or more than 5 min ahead.',
    }),
    payload: calcomWebhookBookingSchema.meta({ id: 'CalcomWebhookBooking' }),
  })
  .meta({
    id: 'CalcomWebhook',
    description: 'As Cal.com sends it (calcom/FACTS.md); other fields pass through.',
  });

/** webhook-gateway's own route (SPEC §4.4), served on PUBLIC_WEBHOOK_BASE_URL, not on booking-api. */
export const webhookGatewayRoutes: HttpRoute[] = [
  {
    method: 'post',
    path: '/v1/webhooks/calcom/{tenantId}',
    operationId: 'receiveCalcomWebhook',
    summary: 'Receive a Cal.com webhook (webhook-gateway)',
    description:
      "Served by webhook-gateway. Checks in this order: body over 256 KiB → 413; not JSON → 415; unknown tenant or bad signature → 401 (the same answer); malformed → 400; event type not the tenant's → 403; outside the replay window → 401. Duplicates within 24 h are acknowledged and published once. 200 only after JetStream acknowledged; 503 when it cannot.",
    tags: ['Cal.com webhooks (webhook-gateway)'],
    security: [{ [CALCOM_SIGNATURE_SCHEME]: [] }],
    servers: [
      {
        url: '{webhookBaseUrl}',
        description: 'webhook-gateway',
        variables: {
          webhookBaseUrl: { default: 'http://127.0.0.1:3001', description: 'PUBLIC_WEBHOOK_BASE_URL' },
        },
      },
    ],
    request: {
      params: z.object({
        tenantId: tenantIdSchema.meta({ description: 'The tenant comes from the path only.' }),
      }),
      headers: z.object({
        [HTTP_HEADERS.calWebhookVersion]: z
          .string()
          .optional()
          .meta({ description: 'Sent by Cal.com; informative.' }),
      }),
      body: { required: true, content: jsonContent(webhookBody) },
    },
    responses: {
      200: { description: 'Published (or a duplicate, or a PING).', content: jsonContent(webhookAnswer) },
      202: { description: 'Unknown trigger: acknowledged and ignored.', content: jsonContent(webhookAnswer) },
      400: errorResponse('`invalid_request`: not the JSON Cal.com sends.'),
      401: errorResponse('`unauthorized`: unknown tenant, missing or wrong signature, or replayed.'),
      403: errorResponse("`forbidden`: the event type is not this tenant's; nothing published."),
      413: errorResponse('`payload_too_large`: over 256 KiB.'),
      415: errorResponse('`unsupported_media_type`: not `application/json` (or content-encoded).'),
      429: errorResponse(
        '`rate_limited`: over the client or tenant budget (a signed delivery never is).',
        retryAfterHeader,
      ),
      500: errorResponse('`internal`.'),
      503: errorResponse(
        '`unavailable`: JetStream or MySQL did not take it; nothing was accepted; Cal.com retries.',
        retryAfterHeader,
      ),
    },
  },
];
