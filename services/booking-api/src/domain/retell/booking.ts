/** check_availability and book_appointment (SPEC §4.3). */
import type { TenantRecord } from '@calsync/db';
import { ApiError } from '../errors';
import { bookArgs, checkAvailabilityArgs, parseArgs } from './args';
import {
  AMBIGUOUS_NOTE,
  NONEXISTENT,
  alternativesTo,
  eventTypeOf,
  invalid,
  slotView,
  takenAnswer,
  type RetellAnswer,
  type RetellCall,
  type RetellDeps,
} from './context';
import { spokenAvailability, spokenWhen } from './speech';
import { dayRange, isDate, parseTime } from './time';
import { answerByVerdict, waitForVerdict } from './outcome';

const MAX_RANGE_MS = 14 * 24 * 3600_000;
const MAX_SLOTS_RETURNED = 40;

/** A `from`/`to` bound: a date (start of that day; for `to`, the end of it) or a time. */
function bound(text: string, zone: string, end: boolean): Date | string {
  if (isDate(text)) {
    const day = dayRange(text, zone);
    return day ? (end ? day.to : day.from) : 'invalid';
  }
  const t = parseTime(text, zone);
  return t.ok ? t.instant : t.reason;
}

export async function checkAvailability(
  deps: RetellDeps,
  tenant: TenantRecord,
  call: RetellCall,
  rawArgs: unknown,
): Promise<RetellAnswer> {
  const parsed = parseArgs(checkAvailabilityArgs, rawArgs);
  if (!parsed.ok) return invalid(parsed.said);
  const a = parsed.value;
  const zone = a.timeZone ?? tenant.timeZone;
  const eventType = eventTypeOf(tenant, a.eventTypeId);
  if (!eventType) return invalid('That kind of appointment is not offered here.');

  let range: { from: Date; to: Date } | null;
  if (a.date !== undefined) range = dayRange(a.date, zone);
  else {
    const fromText = a.from!;
    const from = bound(fromText, zone, false);
    if (typeof from === 'string')
      return invalid(
        from === 'nonexistent' ? NONEXISTENT(fromText, zone) : 'I need a valid start of the period.',
      );
    // Without an end: the rest of that day for a date, the next 24 hours for a time.
    const to =
      a.to !== undefined
        ? bound(a.to, zone, true)
        : isDate(fromText)
          ? bound(fromText, zone, true)
          : new Date(from.getTime() + 24 * 3600_000);
    if (typeof to === 'string')
      return invalid(to === 'nonexistent' ? NONEXISTENT(a.to!, zone) : 'I need a valid end of the period.');
    range = { from, to };
  }
  if (!range) return invalid('I need a valid date, like 2026-03-30.');
  const now = deps.clock.now();
  if (range.to <= now) return invalid('That day has already passed. Which upcoming day would suit you?');
  if (range.to <= range.from) return invalid('The end of the period must be after its start.');
  if (range.to.getTime() - range.from.getTime() > MAX_RANGE_MS)
    return invalid('Please ask for at most two weeks at a time.');
  const effective = { from: range.from < now ? now : range.from, to: range.to };

  const free = await deps.availability.freeSlots(tenant, eventType, effective, zone, call.deadline);
  if (!free)
    return {
      result: "I can't reach the calendar right now. Please try again in a moment.",
      status: 'calendar_unavailable',
    };
  return {
    result: spokenAvailability(free, zone, range),
    status: 'ok',
    eventTypeId: eventType.id,
    timeZone: zone,
    slots: free.slice(0, MAX_SLOTS_RETURNED).map((s) => slotView(s, zone)),
    totalSlots: free.length,
  };
}

export async function bookAppointment(
  deps: RetellDeps,
  tenant: TenantRecord,
  call: RetellCall,
  rawArgs: unknown,
): Promise<RetellAnswer> {
  const parsed = parseArgs(bookArgs, rawArgs);
  if (!parsed.ok) return invalid(parsed.said);
  const a = parsed.value;
  const zone = a.timeZone ?? tenant.timeZone;
  const eventType = eventTypeOf(tenant, a.eventTypeId);
  if (!eventType) return invalid('That kind of appointment is not offered here.');
  const when = parseTime(a.start, zone);
  if (!when.ok)
    return invalid(
      when.reason === 'nonexistent' ? NONEXISTENT(a.start, zone) : 'I need a valid date and time.',
    );
  if (when.instant <= deps.clock.now())
    return invalid('That time has already passed. Which later time would suit you?');
  const phone = a.phone ?? call.callerPhone;
  if (!phone && !a.email) return invalid('I need a phone number or an e-mail address for the booking.');

  const actor = { origin: 'retell' as const, traceparent: call.traceparent };
  let id: string;
  try {
    const created = await deps.appointments.create(
      tenant,
      {
        eventTypeId: eventType.id,
        start: when.instant,
        customer: { name: a.name, email: a.email ?? null, phone: phone ?? null, timeZone: zone },
        notes: a.notes ?? null,
      },
      actor,
    );
    id = created.id;
  } catch (err) {
    if (err instanceof ApiError && err.code === 'slot_taken') {
      const alts = await alternativesTo(deps, tenant, eventType, when.instant, zone, call.deadline);
      return takenAnswer(when.instant, zone, alts);
    }
    throw err;
  }

  const verdict = await waitForVerdict(deps, tenant.id, id, 1, call.deadline);
  const when_ = spokenWhen(when.instant, zone);
  const note = when.ambiguous ? AMBIGUOUS_NOTE : '';
  deps.logger.info('Retell booking answered', {
    tenant: tenant.id,
    appointmentId: id,
    origin: 'retell',
    outcome: verdict?.kind ?? 'pending',
  });
  return answerByVerdict(verdict, {
    confirmed: `You're booked for ${when_}.${note}`,
    noted: `I've noted ${when_} for you`,
    note,
    fields: { appointmentId: id, ...slotView(when.instant, zone), timeZone: zone },
    async taken() {
      // Nothing may dangle: the local appointment goes, and with it its review entry.
      await deps.appointments
        .cancel(tenant, id, 'The time was taken in Cal.com', actor, { resolveReview: true })
        .catch((err: unknown) =>
          deps.logger.warn('Could not withdraw a refused phone booking', {
            tenant: tenant.id,
            appointmentId: id,
            error: err,
          }),
        );
      const alts = await alternativesTo(deps, tenant, eventType, when.instant, zone, call.deadline);
      return takenAnswer(when.instant, zone, alts);
    },
  });
}
