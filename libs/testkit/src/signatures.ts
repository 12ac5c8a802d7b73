/**
 * Requests signed the way the outside world signs them, for tests that reach the
 * services over HTTP only (the services' own signing code is theirs, not a library).
 */
import { hmacSha256Hex } from '@calsync/platform';

/** Retell (retell/FACTS.md): `v=<unix ms>,d=<hex HMAC-SHA256 of body + ms>` keyed with the tenant's Retell key. */
export function retellSignature(rawBody: string, apiKey: string, ms = Date.now()): string {
  return `v=${ms},d=${hmacSha256Hex(apiKey, rawBody, String(ms))}`;
}

/** Cal.com (calcom/FACTS.md): `X-Cal-Signature-256` = lowercase hex HMAC-SHA256 of the exact body bytes. */
export function calcomSignature(rawBody: string, secret: string): string {
  return hmacSha256Hex(secret, rawBody);
}
