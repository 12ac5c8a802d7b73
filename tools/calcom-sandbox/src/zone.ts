/**
 * IANA time-zone arithmetic on top of Intl (no dependency): offsets, local wall
 * time → UTC, and ISO renderings with an offset. DST-correct because every
 * offset is asked of Intl for the instant in question.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

export function isValidZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

export interface LocalParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function localParts(zone: string, instant: Date): LocalParts {
  const get = (parts: Intl.DateTimeFormatPart[], type: string) =>
    Number(parts.find((p) => p.type === type)?.value ?? '0');
  const parts = formatter(zone).formatToParts(instant);
  return {
    year: get(parts, 'year'),
    month: get(parts, 'month'),
    day: get(parts, 'day'),
    hour: get(parts, 'hour') % 24,
    minute: get(parts, 'minute'),
    second: get(parts, 'second'),
  };
}

/** Offset of `zone` from UTC at `instant`, in minutes (Berlin summer: +120). */
export function offsetMinutes(zone: string, instant: Date): number {
  const p = localParts(zone, instant);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/** The instant at which the wall clock in `zone` shows the given local time. */
export function localToUtc(
  zone: string,
  year: number,
  month: number,
  day: number,
  minuteOfDay: number,
): Date {
  const guess = Date.UTC(year, month - 1, day, 0, minuteOfDay);
  const first = guess - offsetMinutes(zone, new Date(guess)) * 60_000;
  return new Date(guess - offsetMinutes(zone, new Date(first)) * 60_000);
}

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

/** `YYYY-MM-DD` of the instant in `zone`. */
export function localDateKey(zone: string, instant: Date): string {
  const p = localParts(zone, instant);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** `2050-09-05T09:00:00.000+02:00`, the way Cal.com renders slots. */
export function isoWithOffset(zone: string, instant: Date): string {
  const p = localParts(zone, instant);
  const off = offsetMinutes(zone, instant);
  const sign = off < 0 ? '-' : '+';
  const ms = pad(instant.getUTCMilliseconds(), 3);
  return (
    `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}.${ms}` +
    `${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`
  );
}

/** Day of week (0 = Sunday) of a calendar date. */
export function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

/** Calendar dates from `from` to `to` inclusive, as [y, m, d]. */
export function* calendarDays(from: LocalParts, to: LocalParts): Generator<[number, number, number]> {
  const end = Date.UTC(to.year, to.month - 1, to.day);
  for (let t = Date.UTC(from.year, from.month - 1, from.day); t <= end; t += 86_400_000) {
    const d = new Date(t);
    yield [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
  }
}
