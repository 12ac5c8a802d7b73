/** Cal.com's slots API (`cal-api-version: 2024-09-04`) as the phone functions need it: slot starts. */
import { createCalcomClient } from '@calsync/calcom-client';
import type { SlotsPort } from '../domain/retell/availability';

export function createCalcomSlots(opts: { apiUrl: string; fetchImpl?: typeof fetch }): SlotsPort {
  return async (tenant, q, timeoutMs) => {
    const client = createCalcomClient({
      baseUrl: opts.apiUrl,
      apiKey: tenant.calcomApiKey,
      timeoutMs,
      ...(opts.fetchImpl ? { fetchImpl: opts.fetchImpl } : {}),
    });
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
