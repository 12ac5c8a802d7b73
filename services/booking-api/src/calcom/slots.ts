/**
 * Cal.com's slots API (`cal-api-version: 2024-09-04`) as the phone functions need
 * it: slot starts. The call goes through the tenant's budget and breaker, and
 * never waits for the budget: the caller's deadline is already counting, so a
 * full budget or an open circuit answers at once ("can't reach the calendar").
 */
import type { TenantCalcom } from '@calsync/calcom-access';
import type { SlotsPort } from '../domain/ports';

export function createCalcomSlots(opts: { clientFor: TenantCalcom['clientFor'] }): SlotsPort {
  return async (tenant, q, timeoutMs) => {
    const client = opts.clientFor(tenant, { timeoutMs, maxInPlaceWaitMs: 0 });
    const byDate = await client.getSlots({
      eventTypeId: q.eventTypeId,
      start: q.from,
      end: q.to,
      timeZone: q.timeZone,
    });
    return Object.values(byDate)
      .flat()
      .map((s) => new Date(s.start));
  };
}
