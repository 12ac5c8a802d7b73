/** Words, badges and dates for what the API returns, in the chosen language and the tenant's zone. */
import type { Appointment, Origin, SyncStatus } from './api.js';
import { h } from './dom.js';
import { locale, t, type MessageKey } from './i18n.js';
import { dateOfKey, type DayKey } from './time.js';

export const originLabel = (o: Origin): string =>
  t(
    (
      {
        retell: 'originRetell',
        admin: 'originAdmin',
        calcom: 'originCalcom',
        system: 'originSystem',
      } as const
    )[o],
  );

export const syncLabel = (s: SyncStatus): string =>
  t(
    ({ pending: 'syncPending', synced: 'syncSynced', failed: 'syncFailed', skipped: 'syncSkipped' } as const)[
      s
    ],
  );

export const statusLabel = (s: Appointment['status']): string =>
  t(s === 'booked' ? 'statusBooked' : 'statusCancelled');

const REASONS: Record<string, MessageKey> = {
  conflict: 'reasonConflict',
  double_booked: 'reasonDoubleBooked',
  calcom_cancelled: 'reasonCalcomCancelled',
  slot_taken: 'reasonSlotTaken',
  validation: 'reasonValidation',
  not_found: 'reasonNotFound',
  unauthorized: 'reasonUnauthorized',
  retries_exhausted: 'reasonRetriesExhausted',
  mass_cancellation: 'reasonMassCancellation',
  duplicate: 'reasonDuplicate',
};

/** Why an appointment is in review, said for staff (the code is kept for support). */
export function reasonText(code: string | null): string {
  const key = code ? REASONS[code] : undefined;
  return key ? t(key) : t('reasonOther', { code: code ?? '?' });
}

/** Badges: text says it, colour only repeats it. */
export function badges(a: Appointment): HTMLElement {
  return h(
    'span',
    { class: 'badges' },
    h('span', { class: `badge status-${a.status}` }, statusLabel(a.status)),
    h('span', { class: `badge origin origin-${a.origin}` }, originLabel(a.origin)),
    h(
      'span',
      { class: `badge sync sync-${a.sync.status}`, 'data-sync': a.sync.status },
      syncLabel(a.sync.status),
    ),
    a.sync.requiresManualReview ? h('span', { class: 'badge review' }, t('needsReview')) : null,
  );
}

const formats = new Map<string, Intl.DateTimeFormat>();
function fmt(zone: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale()}|${zone}|${JSON.stringify(opts)}`;
  let f = formats.get(key);
  if (!f) formats.set(key, (f = new Intl.DateTimeFormat(locale(), { ...opts, timeZone: zone })));
  return f;
}

export const timeOf = (iso: string, zone: string) =>
  fmt(zone, { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));

export const whenOf = (iso: string, zone: string) =>
  fmt(zone, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(
    new Date(iso),
  );

export const fullWhenOf = (iso: string, zone: string) =>
  fmt(zone, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

/** A calendar day's own name; formatted in UTC because the key already is the tenant's date. */
export const dayTitle = (key: DayKey) =>
  fmt('UTC', { weekday: 'long', day: 'numeric', month: 'long' }).format(dateOfKey(key));

export const rangeTitle = (first: DayKey, last: DayKey) =>
  first === last
    ? fmt('UTC', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(dateOfKey(first))
    : fmt('UTC', { day: 'numeric', month: 'short', year: 'numeric' }).formatRange(
        dateOfKey(first),
        dateOfKey(last),
      );

export const percent = (rate: number) =>
  new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1 }).format(rate);
