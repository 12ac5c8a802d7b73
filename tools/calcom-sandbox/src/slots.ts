/**
 * Availability: the account's working hours (in its zone) turned into UTC
 * windows, bookable slots every event-type length, minus busy bookings and
 * minus the past; rendered keyed by date in the requested zone.
 */
import type { Account, Availability, SandboxBooking, WeekdayName } from './types';
import { calendarDays, isoWithOffset, localDateKey, localParts, localToUtc, weekdayOf } from './zone';

const WEEKDAYS: WeekdayName[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const NINE_TO_FIVE = [{ start: '09:00', end: '17:00' }];
export const DEFAULT_AVAILABILITY: Availability = {
  mon: NINE_TO_FIVE,
  tue: NINE_TO_FIVE,
  wed: NINE_TO_FIVE,
  thu: NINE_TO_FIVE,
  fri: NINE_TO_FIVE,
};

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

export interface Window {
  start: Date;
  end: Date;
}

/** Working-hour windows that touch [from, to], in UTC, DST-correct. */
export function workingWindows(account: Account, from: Date, to: Date): Window[] {
  const day = 86_400_000;
  const out: Window[] = [];
  const first = localParts(account.timeZone, new Date(from.getTime() - day));
  const last = localParts(account.timeZone, new Date(to.getTime() + day));
  for (const [y, m, d] of calendarDays(first, last)) {
    const ranges = account.availability[WEEKDAYS[weekdayOf(y, m, d)]!] ?? [];
    for (const r of ranges) {
      const w = {
        start: localToUtc(account.timeZone, y, m, d, minutesOf(r.start)),
        end: localToUtc(account.timeZone, y, m, d, minutesOf(r.end)),
      };
      if (w.end > from && w.start < to) out.push(w);
    }
  }
  return out;
}

export function withinWorkingHours(account: Account, start: Date, end: Date): boolean {
  return workingWindows(account, start, end).some((w) => w.start <= start && w.end >= end);
}

export const isBusy = (b: SandboxBooking) => b.status === 'accepted' || b.status === 'pending';
export const overlaps = (b: { start: Date; end: Date }, start: Date, end: Date) =>
  b.start < end && b.end > start;

export interface SlotQuery {
  from: Date;
  to: Date;
  timeZone: string;
  lengthInMinutes: number;
  range: boolean;
  now: Date;
}

export type SlotsByDate = Record<string, { start: string; end?: string }[]>;

export function computeSlots(account: Account, busy: SandboxBooking[], q: SlotQuery): SlotsByDate {
  const out: SlotsByDate = {};
  const step = q.lengthInMinutes * 60_000;
  for (const w of workingWindows(account, q.from, q.to)) {
    for (let t = w.start.getTime(); t + step <= w.end.getTime(); t += step) {
      const start = new Date(t);
      const end = new Date(t + step);
      if (start < q.from || start >= q.to || start < q.now) continue;
      if (busy.some((b) => overlaps(b, start, end))) continue;
      const key = localDateKey(q.timeZone, start);
      (out[key] ??= []).push({
        start: isoWithOffset(q.timeZone, start),
        ...(q.range ? { end: isoWithOffset(q.timeZone, end) } : {}),
      });
    }
  }
  return out;
}

/** `2050-09-05` → start (or end) of that day in `zone`; a datetime is taken as is. */
export function parseSlotBound(value: string, zone: string, edge: 'start' | 'end'): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (edge === 'start') return localToUtc(zone, y, mo, d, 0);
    return new Date(localToUtc(zone, y, mo, d + 1, 0).getTime() - 1000);
  }
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : new Date(t);
}
