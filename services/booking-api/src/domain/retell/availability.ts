/**
 * Free times: Cal.com's slots for the event type, minus local appointments that
 * may not have reached Cal.com yet (every booked local appointment overlapping a
 * slot; those already in Cal.com are absent from its answer anyway). The Cal.com
 * call never outlives the caller's budget.
 */
import type { Clock, Logger } from '@calsync/platform';
import type { EventTypeRecord, TenantRecord } from '@calsync/db';
import type { RetellRepo, SlotsPort } from '../ports';

/** Below this the Cal.com call is not worth starting. */
const MIN_CALL_MS = 100;

export function createAvailability(deps: {
  slots: SlotsPort;
  repo: RetellRepo;
  logger: Logger;
  clock: Clock;
  calcomTimeoutMs: number;
}) {
  return {
    /** Free slot starts in [from, to), or null when Cal.com could not answer within the budget. */
    async freeSlots(
      tenant: TenantRecord,
      eventType: EventTypeRecord,
      range: { from: Date; to: Date },
      timeZone: string,
      deadline: number,
    ): Promise<Date[] | null> {
      const timeoutMs = Math.min(deps.calcomTimeoutMs, deadline - deps.clock.now().getTime());
      if (timeoutMs < MIN_CALL_MS) return null;
      let slots: Date[];
      try {
        slots = await deps.slots(tenant, { eventTypeId: eventType.id, ...range, timeZone }, timeoutMs);
      } catch (err) {
        deps.logger.warn('Cal.com slots unavailable for a phone caller', {
          tenant: tenant.id,
          error: err instanceof Error ? err.message : String(err),
        });
        return null;
      }
      const length = eventType.lengthInMinutes * 60_000;
      const busy = await deps.repo.bookedOverlapping(
        tenant.id,
        range.from,
        new Date(range.to.getTime() + length),
      );
      return slots
        .filter((s) => !Number.isNaN(s.getTime()) && s >= range.from && s < range.to)
        .filter((s) => !busy.some((b) => b.start.getTime() < s.getTime() + length && b.end > s))
        .sort((a, b) => a.getTime() - b.getTime());
    },
  };
}
export type Availability = ReturnType<typeof createAvailability>;
