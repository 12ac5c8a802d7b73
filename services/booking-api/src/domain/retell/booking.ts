/** check_availability and book_appointment (SPEC §4.3). */
import { ApiError } from '../errors';
import { bookArgs, checkAvailabilityArgs } from './args';
import {
  NONEXISTENT,
  actorOf,
  eventTypeOf,
  futureStart,
  invalid,
  retellFunction,
  slotView,
  takenAnswer,
} from './context';
import { answerAfterSync } from './outcome';
import { spokenAvailability, spokenWhen } from './speech';
import { dayRange, isDate, parseTime } from './time';

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

export const checkAvailability = retellFunction(
  checkAvailabilityArgs,
  async (deps, tenant, call, a, zone) => {
    const eventType = eventTypeOf(tenant, a.eventTypeId);
    if (!eventType.ok) return eventType.answer;

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

    const free = await deps.availability.freeSlots(tenant, eventType.value, effective, zone, call.deadline);
    if (!free)
      return {
        result: "I can't reach the calendar right now. Please try again in a moment.",
        status: 'calendar_unavailable',
      };
    return {
      result: spokenAvailability(free, zone, range),
      status: 'ok',
      eventTypeId: eventType.value.id,
      timeZone: zone,
      slots: free.slice(0, MAX_SLOTS_RETURNED).map((s) => slotView(s, zone)),
      totalSlots: free.length,
    };
  },
);

export const bookAppointment = retellFunction(bookArgs, async (deps, tenant, call, a, zone) => {
  const eventType = eventTypeOf(tenant, a.eventTypeId);
  if (!eventType.ok) return eventType.answer;
  const start = futureStart(deps, a.start, zone, 'a valid date and time');
  if (!start.ok) return start.answer;
  const when = start.value;
  const phone = a.phone ?? call.callerPhone;
  if (!phone && !a.email) return invalid('I need a phone number or an e-mail address for the booking.');

  const actor = actorOf(call);
  const slot = { tenant, eventType: eventType.value, target: when.instant, zone, deadline: call.deadline };
  let id: string;
  try {
    const created = await deps.appointments.create(
      tenant,
      {
        eventTypeId: eventType.value.id,
        start: when.instant,
        customer: { name: a.name, email: a.email ?? null, phone: phone ?? null, timeZone: zone },
        notes: a.notes ?? null,
      },
      actor,
    );
    id = created.id;
  } catch (err) {
    if (err instanceof ApiError && err.code === 'slot_taken') return takenAnswer(deps, slot);
    throw err;
  }

  const when_ = spokenWhen(when.instant, zone);
  const { verdict, answer } = await answerAfterSync(
    deps,
    { tenantId: tenant.id, appointmentId: id, version: 1, deadline: call.deadline, when, zone },
    {
      confirmed: `You're booked for ${when_}.`,
      noted: `I've noted ${when_} for you`,
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
        return takenAnswer(deps, slot);
      },
    },
  );
  deps.logger.info('Retell booking answered', {
    tenant: tenant.id,
    appointmentId: id,
    origin: 'retell',
    outcome: verdict?.kind ?? 'pending',
  });
  return answer;
});
