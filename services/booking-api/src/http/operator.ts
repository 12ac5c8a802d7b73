/** Operator API (SPEC §4.1): tenants. */
import { Router } from 'express';
import { validate } from '@calsync/platform';
import { tenantIdSchema } from '@calsync/contracts';
import type { TenantsService } from '../domain/tenants';
import { operatorAuth } from './auth';
import type { AuthThrottle } from './auth-throttle';
import { tenantBody } from './schemas';

export function operatorRouter(deps: {
  tenants: TenantsService;
  operatorToken: string | undefined;
  throttle: AuthThrottle;
}): Router {
  const r = Router();
  const auth = operatorAuth(deps.operatorToken, deps.throttle);

  r.put('/v1/tenants/:tenantId', auth, async (req, res) => {
    const id = validate(tenantIdSchema, req.params.tenantId, 'tenantId');
    const body = validate(tenantBody, req.body);
    const { created, tenant } = await deps.tenants.put(id, body);
    res.status(created ? 201 : 200).json(tenant);
  });

  r.get('/v1/tenants/:tenantId', auth, async (req, res) => {
    const id = validate(tenantIdSchema, req.params.tenantId, 'tenantId');
    res.json(await deps.tenants.get(id));
  });
  return r;
}
