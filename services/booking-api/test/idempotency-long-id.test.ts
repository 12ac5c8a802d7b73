/**
 * Found by `npm run test:fuzz`: an Idempotency-Key on a path whose appointment id
 * is longer than the key's scope column was a MySQL error and a 500. No appointment
 * has such an id, so it is the 404 the route gives without the key.
 */
import { createTenant, startBookingApi, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startBookingApi();
});
afterAll(async () => {
  await h.close();
});

it.each(['cancel', 'reschedule'])(
  'answers 404 for a 300-character id on %s with an Idempotency-Key',
  async (action) => {
    const t = await createTenant(h);
    const res = await h.http('POST', `/v1/tenants/${t.id}/appointments/${'a'.repeat(300)}/${action}`, {
      token: t.adminToken,
      headers: { 'Idempotency-Key': 'long-id-key' },
      body: { start: new Date(Date.now() + 86400_000).toISOString() },
    });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: 'Appointment not found' } });
  },
);
