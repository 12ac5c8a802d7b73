/**
 * Retell's request signature (retell/FACTS.md): `X-Retell-Signature:
 * v=<unix ms>,d=<hex>` where hex = HMAC-SHA256(rawBody + ms) keyed with the
 * tenant's Retell API key. Checked on the raw bytes, within ±5 minutes of our
 * clock, in constant time. A few lines of node:crypto; no SDK (whose async
 * `verify` is easy to call without `await`).
 */
import { constantTimeEqual, hmacSha256Hex } from '@calsync/platform';

export const SIGNATURE_TOLERANCE_MS = 5 * 60_000;

const HEADER = /^v=(\d{10,16}),d=([0-9a-fA-F]{64})$/;

export type SignatureCheck =
  { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

export function signRetell(rawBody: string | Buffer, apiKey: string, timestampMs: number): string {
  return `v=${timestampMs},d=${hmacSha256Hex(apiKey, rawBody, String(timestampMs))}`;
}

export function verifyRetellSignature(input: {
  header: string | undefined;
  rawBody: Buffer | string;
  apiKey: string;
  now: Date;
  toleranceMs?: number;
}): SignatureCheck {
  if (!input.header) return { ok: false, reason: 'missing' };
  const m = HEADER.exec(input.header.trim());
  if (!m) return { ok: false, reason: 'malformed' };
  const ts = Number(m[1]);
  if (Math.abs(input.now.getTime() - ts) > (input.toleranceMs ?? SIGNATURE_TOLERANCE_MS))
    return { ok: false, reason: 'stale' };
  const expected = hmacSha256Hex(input.apiKey, input.rawBody, m[1]!);
  return constantTimeEqual(expected, m[2]!.toLowerCase()) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
