/**
 * IANA time zones as clients spell them (`EUROPE/BERLIN`) turned into the one
 * canonical name (`Europe/Berlin`) before anything is stored or sent to Cal.com.
 * Building an Intl formatter is costly on a hot path, so answers are cached,
 * keyed case-insensitively: case variants share one entry, and garbage names
 * cannot grow the cache past its bound.
 */
import { createLruCache } from './lru';

const SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/;
const answers = createLruCache<string, string | null>({ max: 1_000, ttlMs: 3_600_000 });

/** The canonical IANA name of `zone`, or null when it is none. */
export function canonicalTimeZone(zone: string): string | null {
  if (zone.length > 64 || !SHAPE.test(zone)) return null;
  const key = zone.toLowerCase();
  const known = answers.get(key);
  if (known !== undefined) return known;
  let canonical: string | null;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    canonical = null;
  }
  answers.set(key, canonical);
  return canonical;
}
