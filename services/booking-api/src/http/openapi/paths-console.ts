/**
 * What the staff console reads beyond SPEC §4.2 (settings, live events) and the
 * pages booking-api serves (`/admin`, `/docs`, this document).
 */
import { z } from 'zod';
import {
  APPOINTMENT_EVENTS,
  APPOINTMENT_STATUSES,
  ORIGINS,
  SYNC_ACTIONS,
  SYNC_OUTCOMES,
  jsonContent as json,
  type HttpRoute,
} from '@calsync/contracts';
import type { LiveEvent } from '../../domain/live-events';
import { tenantSettingsSchema } from '../settings';
import { ADMIN, ADMIN_AUTH, ALWAYS, errors, tenantParams, type Same } from './common';
import { utc } from './responses';

/** One `data:` line of the event stream (the `event:` line carries `type`). */
export const liveEventSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('appointment'),
      event: z.enum(APPOINTMENT_EVENTS),
      appointmentId: z.uuid(),
      origin: z.enum(ORIGINS),
      occurredAt: utc,
      start: utc,
      status: z.enum(APPOINTMENT_STATUSES),
    }),
    z.strictObject({
      type: z.literal('sync'),
      appointmentId: z.uuid(),
      outcome: z.enum(SYNC_OUTCOMES),
      action: z.enum(SYNC_ACTIONS),
      errorCode: z.string().nullable(),
      occurredAt: utc,
    }),
    z.strictObject({ type: z.literal('resync') }),
  ])
  .meta({
    id: 'LiveEvent',
    description: 'Ids and times only (no customer data): a wake-up to read the admin API again.',
  });

export const liveEventMatches: Same<z.output<typeof liveEventSchema>, LiveEvent> = true;

const html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });
const PAGES = 'Pages';

export const consoleRoutes: HttpRoute[] = [
  {
    method: 'get',
    path: '/v1/tenants/{tenantId}/settings',
    operationId: 'getSettings',
    summary: "The tenant's name, time zone and event types",
    description: 'What a client of the admin API needs to show and create appointments. Never a secret.',
    tags: ['Appointments (admin)'],
    security: [{ [ADMIN]: [] }],
    request: { params: tenantParams },
    responses: {
      200: {
        description: 'The settings.',
        content: json(tenantSettingsSchema.meta({ id: 'TenantSettings' })),
      },
      ...errors({ ...ALWAYS, ...ADMIN_AUTH }),
    },
  },
  {
    method: 'get',
    path: '/v1/tenants/{tenantId}/events',
    operationId: 'streamEvents',
    summary: "Live events of the tenant's appointments",
    description:
      'Server-sent events: `event: ready` once subscribed, then `event: appointment` / `sync` / `resync` with a `LiveEvent` as `data`, and a comment line as heartbeat. Send the admin token in the Authorization header, never in the URL.',
    tags: ['Appointments (admin)'],
    security: [{ [ADMIN]: [] }],
    request: { params: tenantParams },
    responses: {
      200: {
        description: 'The stream (until the client or the server closes it).',
        content: { 'text/event-stream': { schema: z.string().meta({ description: 'See LiveEvent.' }) } },
      },
      ...errors({
        ...ALWAYS,
        ...ADMIN_AUTH,
        429: '`rate_limited`: over a request budget, or the tenant holds the most live connections allowed.',
        503: '`unavailable`: the server is shutting down or NATS is away; retry.',
      }),
    },
  },
];

/** The pages booking-api serves, and this document. */
export const pageRoutes: HttpRoute[] = [
  {
    method: 'get',
    path: '/admin',
    operationId: 'console',
    summary: 'The staff console',
    description:
      'Redirects to `/admin/`: the console, static page and scripts from this host only, under a strict Content-Security-Policy.',
    tags: [PAGES],
    responses: { 301: { description: 'To `/admin/`.' } },
  },
  {
    method: 'get',
    path: '/docs',
    operationId: 'reference',
    summary: 'This reference, as a page',
    tags: [PAGES],
    responses: { 200: html('Rendered from /openapi.json; no script.') },
  },
  {
    method: 'get',
    path: '/docs/reference.css',
    operationId: 'referenceStyle',
    summary: "The reference page's stylesheet",
    tags: [PAGES],
    responses: { 200: { description: 'CSS.', content: { 'text/css': { schema: z.string() } } } },
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'openapi',
    summary: 'This document',
    tags: [PAGES],
    responses: { 200: { description: 'OpenAPI 3.1.', content: json(z.record(z.string(), z.unknown())) } },
  },
];
