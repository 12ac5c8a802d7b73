/** Retell idempotency covers Retell's retries only: a short window, then a repeat acts again. */
import { randomUUID } from 'node:crypto';
import { signRetell } from '../src/domain/retell/signature';
import { RETELL_REPLAY_WINDOW_MS } from '../src/domain/retell/once';
import { createTenant, startBookingApi, type Harness, type TestTenant } from './harness';
import { movableClock } from './movable-clock';

const clock = movableClock();
let h: Harness;
let t: TestTenant;

beforeAll(async () => {
  h = await startBookingApi({ clock });
  t = await createTenant(h);
});
afterAll(() => h.close());

function cancel(callId: string, appointmentId: string) {
  const raw = JSON.stringify({
    name: 'cancel_appointment',
    args: { appointmentId },
    call: { call_id: callId },
  });
  return h.http('POST', `/v1/tenants/${t.id}/retell/functions/cancel_appointment`, {
    raw,
    headers: {
      'content-type': 'application/json',
      'x-retell-signature': signRetell(raw, t.retellApiKey, clock.now().getTime()),
    },
  });
}

it('an identical request is a retry inside the window and a new request after it', async () => {
  const callId = `call_${randomUUID()}`;
  const id = randomUUID();
  expect((await cancel(callId, id)).body.status).toBe('not_found');
  const retry = await cancel(callId, id);
  expect(retry.headers.get('idempotent-replayed')).toBe('true');
  clock.advance(RETELL_REPLAY_WINDOW_MS + 1_000);
  const later = await cancel(callId, id);
  expect(later.body.status).toBe('not_found');
  expect(later.headers.get('idempotent-replayed')).toBeNull();
});
