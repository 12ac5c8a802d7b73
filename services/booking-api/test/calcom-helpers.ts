/**
 * Cal.com-facing helpers for booking-api's tests: a sandbox account open all
 * week and a signed `check_availability`. (Tests that need calcom-sync too run
 * the services as processes: test/e2e.)
 */
import { randomUUID } from 'node:crypto';
import type { CalcomSandbox } from '@calsync/calcom-sandbox';
import { signRetell } from '../src/domain/retell/signature';
import type { Harness, TestTenant } from './harness';

export function addOpenAccount(sandbox: CalcomSandbox, t: TestTenant) {
  const day = [{ start: '00:00', end: '23:30' }];
  sandbox.addAccount({
    apiKey: t.calcomApiKey,
    eventTypes: [{ id: t.eventTypeId, title: 'Beratung', lengthInMinutes: 30 }],
    availability: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day },
  });
}

/** The phone agent asks for a day's free times, signed as Retell signs. */
export function checkAvailability(h: Harness, t: TestTenant, date = '2050-09-06') {
  const raw = JSON.stringify({
    name: 'check_availability',
    args: { date },
    call: { call_id: `call_${randomUUID()}`, from_number: '+4915112345678', to_number: '+493012345678' },
  });
  return h.http('POST', `/v1/tenants/${t.id}/retell/functions/check_availability`, {
    raw,
    headers: {
      'content-type': 'application/json',
      'x-retell-signature': signRetell(raw, t.retellApiKey, Date.now()),
    },
  });
}
