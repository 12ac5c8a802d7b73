import { createTestDb, natsUrl, spawnService, uniqueSuffix, type TestDb } from '@calsync/testkit';

let testDb: TestDb;
beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(async () => {
  await testDb.drop();
});

describe('booking-api as a process', () => {
  it('logs its address, is ready, and exits 0 on SIGTERM within 10 s', async () => {
    const svc = await spawnService('booking-api', {
      DATABASE_URL: testDb.url,
      NATS_URL: natsUrl(),
      NATS_NAMESPACE: `p${uniqueSuffix()}`,
      BOOKING_API_PORT: '0',
      OPERATOR_TOKEN: 'operator-token-0123456789abcdef',
    });
    expect(svc.output()).toMatch(/"address":"http:\/\/127\.0\.0\.1:\d+"/);
    const ready = await fetch(`http://127.0.0.1:${svc.port}/readyz`);
    expect(ready.status).toBe(200);
    const started = Date.now();
    svc.kill('SIGTERM');
    expect(await svc.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(svc.output()).toContain('Shutdown complete');
  });

  it('refuses to start with an invalid variable, naming it in one line', async () => {
    await expect(
      spawnService(
        'booking-api',
        { DATABASE_URL: testDb.url, BOOKING_API_PORT: 'seventy' },
        { timeoutMs: 20_000 },
      ),
    ).rejects.toThrow(/exited \(1\)[\s\S]*BOOKING_API_PORT/);
  });

  it('refuses to start in production without SECRETS_KEY', async () => {
    await expect(
      spawnService(
        'booking-api',
        { NODE_ENV: 'production', DATABASE_URL: testDb.url },
        { timeoutMs: 20_000 },
      ),
    ).rejects.toThrow(/SECRETS_KEY/);
  });
});
