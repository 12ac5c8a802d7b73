/**
 * Calendar days in the tenant's time zone, whatever the browser's zone: a day is
 * a `YYYY-MM-DD` key; its start is that zone's midnight as a UTC instant (23 or
 * 25 hours apart across a DST change). Only Intl, no library; pure.
 */

export type DayKey = string;

const partsFormat = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let f = partsFormat.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormat.set(timeZone, f);
  }
  return f;
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock time in `timeZone` at `instant`. */
export function wallTime(instant: Date, timeZone: string): WallTime {
  const p: Record<string, number> = {};
  for (const part of formatFor(timeZone).formatToParts(instant))
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  return {
    year: p.year ?? 0,
    month: p.month ?? 1,
    day: p.day ?? 1,
    hour: (p.hour ?? 0) % 24,
    minute: p.minute ?? 0,
    second: p.second ?? 0,
  };
}

/** Milliseconds `timeZone` is ahead of UTC at `instant`. */
function offsetMs(instant: Date, timeZone: string): number {
  const w = wallTime(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant a wall-clock time in `timeZone` names (in a DST gap: the hour after; in an overlap: the first). */
export function zonedInstant(w: Omit<WallTime, 'second'>, timeZone: string): Date {
  const guess = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  // The zone's offsets half a day either side cover any transition near this time.
  const before = offsetMs(new Date(guess - 12 * 3600_000), timeZone);
  const after = offsetMs(new Date(guess + 12 * 3600_000), timeZone);
  const valid = [guess - before, guess - after].filter((t) => guess - offsetMs(new Date(t), timeZone) === t);
  return new Date(valid.length ? Math.min(...valid) : guess - before);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function dayKeyOf(instant: Date, timeZone: string): DayKey {
  const w = wallTime(instant, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

function parseKey(key: DayKey): { year: number; month: number; day: number } {
  const [year, month, day] = key.split('-').map(Number);
  return { year: year ?? 1970, month: month ?? 1, day: day ?? 1 };
}

export function addDays(key: DayKey, n: number): DayKey {
  const { year, month, day } = parseKey(key);
  const d = new Date(Date.UTC(year, month - 1, day + n));
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** The Monday of the week `key` is in (ISO weeks). */
export function weekStartOf(key: DayKey): DayKey {
  const { year, month, day } = parseKey(key);
  const weekday = (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
  return addDays(key, -weekday);
}

/** Midnight of `key` in `timeZone`. */
export function startOfDay(key: DayKey, timeZone: string): Date {
  return zonedInstant({ ...parseKey(key), hour: 0, minute: 0 }, timeZone);
}

/** Noon UTC of the key's date: a safe instant to format the date itself in any zone near it. */
export function dateOfKey(key: DayKey): Date {
  const { year, month, day } = parseKey(key);
  return new Date(Date.UTC(year, month - 1, day, 12));
}

/** `YYYY-MM-DDTHH:mm` (a datetime-local input's value) in `timeZone`. */
export function toLocalInput(iso: string, timeZone: string): string {
  const w = wallTime(new Date(iso), timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/** A datetime-local value read in `timeZone`, as ISO UTC; null when it is not one. */
export function fromLocalInput(value: string, timeZone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  return zonedInstant({ year, month, day, hour, minute }, timeZone).toISOString();
}
