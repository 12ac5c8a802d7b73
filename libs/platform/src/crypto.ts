/** Secrets at rest (AES-256-GCM bound to tenant and column), token hashes and constant-time comparisons. */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { decodeKey } from './config';

/** Where a sealed secret lives: bound into the ciphertext, so it cannot be moved to another tenant or column. */
export interface SecretContext {
  tenantId: string;
  column: string;
}

export interface SecretBox {
  seal(plain: string, where: SecretContext): string;
  open(sealed: string, where: SecretContext): string;
}

/** GCM accepts tags down to 4 bytes unless told otherwise; a short tag is a forgery waiting to happen. */
const TAG_BYTES = 16;

/**
 * `v2:<iv>:<tag>:<ciphertext>` (base64), with `${tenantId}:${column}` as
 * associated data. `v1` secrets (sealed before associated data existed) still
 * open; every tenant write seals afresh as v2. The key never leaves this closure.
 */
export function createSecretBox(key: string): SecretBox {
  const k = decodeKey(key);
  if (!k) throw new Error('SECRETS_KEY must be 32 bytes as base64 or hex');
  const aad = (w: SecretContext) => Buffer.from(`${w.tenantId}:${w.column}`, 'utf8');
  return {
    seal(plain, where) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', k, iv, { authTagLength: TAG_BYTES });
      c.setAAD(aad(where));
      const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return ['v2', iv.toString('base64'), c.getAuthTag().toString('base64'), ct.toString('base64')].join(
        ':',
      );
    },
    open(sealed, where) {
      const [v, iv, tag, ct] = sealed.split(':');
      if ((v !== 'v1' && v !== 'v2') || !iv || !tag || ct === undefined)
        throw new Error('unknown secret format');
      const tagBytes = Buffer.from(tag, 'base64');
      if (tagBytes.length !== TAG_BYTES) throw new Error('secret has a malformed authentication tag');
      const d = createDecipheriv('aes-256-gcm', k, Buffer.from(iv, 'base64'), { authTagLength: TAG_BYTES });
      if (v === 'v2') d.setAAD(aad(where));
      d.setAuthTag(tagBytes);
      return Buffer.concat([d.update(Buffer.from(ct, 'base64')), d.final()]).toString('utf8');
    },
  };
}

/**
 * Admin-token lookup hashes: HMAC-SHA256 under a pepper derived from
 * SECRETS_KEY, so a copy of the tenants table alone does not allow testing
 * token guesses offline. Deterministic, so the lookup by hash stays indexed.
 */
export function createTokenHasher(secretsKey: string): (token: string) => string {
  const k = decodeKey(secretsKey);
  if (!k) throw new Error('SECRETS_KEY must be 32 bytes as base64 or hex');
  const pepper = createHmac('sha256', k).update('calsync admin-token pepper v1').digest();
  return (token) => createHmac('sha256', pepper).update(token, 'utf8').digest('hex');
}

/** The unkeyed SHA-256 admin tokens were stored under before `createTokenHasher`: only to recognise old rows. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmacSha256Hex(key: string, ...parts: (string | Buffer)[]): string {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** Constant time for equal lengths; different lengths compare a digest so timing says nothing either. */
export function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) {
    timingSafeEqual(createHash('sha256').update(ab).digest(), createHash('sha256').update(bb).digest());
    return false;
  }
  return timingSafeEqual(ab, bb);
}

export function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}
