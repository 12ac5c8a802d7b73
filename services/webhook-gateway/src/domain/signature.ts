/**
 * Cal.com signs the exact body bytes: lowercase hex HMAC-SHA256 with the
 * webhook secret, no timestamp, no prefix (calcom/FACTS.md). With no secret set
 * on Cal.com's side the header is the literal `no-secret-provided`.
 */
import { constantTimeEqual, hmacSha256Hex } from '@calsync/platform';

export const NO_SECRET_PROVIDED = 'no-secret-provided';

export type SignatureVerdict =
  'valid' | 'secret_not_configured' | 'missing_signature' | 'no_secret_signature' | 'invalid_signature';

/** Used when there is no secret to check against, so the work done (and its timing) is the same. */
const DUMMY_SECRET = 'calsync-webhook-gateway-no-tenant-secret';

export function verifySignature(
  secret: string | null | undefined,
  header: string | undefined,
  raw: Buffer,
): SignatureVerdict {
  const expected = hmacSha256Hex(secret || DUMMY_SECRET, raw);
  if (header === undefined || header === '') return secret ? 'missing_signature' : 'secret_not_configured';
  if (header === NO_SECRET_PROVIDED) return secret ? 'no_secret_signature' : 'secret_not_configured';
  const matches = constantTimeEqual(expected, header);
  if (!secret) return 'secret_not_configured';
  return matches ? 'valid' : 'invalid_signature';
}

export function signBody(secret: string, raw: Buffer | string): string {
  return hmacSha256Hex(secret, raw);
}

/**
 * How long a secret replaced by a rotation still verifies: Cal.com may have
 * signed deliveries with it just before the PATCH took effect, and it delivers
 * at most once, so refusing them would lose them.
 */
export const PREVIOUS_SECRET_GRACE_MS = 10 * 60_000;

export interface TenantSecrets {
  calcomWebhookSecret: string | null;
  calcomPreviousWebhookSecret: { secret: string; rotatedAt: Date } | null;
}

/** The current secret, or the previous one while it is younger than the grace period. */
export function verifyTenantSignature(
  tenant: TenantSecrets | null | undefined,
  header: string | undefined,
  raw: Buffer,
  now: Date,
): SignatureVerdict {
  const verdict = verifySignature(tenant?.calcomWebhookSecret, header, raw);
  const prev = tenant?.calcomPreviousWebhookSecret;
  if (verdict !== 'invalid_signature' || !prev) return verdict;
  if (now.getTime() - prev.rotatedAt.getTime() >= PREVIOUS_SECRET_GRACE_MS) return verdict;
  return verifySignature(prev.secret, header, raw) === 'valid' ? 'valid' : verdict;
}
