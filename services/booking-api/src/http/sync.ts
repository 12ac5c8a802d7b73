/** Sync endpoints of the admin API (SPEC §4.2): status, review queue, retry, resolve. Thin. */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { traceOf, validate, type Clock } from '@calsync/platform';
import { ApiError } from '../domain/errors';
import { isoInstantSchema } from '@calsync/contracts';
import { RESOLUTIONS, type SyncService } from '../domain/sync';
import type { Actor } from '../domain/tx';
import { tenantOf } from './auth';
import { uuidParam } from './schemas';

export const statusQuery = z.strictObject({
  since: isoInstantSchema.transform((v) => new Date(v)).optional(),
});
export const resolveBody = z.strictObject({ resolution: z.enum(RESOLUTIONS) });
/** Retry takes no body; an empty object is tolerated, anything else is a 400. */
export const retryBody = z.strictObject({});

const DAY_MS = 24 * 3600_000;

function appointmentId(req: Request): string {
  const r = uuidParam.safeParse(req.params.id);
  if (!r.success) throw new ApiError('not_found', 'Appointment not found');
  return r.data;
}

/** The admin is the actor of a retry or a keep-local. */
const admin = (res: Response): Actor => ({ origin: 'admin', traceparent: traceOf(res) });

export function syncRouter(deps: { sync: SyncService; clock: Clock }): Router {
  const r = Router({ mergeParams: true });

  r.get('/sync/status', async (req, res) => {
    const q = validate(statusQuery, req.query, 'query');
    const since = q.since ?? new Date(deps.clock.now().getTime() - DAY_MS);
    res.json(await deps.sync.status(tenantOf(res).id, since));
  });

  r.get('/sync/review', async (_req, res) => {
    res.json(await deps.sync.review(tenantOf(res)));
  });

  r.post('/appointments/:id/sync/retry', async (req, res) => {
    const id = appointmentId(req);
    validate(retryBody, req.body ?? {});
    res.status(202).json(await deps.sync.retry(tenantOf(res), id, admin(res)));
  });

  r.post('/appointments/:id/sync/resolve', async (req, res) => {
    const id = appointmentId(req);
    const body = validate(resolveBody, req.body);
    res.json(await deps.sync.resolve(tenantOf(res), id, body.resolution, admin(res)));
  });

  return r;
}
