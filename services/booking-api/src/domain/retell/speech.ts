/**
 * Sentences the phone agent reads out. Short, in the tenant's time zone, 24-hour
 * clock ("9:30", "14:00"), days as "Monday 5 October". Pure: tested beside it.
 */
import { DateTime } from 'luxon';

const MAX_DAYS = 3;
const MAX_PER_DAY = 4;

const dt = (instant: Date, zone: string) => DateTime.fromJSDate(instant, { zone }).setLocale('en-GB');

export const spokenClock = (instant: Date, zone: string) => dt(instant, zone).toFormat('H:mm');
export const spokenDay = (instant: Date, zone: string) => dt(instant, zone).toFormat('cccc d LLLL');
export const spokenWhen = (instant: Date, zone: string) =>
  `${spokenDay(instant, zone)} at ${spokenClock(instant, zone)}`;

/** "9:00", "9:00 or 9:30", "9:00, 9:30 or 10:00". */
export function spokenList(items: string[], joiner = 'or'): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${joiner} ${items.at(-1)!}`;
}

/** Groups instants by local day, in order. */
function byDay(instants: Date[], zone: string): Date[][] {
  const days = new Map<string, Date[]>();
  for (const i of [...instants].sort((a, b) => a.getTime() - b.getTime())) {
    const key = dt(i, zone).toISODate() ?? '';
    const list = days.get(key) ?? [];
    list.push(i);
    days.set(key, list);
  }
  return [...days.values()];
}

/**
 * Free times for a caller: at most a few per day and a few days, with how many
 * more there are. "On Monday 5 October I have 9:00, 9:30, 10:00 or 10:30, and 6 more later that day."
 */
export function spokenAvailability(slots: Date[], zone: string, range: { from: Date; to: Date }): string {
  if (!slots.length) {
    const lastDay = new Date(range.to.getTime() - 1);
    const sameDay = spokenDay(range.from, zone) === spokenDay(lastDay, zone);
    return sameDay
      ? `Sorry, there is nothing free on ${spokenDay(range.from, zone)}.`
      : `Sorry, there is nothing free between ${spokenDay(range.from, zone)} and ${spokenDay(lastDay, zone)}.`;
  }
  const days = byDay(slots, zone);
  const parts = days.slice(0, MAX_DAYS).map((day) => {
    const first = day[0]!;
    const times = day.slice(0, MAX_PER_DAY).map((i) => spokenClock(i, zone));
    const more = day.length - times.length;
    return `on ${spokenDay(first, zone)} I have ${spokenList(times)}${more > 0 ? `, and ${more} more later that day` : ''}`;
  });
  const moreDays = days.length - MAX_DAYS;
  const text =
    parts.join('; ') + (moreDays > 0 ? `; and more on ${moreDays} other day${moreDays > 1 ? 's' : ''}` : '');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** The nearest `n` instants to `target`, returned in time order. */
export function nearest(slots: Date[], target: Date, n = 3): Date[] {
  return [...slots]
    .filter((s) => s.getTime() !== target.getTime())
    .sort((a, b) => Math.abs(a.getTime() - target.getTime()) - Math.abs(b.getTime() - target.getTime()))
    .slice(0, n)
    .sort((a, b) => a.getTime() - b.getTime());
}

/** "Monday 5 October at 9:00 or 9:30, or Tuesday 6 October at 14:00". */
export function spokenAlternatives(alternatives: Date[], zone: string): string {
  const days = byDay(alternatives, zone).map(
    (day) => `${spokenDay(day[0]!, zone)} at ${spokenList(day.map((i) => spokenClock(i, zone)))}`,
  );
  if (days.length <= 1) return days[0] ?? '';
  return `${days.slice(0, -1).join('; ')}; or ${days.at(-1)!}`;
}
