/** An open console stream does not hold up SIGTERM: the stream ends first, then the server closes. */
import { createTestDb, natsUrl, spawnService, uniqueSuffix, type TestDb } from '@calsync/testkit';
import { openSse } from './sse-client';

const OPERATOR_TOKEN = 'operator-token-0123456789abcdef';
const ADMIN_TOKEN = 'admin-token-live-process-0123456789';

let testDb: TestDb;
beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(async () => {
  await testDb.drop();
});

it('ends open event streams on SIGTERM and exits 0 well within 10 s', async () => {
  const svc = await spawnService('booking-api', {
    DATABASE_URL: testDb.url,
    NATS_URL: natsUrl(),
    NATS_NAMESPACE: `p${uniqueSuffix()}`,
    BOOKING_API_PORT: '0',
    OPERATOR_TOKEN,
  });
  const base = `http://127.0.0.1:${svc.port}`;
  const put = await fetch(`${base}/v1/tenants/live`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Praxis Live',
      timeZone: 'Europe/Berlin',
      adminToken: ADMIN_TOKEN,
      calcom: {
        apiKey: 'cal_live_x',
        webhookSecret: 'whsec',
        eventTypes: [{ id: 7, title: 'B', lengthInMinutes: 30 }],
      },
    }),
  });
  expect(put.status).toBe(201);
  const stream = await openSse(`${base}/v1/tenants/live/events`, ADMIN_TOKEN);
  expect(stream.status).toBe(200);

  const started = Date.now();
  svc.kill('SIGTERM');
  await stream.ended;
  expect(await svc.exited).toBe(0);
  // The server's own fallback closes connections after 8 s: the stream must not need it.
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(svc.output()).toContain('Shutdown complete');
});
