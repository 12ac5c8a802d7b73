/** Admin API (SPEC §4.2): a tenant's appointments. Thin: parse, call the domain, answer. */
import { Router, type Request, type Response } from 'express';
import { traceOf, validate, type Clock } from '@calsync/platform';
import { ApiError } from '../domain/errors';
import type { AppointmentsService, Actor } from '../domain/appointments';
import type { IdempotencyRepo } from '../domain/ports';
import { tenantOf } from './auth';
import { idempotent } from './idempotency';
import {
  bulkCancelBody,
  cancelBody,
  createBody,
  listQuery,
  patchBody,
  rescheduleBody,
  uuidParam,
} from './schemas';

export interface AdminRouterDeps {
  appointments: AppointmentsService;
  idempotency: IdempotencyRepo;
  clock: Clock;
}

const admin = (res: Response): Actor => ({ origin: 'admin', traceparent: traceOf(res) });

function appointmentId(req: Request): string {
  const r = uuidParam.safeParse(req.params.id);
  if (!r.success) throw new ApiError('not_found', 'Appointment not found');
  return r.data;
}

export function adminRouter(deps: AdminRouterDeps): Router {
  const r = Router({ mergeParams: true });
  const once = (op: string) => idempotent(deps.idempotency, deps.clock, op);

  r.post('/appointments', once('create'), async (req, res) => {
    const body = validate(createBody, req.body);
    res.status(201).json(await deps.appointments.create(tenantOf(res), body, admin(res)));
  });

  r.get('/appointments', async (req, res) => {
    const q = validate(listQuery, req.query, 'query');
    res.json(await deps.appointments.list(tenantOf(res).id, q));
  });

  r.post('/appointments/bulk-cancel', once('bulk-cancel'), async (req, res) => {
    const body = validate(bulkCancelBody, req.body);
    res.json(await deps.appointments.bulkCancel(tenantOf(res), body.ids, body.reason, admin(res)));
  });

  r.get('/appointments/:id', async (req, res) => {
    res.json(await deps.appointments.get(tenantOf(res).id, appointmentId(req)));
  });

  r.patch('/appointments/:id', once('patch'), async (req, res) => {
    const id = appointmentId(req);
    const body = validate(patchBody, req.body);
    res.json(await deps.appointments.patch(tenantOf(res), id, body, admin(res)));
  });

  r.post('/appointments/:id/cancel', once('cancel'), async (req, res) => {
    const id = appointmentId(req);
    const body = validate(cancelBody, req.body ?? {});
    res.json(await deps.appointments.cancel(tenantOf(res), id, body.reason, admin(res)));
  });

  r.post('/appointments/:id/reschedule', once('reschedule'), async (req, res) => {
    const id = appointmentId(req);
    const body = validate(rescheduleBody, req.body);
    res.json(await deps.appointments.reschedule(tenantOf(res), id, body.start, body.reason, admin(res)));
  });

  return r;
}
