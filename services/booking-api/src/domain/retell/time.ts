/**
 * Times as a phone agent gives them: local wall-clock times plus an IANA zone
 * (what Retell's own calendar tools pass) or full ISO instants with an offset.
 * DST is decided here, explicitly: a local time that does not exist (02:30 on
 * the spring-forward Sunday in Europe/Berlin) is refused; one that exists twice
 * (02:30 on the fall-back Sunday) resolves to the EARLIER instant (still summer
 * time) and says so, so the agent can tell the caller.
 */
import { DateTime, IANAZone } from 'luxon';
import { canonicalTimeZone } from '@calsync/platform';

export type ParsedTime =
  | { ok: true; instant: Date; zone: string; ambiguous: boolean }
  | { ok: false; reason: 'invalid' | 'nonexistent' };

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isValidZone(zone: string): boolean {
  return canonicalTimeZone(zone) !== null;
}

/**
 * Every instant whose wall clock in `zone` reads the given local time: none
 * (a gap), one, or two (an overlap), earliest first.
 */
export function instantsOfLocal(
  zone: string,
  local: { year: number; month: number; day: number; hour: number; minute: number; second?: number },
): Date[] {
  const z = IANAZone.create(zone);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second ?? 0);
  // Offsets in force a few hours either side cover every real transition (at most one per day).
  const offsets = new Set([z.offset(asUtc - 6 * 3600_000), z.offset(asUtc), z.offset(asUtc + 6 * 3600_000)]);
  const out = new Set<number>();
  for (const minutes of offsets) {
    const candidate = asUtc - minutes * 60_000;
    if (z.offset(candidate) === minutes) out.add(candidate);
  }
  return [...out].sort((a, b) => a - b).map((ms) => new Date(ms));
}

/** `YYYY-MM-DDTHH:mm[:ss]` in `zone`, or an ISO instant with `Z`/offset (the zone is then only for speech). */
export function parseTime(input: string, zone: string): ParsedTime {
  const text = input.trim();
  if (ISO_WITH_OFFSET.test(text)) {
    const dt = DateTime.fromISO(text, { setZone: true });
    return dt.isValid
      ? { ok: true, instant: dt.toJSDate(), zone, ambiguous: false }
      : { ok: false, reason: 'invalid' };
  }
  const m = LOCAL.exec(text);
  if (!m) return { ok: false, reason: 'invalid' };
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  const local = { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: second! };
  // Reject 2026-02-30 and 25:00 before asking which instants match.
  const probe = DateTime.fromObject(local, { zone: 'UTC' });
  if (!probe.isValid || probe.month !== local.month || probe.day !== local.day)
    return { ok: false, reason: 'invalid' };
  const instants = instantsOfLocal(zone, local);
  const first = instants[0];
  if (!first) return { ok: false, reason: 'nonexistent' };
  return { ok: true, instant: first, zone, ambiguous: instants.length > 1 };
}

/** `[start, end)` of a calendar day in `zone`, DST-aware (a 23- or 25-hour day is what it is). */
export function dayRange(date: string, zone: string): { from: Date; to: Date } | null {
  const m = DATE.exec(date.trim());
  if (!m) return null;
  const start = DateTime.fromObject({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }, { zone });
  if (!start.isValid || start.toFormat('yyyy-MM-dd') !== date.trim()) return null;
  return { from: start.startOf('day').toJSDate(), to: start.plus({ days: 1 }).startOf('day').toJSDate() };
}

export const isDate = (s: string) => DATE.test(s.trim());

/** The wall-clock reading of an instant in a zone, for answers: `2026-03-29T10:00`. */
export function localIso(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");
}
