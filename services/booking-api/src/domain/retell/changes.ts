/**
 * cancel_appointment and reschedule_appointment (SPEC §4.3). The appointment is
 * named by id, or found by the caller's number and a date when that is
 * unambiguous; otherwise the caller is asked which one.
 */
import type { AppointmentRow, TenantRecord } from '@calsync/db';
import { ApiError } from '../errors';
import { cancelArgs, rescheduleArgs } from './args';
import {
  actorOf,
  alreadyCancelled,
  eventTypeOf,
  futureStart,
  invalid,
  retellFunction,
  slotView,
  takenAnswer,
  type Heard,
  type RetellCall,
  type RetellDeps,
} from './context';
import { answerAfterSync } from './outcome';
import { spokenDay, spokenList, spokenClock, spokenWhen } from './speech';
import { dayRange } from './time';

async function findAppointment(
  deps: RetellDeps,
  tenant: TenantRecord,
  call: RetellCall,
  by: { appointmentId?: string | undefined; date?: string | undefined },
  zone: string,
): Promise<Heard<AppointmentRow>> {
  if (by.appointmentId) {
    const row = await deps.appointmentsRepo.get(tenant.id, by.appointmentId);
    if (!row)
      return { ok: false, answer: { result: 'I could not find that appointment.', status: 'not_found' } };
    if (row.status === 'cancelled') return { ok: false, answer: alreadyCancelled(row.id) };
    return { ok: true, value: row };
  }
  if (!by.date) return { ok: false, answer: invalid('I need the date of the appointment.') };
  if (!call.callerPhone)
    return {
      ok: false,
      answer: invalid('I need the appointment reference, since I cannot see your phone number.'),
    };
  const day = dayRange(by.date, zone);
  if (!day) return { ok: false, answer: invalid('I need a valid date, like 2026-03-30.') };
  const rows = await deps.retellRepo.bookedByPhone(tenant.id, call.callerPhone, day.from, day.to);
  const [only, ...more] = rows;
  if (!only)
    return {
      ok: false,
      answer: {
        result: `I could not find an appointment on ${spokenDay(day.from, zone)} for this phone number.`,
        status: 'not_found',
      },
    };
  if (more.length)
    return {
      ok: false,
      answer: {
        result: `You have ${rows.length} appointments on ${spokenDay(day.from, zone)}, at ${spokenList(
          rows.map((r) => spokenClock(r.start_at, zone)),
        )}. Which one do you mean?`,
        status: 'ambiguous',
        candidates: rows.map((r) => ({ appointmentId: r.id, ...slotView(r.start_at, zone) })),
      },
    };
  return { ok: true, value: only };
}

export const cancelAppointment = retellFunction(cancelArgs, async (deps, tenant, call, a, zone) => {
  const found = await findAppointment(deps, tenant, call, a, zone);
  if (!found.ok) return found.answer;
  const row = found.value;
  try {
    await deps.appointments.cancel(tenant, row.id, a.reason ?? 'Cancelled by phone', actorOf(call));
  } catch (err) {
    if (err instanceof ApiError && err.code === 'already_cancelled') return alreadyCancelled(row.id);
    throw err;
  }
  return {
    result: `Your appointment on ${spokenWhen(row.start_at, zone)} is cancelled.`,
    status: 'cancelled',
    appointmentId: row.id,
    ...slotView(row.start_at, zone),
    timeZone: zone,
  };
});

export const rescheduleAppointment = retellFunction(rescheduleArgs, async (deps, tenant, call, a, zone) => {
  const start = futureStart(deps, a.start, zone, 'a valid new date and time');
  if (!start.ok) return start.answer;
  const when = start.value;
  const found = await findAppointment(deps, tenant, call, a, zone);
  if (!found.ok) return found.answer;
  const row = found.value;
  const id = row.id;
  const previous = row.start_at;
  const eventType = eventTypeOf(tenant, Number(row.event_type_id));
  if (!eventType.ok) throw new Error(`event type ${String(row.event_type_id)} of appointment ${id} is gone`);
  if (row.requires_manual_review === 1)
    return {
      result:
        'That appointment is being checked by the team right now, so I cannot move it by phone. They will get back to you.',
      status: 'needs_staff',
      appointmentId: id,
    };
  if (previous.getTime() === when.instant.getTime())
    return {
      result: `Your appointment is already at ${spokenWhen(previous, zone)}.`,
      status: 'confirmed',
      appointmentId: id,
      ...slotView(previous, zone),
    };

  const actor = actorOf(call);
  const slot = { tenant, eventType: eventType.value, target: when.instant, zone, deadline: call.deadline };
  const stays = ` Your appointment stays on ${spokenWhen(previous, zone)}.`;
  try {
    await deps.appointments.reschedule(tenant, id, when.instant, a.reason, actor);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'slot_taken') return takenAnswer(deps, slot, stays);
    if (err instanceof ApiError && err.code === 'already_cancelled') return alreadyCancelled(id);
    throw err;
  }
  // Committed: a failed re-read (MySQL gone) must not become an error; the bump is one.
  const version =
    (await deps.appointmentsRepo.get(tenant.id, id).catch(() => undefined))?.version ?? row.version + 1;
  const { answer } = await answerAfterSync(
    deps,
    { tenantId: tenant.id, appointmentId: id, version, deadline: call.deadline, when, zone },
    {
      confirmed: `Done: your appointment is now on ${spokenWhen(when.instant, zone)}.`,
      noted: `I've noted the move to ${spokenWhen(when.instant, zone)}`,
      async taken() {
        // Cal.com kept the old booking: move the local one back so both agree, and close the review.
        const reverted = await deps.appointments
          .reschedule(tenant, id, previous, 'The new time was taken in Cal.com', actor, {
            resolveReview: true,
          })
          .then(() => true)
          .catch((err: unknown) => {
            deps.logger.warn('Could not restore a refused phone reschedule', {
              tenant: tenant.id,
              appointmentId: id,
              error: err,
            });
            return false;
          });
        return takenAnswer(
          deps,
          slot,
          reverted ? stays : ' The team will check your appointment and get back to you.',
        );
      },
    },
  );
  return answer;
});
