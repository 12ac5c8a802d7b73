/**
 * calsync as an operator runs it: a real process (bin/calsync.js) against
 * booking-api running as a process, with the Cal.com sandbox behind it.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createCalcomSandbox, type CalcomSandbox } from '@calsync/calcom-sandbox';
import {
  createTestDb,
  createTestNats,
  spawnService,
  type SpawnedService,
  type TestDb,
  type TestNats,
} from '@calsync/testkit';

const BIN = resolve(__dirname, '..', 'bin', 'calsync.js');
const OPERATOR_TOKEN = 'operator-token-cli-0123456789abcdef';
const KEY = 'cal_live_cli_aaaaaaaaaaaa';

let sandbox: CalcomSandbox;
let testDb: TestDb;
let nats: TestNats;
let api: SpawnedService;
let url: string;

beforeAll(async () => {
  sandbox = await createCalcomSandbox({ port: 0 });
  sandbox.addAccount({
    apiKey: KEY,
    eventTypes: [{ id: 8_400_001, title: 'Beratung', lengthInMinutes: 30 }],
  });
  testDb = await createTestDb();
  nats = await createTestNats();
  api = await spawnService('booking-api', {
    DATABASE_URL: testDb.url,
    NATS_URL: nats.url,
    NATS_NAMESPACE: nats.namespace,
    BOOKING_API_PORT: '0',
    OPERATOR_TOKEN,
    CALCOM_API_URL: sandbox.url,
    PUBLIC_WEBHOOK_BASE_URL: 'http://127.0.0.1:9',
  });
  url = `http://127.0.0.1:${api.port}`;
});
afterAll(async () => {
  api.kill('SIGTERM');
  await api.exited;
  await nats.close();
  await testDb.drop();
  await sandbox.close();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function calsync(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const proc = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', CALSYNC_URL: url, OPERATOR_TOKEN, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.once('error', fail);
    proc.once('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('calsync', () => {
  let adminToken = '';

  it('tenants add onboards from the Cal.com key alone and shows the admin token once', async () => {
    const r = await calsync([
      'tenants',
      'add',
      'clinic',
      '--name',
      'Praxis Muster',
      '--time-zone',
      'Europe/Berlin',
      '--api-key',
      KEY,
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      id: 'clinic',
      calcom: { eventTypes: [{ id: 8_400_001 }], webhook: { registered: true } },
    });
    adminToken = out.adminToken;
    expect(adminToken.length).toBeGreaterThanOrEqual(24);
    expect(sandbox.webhooks({ apiKey: KEY })).toHaveLength(1);
  });

  it('tenants list and show print readable tables', async () => {
    const list = await calsync(['tenants', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ID\s+NAME\s+TIME ZONE\s+EVENT TYPES\s+WEBHOOK/);
    expect(list.stdout).toMatch(/clinic\s+Praxis Muster\s+Europe\/Berlin\s+8400001\s+registered/);
    const show = await calsync(['tenants', 'show', 'clinic']);
    expect(show.stdout).toContain('Beratung');
    expect(show.stdout).not.toContain(KEY);
  });

  it('tenants rotate sets a new secret in Cal.com', async () => {
    const before = sandbox.webhooks({ apiKey: KEY })[0]!.secret;
    const r = await calsync(['tenants', 'rotate', 'clinic']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('old secret accepted until');
    expect(sandbox.webhooks({ apiKey: KEY })[0]!.secret).not.toBe(before);
  });

  it("sync status and review list use the tenant's admin token", async () => {
    const env = { CALSYNC_ADMIN_TOKEN: adminToken };
    const status = await calsync(['sync', 'status', 'clinic'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/review queue\s+0/);
    expect(status.stdout).toMatch(/ORIGIN\s+PENDING\s+SYNCED\s+FAILED\s+SKIPPED/);
    const list = await calsync(['review', 'list', 'clinic', '--json'], env);
    expect(JSON.parse(list.stdout)).toEqual({ items: [] });
  });

  it('an API refusal exits 1 with its status and message; a usage mistake exits 2', async () => {
    const env = { CALSYNC_ADMIN_TOKEN: adminToken };
    const missing = '00000000-0000-4000-8000-000000000000';
    const retry = await calsync(['review', 'retry', 'clinic', missing], env);
    expect(retry.code).toBe(1);
    expect(retry.stderr).toContain('404 not_found');
    expect((await calsync(['review', 'resolve', 'clinic', missing, 'maybe'], env)).code).toBe(2);
    expect((await calsync(['review', 'list', 'clinic'])).code).toBe(2); // no admin token
    const wrong = await calsync(['tenants', 'list'], { OPERATOR_TOKEN: 'not-the-operator-token-at-all' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('401');
    const down = await calsync(['tenants', 'list', '--url', 'http://127.0.0.1:9']);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('cannot reach');
  });

  it('parked list shows a parked inbound delivery and parked redrive republishes and marks it', async () => {
    const subject = nats.topology.subjects.calcomInbound('clinic', 'BOOKING_CREATED');
    await testDb.db.execute(
      `INSERT INTO inbound_parked (stream, stream_seq, subject, tenant_id, headers, payload, error, deliveries, parked_at)
       VALUES (?,?,?,?,?,?,?,?,?)`,
      [
        nats.topology.streams.calcomInbound.name,
        999_999,
        subject,
        'clinic',
        JSON.stringify({ 'Nats-Msg-Id': 'original-delivery' }),
        '{"not":"an inbound event"}',
        'applier kept failing',
        5,
        new Date(),
      ],
    );
    const [row] = await testDb.db.query<{ id: number }>(
      'SELECT id FROM inbound_parked WHERE stream_seq = 999999',
    );
    const list = await calsync(['parked', 'list', '--tenant', 'clinic']);
    expect(list.stdout).toMatch(new RegExp(`^${row!.id}\\s+clinic\\s+BOOKING_CREATED`, 'm'));

    const redrive = await calsync(['parked', 'redrive', String(row!.id), '--json']);
    expect(redrive.code).toBe(0);
    expect(JSON.parse(redrive.stdout)).toMatchObject({ id: Number(row!.id), redriveCount: 1 });
    const last = await nats.jsm.streams.getMessage(nats.topology.streams.calcomInbound.name, {
      last_by_subj: subject,
    });
    expect(last?.header.get('Nats-Msg-Id')).toBe(`original-delivery:redrive:${row!.id}:1`);
    const [marked] = await testDb.db.query<{ redriven_at: Date | null }>(
      'SELECT redriven_at FROM inbound_parked WHERE id = ?',
      [row!.id],
    );
    expect(marked?.redriven_at).toBeInstanceOf(Date);
    expect((await calsync(['parked', 'redrive', '123456789'])).code).toBe(1);
  });

  it('tenants remove needs --yes, then offboards: webhook gone, the admin token refused', async () => {
    expect((await calsync(['tenants', 'remove', 'clinic'])).code).toBe(2);
    const r = await calsync(['tenants', 'remove', 'clinic', '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/webhook\s+\S+ deleted/);
    expect(sandbox.webhooks({ apiKey: KEY })).toEqual([]);
    const after = await calsync(['sync', 'status', 'clinic'], { CALSYNC_ADMIN_TOKEN: adminToken });
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('401');
  });
});
