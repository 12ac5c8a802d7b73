/**
 * What every phone function shares: the call, the answer shape, the preludes (arguments,
 * a start time, an event type) and the "taken" answer.
 */
import type { z } from 'zod';
import type { EventTypeRecord, TenantRecord } from '@calsync/db';
import type { Clock, Logger } from '@calsync/platform';
import type { AppointmentsService } from '../appointments';
import type { Actor } from '../tx';
import type { AppointmentsRepo, RetellRepo, SyncResultWaiter } from '../ports';
import type { Availability } from './availability';
import { parseArgs } from './args';
import { nearest, spokenAlternatives, spokenWhen } from './speech';
import { localIso, parseTime } from './time';

export interface RetellCall {
  /** Retell's call id (body `call.call_id` or `X-Retell-Call-Id`), when known. */
  callId: string | null;
  /** The customer's number on this call (E.164), when known. */
  callerPhone: string | null;
  traceparent: string;
  /** Epoch ms by which the caller must have an answer (RETELL_CONFIRM_TIMEOUT_MS from arrival). */
  deadline: number;
}

/** 200 JSON the agent reads: `result` is the sentence, the rest is for its reasoning. */
export interface RetellAnswer {
  result: string;
  [field: string]: unknown;
}

export interface RetellDeps {
  appointments: AppointmentsService;
  /** Appointment rows as booking-api stores them. */
  appointmentsRepo: AppointmentsRepo;
  /** The phone agent's own queries (by caller, busy times). */
  retellRepo: RetellRepo;
  availability: Availability;
  waitForSync: SyncResultWaiter;
  clock: Clock;
  logger: Logger;
}

/**
 * MySQL or NATS away before anything was committed: said to the caller as a 200, since
 * Retell reads a 5xx as "the function broke" and the agent would improvise. The
 * agent may simply call again; nothing ran.
 */
export const UNAVAILABLE: RetellAnswer = {
  result: "I can't reach the booking system right now. Please try again in a moment.",
  status: 'unavailable',
  error: 'unavailable',
};

export const invalid = (said: string): RetellAnswer => ({ result: said, error: 'invalid_arguments' });

/** What the caller asked for and may go on with, or what to say instead. */
export type Heard<T> = { ok: true; value: T } | { ok: false; answer: RetellAnswer };

/** A phone function as index.ts runs it: the arguments as Retell sent them. */
export type RetellFunction = (
  deps: RetellDeps,
  tenant: TenantRecord,
  call: RetellCall,
  rawArgs: unknown,
) => Promise<RetellAnswer>;

/**
 * A phone function over its parsed arguments: arguments that do not parse are answered with
 * what is missing before it runs, and `zone` is the caller's (`timeZone`, else the tenant's).
 */
export function retellFunction<A extends { timeZone?: string | undefined }>(
  schema: z.ZodType<A>,
  run: (
    deps: RetellDeps,
    tenant: TenantRecord,
    call: RetellCall,
    a: A,
    zone: string,
  ) => Promise<RetellAnswer>,
): RetellFunction {
  return async (deps, tenant, call, rawArgs) => {
    const parsed = parseArgs(schema, rawArgs);
    if (!parsed.ok) return invalid(parsed.said);
    return await run(deps, tenant, call, parsed.value, parsed.value.timeZone ?? tenant.timeZone);
  };
}

/** The event type the caller named, else the tenant's first. */
export function eventTypeOf(tenant: TenantRecord, id: number | undefined): Heard<EventTypeRecord> {
  const eventType = id === undefined ? tenant.eventTypes[0] : tenant.eventTypes.find((e) => e.id === id);
  return eventType
    ? { ok: true, value: eventType }
    : { ok: false, answer: invalid('That kind of appointment is not offered here.') };
}

/** The start the caller gave: a local time that exists in `zone`, and ahead. `what` names it when it is not valid. */
export function futureStart(
  deps: Pick<RetellDeps, 'clock'>,
  text: string,
  zone: string,
  what: string,
): Heard<{ instant: Date; ambiguous: boolean }> {
  const when = parseTime(text, zone);
  if (!when.ok)
    return {
      ok: false,
      answer: invalid(when.reason === 'nonexistent' ? NONEXISTENT(text, zone) : `I need ${what}.`),
    };
  if (when.instant <= deps.clock.now())
    return { ok: false, answer: invalid('That time has already passed. Which later time would suit you?') };
  return { ok: true, value: when };
}

/** Who makes the call's changes: the phone agent, in the call's trace. */
export const actorOf = (call: RetellCall): Actor => ({ origin: 'retell', traceparent: call.traceparent });

export const alreadyCancelled = (appointmentId: string): RetellAnswer => ({
  result: 'That appointment is already cancelled.',
  status: 'already_cancelled',
  appointmentId,
});

export const slotView = (instant: Date, zone: string) => ({
  start: instant.toISOString(),
  localStart: localIso(instant, zone),
});

export const AMBIGUOUS_NOTE =
  ' That time occurs twice that night because the clocks go back; I have taken the first one, still summer time.';

export const NONEXISTENT = (text: string, zone: string) =>
  `${text} does not exist in ${zone}: the clocks go forward that night. Please choose another time.`;

/** A time the caller asked for, where "taken" answers look for alternatives. */
export interface AskedSlot {
  tenant: TenantRecord;
  eventType: EventTypeRecord;
  target: Date;
  zone: string;
  /** The call's deadline (epoch ms). */
  deadline: number;
}

/**
 * "Sorry, Monday 5 October at 9:00 is already taken. The nearest free times are …": the free times
 * nearest to the target (same day and the next days). `prefix` goes between the two sentences.
 */
export async function takenAnswer(deps: RetellDeps, slot: AskedSlot, prefix = ''): Promise<RetellAnswer> {
  const { tenant, eventType, target, zone, deadline } = slot;
  const from = new Date(Math.max(deps.clock.now().getTime(), target.getTime() - 12 * 3600_000));
  const to = new Date(target.getTime() + 3 * 24 * 3600_000);
  // Offered after a change, maybe committed already: without MySQL there are simply no alternatives.
  const free = await deps.availability
    .freeSlots(tenant, eventType, { from, to }, zone, deadline)
    .catch(() => null);
  const alternatives = nearest(free ?? [], target, 3);
  const offer = alternatives.length
    ? ` The nearest free times are ${spokenAlternatives(alternatives, zone)}. Would one of those work?`
    : ' Which other time would suit you?';
  return {
    result: `Sorry, ${spokenWhen(target, zone)} is already taken.${prefix}${offer}`,
    status: 'taken',
    requested: slotView(target, zone),
    alternatives: alternatives.map((a) => slotView(a, zone)),
    timeZone: zone,
  };
}
