/** The operator API (SPEC §4.1) in the document: the same zod schemas the router validates with. */
import { z } from 'zod';
import { jsonContent as json, type HttpRoute } from '@calsync/contracts';
import { parkedListQuery, tenantBody, tenantListQuery } from '../schemas';
import { ALWAYS, BODY, OPERATOR, errors, tenantParams } from './common';
import {
  parkedPageSchema,
  parkedSchema,
  rotatedSchema,
  tenantPageSchema,
  tenantRemovedSchema,
  tenantSchema,
} from './responses';

const TENANTS = 'Tenants (operator)';
const PARKED = 'Parked deliveries (operator)';
const operator = [{ [OPERATOR]: [] }];

const AUTH = {
  401: '`unauthorized`: missing or wrong operator token.',
  403: '`forbidden`: the operator API is off (OPERATOR_TOKEN not set).',
};
const CALCOM = {
  502: '`bad_gateway`: Cal.com refused or failed the call; its reason is in the message.',
};

export const operatorRoutes: HttpRoute[] = [
  {
    method: 'put',
    path: '/v1/tenants/{tenantId}',
    operationId: 'putTenant',
    summary: 'Create, replace or onboard a tenant',
    description:
      'With `"calcom": {"apiKey": "...", "connect": true}` (and no `eventTypes`/`webhookSecret`) the event types are read from Cal.com and our webhook is registered there. Secrets are stored encrypted, the admin token only as a hash; none is ever answered.',
    tags: [TENANTS],
    security: operator,
    request: { params: tenantParams, body: { required: true, content: json(tenantBody) } },
    responses: {
      200: { description: 'Replaced.', content: json(tenantSchema) },
      201: { description: 'Created.', content: json(tenantSchema) },
      ...errors({
        ...ALWAYS,
        ...AUTH,
        ...BODY,
        ...CALCOM,
        409: '`conflict`: an event type id or the admin token already belongs to another tenant.',
        422: '`unprocessable`: (connect) the Cal.com account has no event type.',
      }),
    },
  },
  {
    method: 'get',
    path: '/v1/tenants',
    operationId: 'listTenants',
    summary: 'List tenants',
    description: 'Live tenants in id order.',
    tags: [TENANTS],
    security: operator,
    request: { query: tenantListQuery },
    responses: {
      200: { description: 'A page of tenants.', content: json(tenantPageSchema) },
      ...errors({ ...ALWAYS, ...AUTH }),
    },
  },
  {
    method: 'get',
    path: '/v1/tenants/{tenantId}',
    operationId: 'getTenant',
    summary: 'Read a tenant',
    tags: [TENANTS],
    security: operator,
    request: { params: tenantParams },
    responses: {
      200: { description: 'The tenant.', content: json(tenantSchema) },
      ...errors({ ...ALWAYS, ...AUTH, 404: '`not_found`.' }),
    },
  },
  {
    method: 'delete',
    path: '/v1/tenants/{tenantId}',
    operationId: 'removeTenant',
    summary: 'Offboard a tenant',
    description:
      "Sync stops, our webhook is deleted in Cal.com and the tenant's secrets are erased; appointments and audit stay readable to the operator. Repeating it answers the same.",
    tags: [TENANTS],
    security: operator,
    request: { params: tenantParams },
    responses: {
      200: { description: 'Offboarded.', content: json(tenantRemovedSchema) },
      ...errors({ ...ALWAYS, ...AUTH, ...CALCOM, 404: '`not_found`.' }),
    },
  },
  {
    method: 'post',
    path: '/v1/tenants/{tenantId}/calcom/rotate-webhook-secret',
    operationId: 'rotateWebhookSecret',
    summary: "Rotate the tenant's Cal.com webhook secret",
    description:
      'A new secret is set in Cal.com; deliveries signed with the old one are accepted for 10 minutes.',
    tags: [TENANTS],
    security: operator,
    request: { params: tenantParams },
    responses: {
      200: { description: 'Rotated.', content: json(rotatedSchema) },
      ...errors({
        ...ALWAYS,
        ...AUTH,
        ...CALCOM,
        404: '`not_found`.',
        409: '`conflict`: no webhook registered by booking-api (onboard with `connect`).',
      }),
    },
  },
  {
    method: 'get',
    path: '/v1/parked',
    operationId: 'listParked',
    summary: 'Parked inbound deliveries',
    description: 'Cal.com deliveries the inbound applier set aside after repeated failures.',
    tags: [PARKED],
    security: operator,
    request: { query: parkedListQuery },
    responses: {
      200: { description: 'The parked deliveries.', content: json(parkedPageSchema) },
      ...errors({ ...ALWAYS, ...AUTH }),
    },
  },
  {
    method: 'post',
    path: '/v1/parked/{id}/redrive',
    operationId: 'redriveParked',
    summary: 'Re-drive a parked delivery',
    description: 'Publishes it again under a new message id; applying it twice changes nothing.',
    tags: [PARKED],
    security: operator,
    request: { params: z.object({ id: z.string().regex(/^\d+$/).meta({ description: 'The parked id.' }) }) },
    responses: {
      200: { description: 'Re-driven.', content: json(parkedSchema) },
      ...errors({ ...ALWAYS, ...AUTH, 404: '`not_found`.' }),
    },
  },
];
