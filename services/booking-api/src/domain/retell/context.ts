/** What every phone function shares: the call, the answer shape, small helpers. */
import type { EventTypeRecord, TenantRecord } from '@calsync/db';
import type { Clock, Logger } from '@calsync/platform';
import type { AppointmentsService } from '../appointments';
import type { AppointmentsRepo, RetellRepo, SyncResultWaiter } from '../ports';
import type { Availability } from './availability';
import { nearest, spokenAlternatives, spokenWhen } from './speech';
import { localIso } from './time';

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

export function eventTypeOf(tenant: TenantRecord, id: number | undefined): EventTypeRecord | undefined {
  return id === undefined ? tenant.eventTypes[0] : tenant.eventTypes.find((e) => e.id === id);
}

export const slotView = (instant: Date, zone: string) => ({
  start: instant.toISOString(),
  localStart: localIso(instant, zone),
});

export const AMBIGUOUS_NOTE =
  ' That time occurs twice that night because the clocks go back; I have taken the first one, still summer time.';

export const NONEXISTENT = (text: string, zone: string) =>
  `${text} does not exist in ${zone}: the clocks go forward that night. Please choose another time.`;

/** Free times nearest to `target` (same day and the next days), for "taken" answers. */
export async function alternativesTo(
  deps: RetellDeps,
  tenant: TenantRecord,
  eventType: EventTypeRecord,
  target: Date,
  zone: string,
  deadline: number,
): Promise<Date[]> {
  const from = new Date(Math.max(deps.clock.now().getTime(), target.getTime() - 12 * 3600_000));
  const to = new Date(target.getTime() + 3 * 24 * 3600_000);
  // Offered after a change, maybe committed already: without MySQL there are simply no alternatives.
  const free = await deps.availability
    .freeSlots(tenant, eventType, { from, to }, zone, deadline)
    .catch(() => null);
  return nearest(free ?? [], target, 3);
}

/** "Sorry, Monday 5 October at 9:00 was just taken. The nearest free times are …" */
export function takenAnswer(target: Date, zone: string, alternatives: Date[], prefix = ''): RetellAnswer {
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
