/**
 * Operator API (SPEC §4.1): tenants (create or replace, onboard with
 * `calcom.connect`, list, rotate the webhook secret, offboard), parked inbound
 * deliveries, and read access to any tenant's appointments, offboarded ones too.
 */
import { Router, type RequestHandler } from 'express';
import { constantTimeEqual, validate } from '@calsync/platform';
import { ApiError } from '../domain/errors';
import { tenantIdSchema } from '@calsync/contracts';
import type { TenantsService } from '../domain/tenants';
import type { TenantLifecycle } from '../domain/tenant-lifecycle';
import type { ParkedService } from '../domain/parked';
import type { AppointmentsService } from '../domain/appointments';
import { bearer, operatorAuth } from './auth';
import type { AuthThrottle } from './auth-throttle';
import { listQuery, parkedListQuery, tenantBody, tenantListQuery, uuidParam } from './schemas';

export function operatorRouter(deps: {
  tenants: TenantsService;
  lifecycle: TenantLifecycle;
  parked: ParkedService;
  appointments: AppointmentsService;
  operatorToken: string | undefined;
  throttle: AuthThrottle;
}): Router {
  const r = Router();
  const auth = operatorAuth(deps.operatorToken, deps.throttle);
  const tenantId = (raw: unknown) => validate(tenantIdSchema, raw, 'tenantId');

  r.put('/v1/tenants/:tenantId', auth, async (req, res) => {
    const id = tenantId(req.params.tenantId);
    const body = validate(tenantBody, req.body);
    const { connect, eventTypes, ...calcom } = body.calcom;
    const { created, tenant } = connect
      ? await deps.lifecycle.connect(id, { ...body, calcom })
      : await deps.tenants.put(id, { ...body, calcom: { ...calcom, eventTypes: eventTypes ?? [] } });
    res.status(created ? 201 : 200).json(tenant);
  });

  r.get('/v1/tenants', auth, async (req, res) => {
    res.json(await deps.tenants.list(validate(tenantListQuery, req.query, 'query')));
  });

  r.get('/v1/tenants/:tenantId', auth, async (req, res) => {
    res.json(await deps.tenants.get(tenantId(req.params.tenantId)));
  });

  r.delete('/v1/tenants/:tenantId', auth, async (req, res) => {
    res.json(await deps.lifecycle.remove(tenantId(req.params.tenantId)));
  });

  r.post('/v1/tenants/:tenantId/calcom/rotate-webhook-secret', auth, async (req, res) => {
    res.json(await deps.lifecycle.rotateWebhookSecret(tenantId(req.params.tenantId)));
  });

  r.get('/v1/parked', auth, async (req, res) => {
    const q = validate(parkedListQuery, req.query, 'query');
    res.json(
      await deps.parked.list({ limit: q.limit, tenantId: q.tenantId, includeRedriven: q.all === 'true' }),
    );
  });

  r.post('/v1/parked/:id/redrive', auth, async (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id) || id < 1) throw new ApiError('not_found', 'Parked delivery not found');
    res.json(await deps.parked.redrive(id));
  });

  /**
   * The operator token may read any tenant's appointments, also after
   * offboarding (the admin token is gone then). Any other token falls through
   * to the admin API's own authentication.
   */
  const operatorOnly: RequestHandler = (req, _res, next) => {
    const token = bearer(req.header('authorization'));
    const isOperator = !!deps.operatorToken && !!token && constantTimeEqual(token, deps.operatorToken);
    next(isOperator ? undefined : 'route');
  };
  r.get('/v1/tenants/:tenantId/appointments', operatorOnly, async (req, res) => {
    const q = validate(listQuery, req.query, 'query');
    res.json(await deps.appointments.list(tenantId(req.params.tenantId), q));
  });
  r.get('/v1/tenants/:tenantId/appointments/:id', operatorOnly, async (req, res) => {
    const id = uuidParam.safeParse(req.params.id);
    if (!id.success) throw new ApiError('not_found', 'Appointment not found');
    res.json(await deps.appointments.get(tenantId(req.params.tenantId), id.data));
  });
  return r;
}
