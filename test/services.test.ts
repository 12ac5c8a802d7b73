/**
 * SPEC §4.5 for every service, as real processes: logs its address, /livez,
 * /readyz, /metrics that passes `promtool check metrics`, and SIGTERM → exit 0
 * within 10 s.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import {
  createTestDb,
  natsUrl,
  promtoolCheckMetrics,
  spawnService,
  uniqueSuffix,
  type SpawnedService,
  type TestDb,
} from '@calsync/testkit';

let testDb: TestDb;
const running: SpawnedService[] = [];

beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(async () => {
  for (const s of running) if (s.proc.exitCode === null) s.kill('SIGKILL');
  await testDb.drop();
});

const SERVICES = [
  { name: 'booking-api', port: 'BOOKING_API_PORT' },
  { name: 'webhook-gateway', port: 'WEBHOOK_GATEWAY_PORT' },
  { name: 'calcom-sync', port: 'CALCOM_SYNC_PORT' },
] as const;

describe.each(SERVICES)('$name', ({ name, port }) => {
  it('serves health and valid Prometheus metrics, then drains on SIGTERM', async () => {
    const svc = await spawnService(name, {
      DATABASE_URL: testDb.url,
      NATS_URL: natsUrl(),
      NATS_NAMESPACE: `s${uniqueSuffix()}`,
      [port]: '0',
      RECONCILE_INTERVAL_SECONDS: '0',
      CALCOM_API_URL: 'http://127.0.0.1:9',
    });
    running.push(svc);
    const base = `http://127.0.0.1:${svc.port}`;
    expect(svc.output()).toContain(`"address":"${base}"`);
    expect((await fetch(`${base}/livez`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    expect(text).toContain(`service="${name}"`);
    const check = promtoolCheckMetrics(text);
    if (check === null && process.env.CI) throw new Error('promtool is not installed (.ci/run installs it)');
    if (check) expect(check.output).toBe('');
    if (check) expect(check.ok).toBe(true);

    const t0 = Date.now();
    svc.kill('SIGTERM');
    expect(await svc.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('reports a failed start as one redacted JSON line and exits 1, as every service does', async () => {
    // Production without SECRETS_KEY: refused before anything connects. The database URL carries a
    // password that must not be echoed.
    const child = spawn(process.execPath, ['--import', 'tsx', `services/${name}/src/main.ts`], {
      cwd: resolve(__dirname, '..'),
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        DATABASE_URL: 'mysql://u:hunter2@127.0.0.1:9/x',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(1);
    const lines = err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'error',
      service: name,
      message: `${name} failed to start`,
      error: { name: 'ConfigError', message: expect.stringContaining('SECRETS_KEY') },
    });
    expect(err).not.toContain('hunter2');
  });
});
