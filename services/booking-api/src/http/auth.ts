/**
 * Operator token (env) and per-tenant admin tokens (stored as SHA-256). A token
 * of tenant A on a path of tenant B is a 403 and touches nothing.
 */
import type { RequestHandler, Response } from 'express';
import { AppError, constantTimeEqual, hashToken } from '@calsync/platform';
import { tenantIdSchema } from '@calsync/contracts';
import type { TenantReader, TenantRecord } from '@calsync/db';
import type { TenantsRepo } from '../db/tenants-repo';

export function bearer(header: string | undefined): string | null {
  const m = /^Bearer ([^\s]+)$/.exec(header ?? '');
  return m?.[1] ?? null;
}

export function operatorAuth(operatorToken: string | undefined): RequestHandler {
  return (req, _res, next) => {
    if (!operatorToken)
      throw new AppError('forbidden', 'The operator API is disabled (OPERATOR_TOKEN is not set)');
    const token = bearer(req.header('authorization'));
    if (!token || !constantTimeEqual(token, operatorToken))
      throw new AppError('unauthorized', 'Missing or invalid operator token');
    next();
  };
}

export function tenantOf(res: Response): TenantRecord {
  return res.locals.tenant as TenantRecord;
}

export function adminAuth(deps: { repo: TenantsRepo; reader: TenantReader }): RequestHandler {
  // token hash → tenant id, briefly cached: every admin request needs it.
  const cache = new Map<string, { at: number; tenantId: string | null }>();
  return async (req, res, next) => {
    const token = bearer(req.header('authorization'));
    if (!token) throw new AppError('unauthorized', 'Missing bearer token');
    const hash = hashToken(token);
    let hit = cache.get(hash);
    if (!hit || Date.now() - hit.at > 5_000) {
      hit = { at: Date.now(), tenantId: await deps.repo.tenantIdByTokenHash(hash) };
      if (cache.size > 10_000) cache.clear();
      cache.set(hash, hit);
    }
    if (!hit.tenantId) throw new AppError('unauthorized', 'Invalid token');
    const pathTenant = String(req.params.tenantId ?? '');
    if (!tenantIdSchema.safeParse(pathTenant).success || !constantTimeEqual(hit.tenantId, pathTenant)) {
      throw new AppError('forbidden', 'This token is not valid for this tenant');
    }
    const tenant = await deps.reader.get(hit.tenantId);
    if (!tenant) throw new AppError('unauthorized', 'Invalid token');
    res.locals.tenant = tenant;
    next();
  };
}
