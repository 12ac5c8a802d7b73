/**
 * Operator token (env) and per-tenant admin tokens (stored as a keyed hash, see
 * `createTokenHasher`). A token of tenant A on a path of tenant B is a 403 and
 * touches nothing. Failed attempts count against the client's throttle.
 */
import type { RequestHandler, Response } from 'express';
import { clientOf, constantTimeEqual, createLruCache, hashToken } from '@calsync/platform';
import { ApiError } from '../domain/errors';
import { tenantIdSchema } from '@calsync/contracts';
import type { TenantReader, TenantRecord } from '@calsync/db';
import type { AdminTokenLookup } from '../db/tenants-repo';
import type { AuthThrottle } from './auth-throttle';

export function bearer(header: string | undefined): string | null {
  const m = /^Bearer ([^\s]+)$/.exec(header ?? '');
  return m?.[1] ?? null;
}

export function operatorAuth(operatorToken: string | undefined, throttle: AuthThrottle): RequestHandler {
  return (req, res, next) => {
    if (!operatorToken)
      throw new ApiError('forbidden', 'The operator API is disabled (OPERATOR_TOKEN is not set)');
    const subject = { ip: clientOf(req) };
    throttle.guard(res, subject);
    const token = bearer(req.header('authorization'));
    if (!token || !constantTimeEqual(token, operatorToken)) {
      throttle.failed(subject);
      throw new ApiError('unauthorized', 'Missing or invalid operator token');
    }
    next();
  };
}

export function tenantOf(res: Response): TenantRecord {
  return res.locals.tenant as TenantRecord;
}

export interface AdminAuthDeps {
  repo: AdminTokenLookup;
  reader: TenantReader;
  hashToken: (token: string) => string;
  throttle: AuthThrottle;
}

/**
 * Token hash → tenant id, briefly cached (every admin request needs it). The
 * tenant record (TenantReader) is the authority: a hash that no longer is the
 * tenant's is refused, so a rotation is effective at once on the replica that
 * wrote it (it invalidates its reader) and within the reader's TTL (5 s) on the
 * others.
 */
export function adminAuth(deps: AdminAuthDeps): RequestHandler {
  const tenantOfHash = createLruCache<string, string>({ max: 10_000, ttlMs: 5_000 });

  /** Finds the tenant of a token; a row still under the old unkeyed SHA-256 is rehashed on first use. */
  async function lookup(token: string, hash: string): Promise<string | null> {
    const id = await deps.repo.tenantIdByTokenHash(hash);
    if (id) return id;
    const legacy = hashToken(token);
    const legacyId = await deps.repo.tenantIdByTokenHash(legacy);
    if (!legacyId) return null;
    await deps.repo.rehashToken(legacyId, legacy, hash);
    deps.reader.invalidate(legacyId);
    return legacyId;
  }

  return async (req, res, next) => {
    const pathTenant = String(req.params.tenantId ?? '');
    const validPath = tenantIdSchema.safeParse(pathTenant).success;
    const subject = { ip: clientOf(req), tenantId: validPath ? pathTenant : undefined };
    deps.throttle.guard(res, subject);
    const refuse = (message: string) => {
      deps.throttle.failed(subject);
      return new ApiError('unauthorized', message);
    };

    const token = bearer(req.header('authorization'));
    if (!token) throw refuse('Missing bearer token');
    const hash = deps.hashToken(token);
    let tenantId = tenantOfHash.get(hash);
    if (tenantId === undefined) {
      const found = await lookup(token, hash);
      if (!found) throw refuse('Invalid token');
      tenantId = found;
      tenantOfHash.set(hash, tenantId);
    }
    if (!validPath || !constantTimeEqual(tenantId, pathTenant)) {
      throw new ApiError('forbidden', 'This token is not valid for this tenant');
    }
    const tenant = await deps.reader.get(tenantId);
    if (!tenant || !constantTimeEqual(tenant.adminTokenHash, hash)) {
      tenantOfHash.delete(hash); // rotated away (or the tenant is gone)
      throw refuse('Invalid token');
    }
    res.locals.tenant = tenant;
    next();
  };
}
