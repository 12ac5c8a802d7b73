/**
 * `Idempotency-Key`: a repeat returns the first status and body; the same key
 * with another body → 422; a repeat while the first still runs → 409. A failed
 * request (5xx) releases its key only when it wrote nothing; otherwise the key
 * stays claimed until its lease ends, so a retry cannot run a change twice.
 */
import type { RequestHandler } from 'express';
import { sha256Hex, type Clock } from '@calsync/platform';
import { ApiError, notFound } from '../domain/errors';
import { HTTP_HEADERS } from '@calsync/contracts';
import { trackWrites, type WriteTracker } from '@calsync/db';
import type { IdempotencyRepo } from '../domain/ports';
import { tenantOf } from './auth';

export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export function idempotent(repo: IdempotencyRepo, clock: Clock, operation: string): RequestHandler {
  return async (req, res, next) => {
    const key = req.header(HTTP_HEADERS.idempotencyKey);
    if (key === undefined) return next();
    if (!/^[\x21-\x7e]{1,255}$/.test(key))
      throw new ApiError('invalid_request', 'Idempotency-Key must be 1-255 visible ASCII characters');
    const tenantId = tenantOf(res).id;
    const scope = `${operation}:${String(req.params.id ?? '')}`;
    // Longer than the scope column (128): no appointment id is (they are UUIDs), so this is the
    // 404 the route would give; claiming it would fail in MySQL as a 500 (found by test:fuzz).
    if (scope.length > 128) throw notFound('Appointment');
    const hash = sha256Hex(stableStringify(req.body ?? null));
    const claim = await repo.claim(tenantId, scope, key, hash, clock.now());
    switch (claim.kind) {
      case 'mismatch':
        throw new ApiError(
          'idempotency_mismatch',
          'This Idempotency-Key was used with a different request body',
        );
      case 'in_progress':
        throw new ApiError(
          'idempotency_in_progress',
          'A request with this Idempotency-Key is still being processed',
        );
      case 'replay':
        res.setHeader(HTTP_HEADERS.idempotentReplayed, 'true');
        res.status(claim.status).type('application/json').send(claim.body);
        return;
      case 'claimed': {
        // Whether the route may have committed something: only a request that provably wrote
        // nothing may release its key after a failure (a lost COMMIT acknowledgement is no proof).
        const writes: WriteTracker = { mayHaveWritten: false };
        const json = res.json.bind(res);
        res.json = (body: unknown) => {
          const status = res.statusCode;
          const settle =
            status < 500
              ? repo.complete(tenantId, scope, key, status, JSON.stringify(body))
              : writes.mayHaveWritten
                ? Promise.resolve() // stays claimed: a retry gets 409 until the lease runs out
                : repo.release(tenantId, scope, key);
          // The answer stands even if MySQL went away after the work committed: a 503 would tell
          // the client nothing happened. The key then stays claimed until the takeover (60 s).
          settle.then(
            () => json(body),
            () => json(body),
          );
          return res;
        };
        trackWrites(writes, next);
      }
    }
  };
}
