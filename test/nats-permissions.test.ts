/**
 * Issue 9 item 4: deploy/nats/nats-server.conf, started as it ships (private
 * server, generated passwords). The three services run as processes with their
 * own users and do their whole job (a local booking reaches Cal.com, a Cal.com
 * booking comes back through the gateway) without one permission violation;
 * then each user, connected as the services connect, is refused everything
 * outside its grant, and nothing it tried reached a stream.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { createCalcomSandbox, type CalcomSandbox } from '@calsync/calcom-sandbox';
import { connectNats, createLogger, type NatsHandle } from '@calsync/platform';
import {
  createTestDb,
  spawnService,
  startDisposableNats,
  waitFor,
  type DisposableNats,
  type SpawnedService,
  type TestDb,
} from '@calsync/testkit';

const CONFIG = resolve(__dirname, '../deploy/nats/nats-server.conf');
const USERS = ['admin', 'booking-api', 'webhook-gateway', 'calcom-sync'] as const;
type User = (typeof USERS)[number];
const PASSWORD = Object.fromEntries(USERS.map((u) => [u, randomBytes(18).toString('base64url')])) as Record<
  User,
  string
>;
const passwordVar = (u: User) => `NATS_${u.toUpperCase().replace(/-/g, '_')}_PASSWORD`;

const OPERATOR_TOKEN = 'nats-perm-operator-token-000000000000';
const TENANT = 'natsperm';
const ADMIN_TOKEN = 'natsperm-admin-token-000000000000';
const API_KEY = 'cal_natsperm_key';
const EVENT_TYPE = 9301;

let server: DisposableNats;
let testDb: TestDb;
let sb: CalcomSandbox;
const services: SpawnedService[] = [];
const clients: NatsHandle[] = [];
const logger = createLogger({ service: 'nats-permissions-test', level: 'error' });

async function as(user: User): Promise<NatsHandle> {
  const h = await connectNats({
    url: server.url,
    credentials: { user, pass: PASSWORD[user] },
    name: `test:${user}`,
    logger,
  });
  clients.push(h);
  return h;
}

/** A subscription outside the grant is closed by the server with a permission error. */
async function subscribeError(nc: NatsConnection, subject: string): Promise<unknown> {
  const sub = nc.subscribe(subject);
  await nc.flush();
  return sub.closed;
}

const violations = () =>
  server
    .log()
    .split('\n')
    .filter((l) => /Violation|authentication error/.test(l));

beforeAll(async () => {
  const env = Object.fromEntries(USERS.map((u) => [passwordVar(u), PASSWORD[u]]));
  [server, testDb, sb] = await Promise.all([
    startDisposableNats({ configFile: CONFIG, env }),
    createTestDb(),
    createCalcomSandbox({ port: 0, logger: createLogger({ service: 'calcom-sandbox', level: 'error' }) }),
  ]);
});

afterAll(async () => {
  for (const s of services) if (s.proc.exitCode === null && s.proc.signalCode === null) s.kill('SIGKILL');
  await Promise.all(services.map((s) => s.exited));
  for (const c of clients) await c.nc.close();
  await sb?.close();
  await server?.destroy();
  await testDb?.drop();
});

describe('the shipped NATS config', () => {
  it('lets every service do its whole job with its own user, without one violation', async () => {
    const common = {
      DATABASE_URL: testDb.url,
      CALCOM_API_URL: sb.url,
      RECONCILE_INTERVAL_SECONDS: '0',
    };
    const [host, port] = server.url.replace('nats://', '').split(':');
    // booking-api owns the streams: it starts first; credentials in the URL, percent-encoded.
    const api = await spawnService('booking-api', {
      ...common,
      NATS_URL: `nats://booking-api:${encodeURIComponent(PASSWORD['booking-api'])}@${host}:${port}`,
      BOOKING_API_PORT: '0',
      OPERATOR_TOKEN,
    });
    services.push(api);
    const [gateway, sync] = await Promise.all(
      (['webhook-gateway', 'calcom-sync'] as const).map((name) =>
        spawnService(name, {
          ...common,
          NATS_URL: server.url,
          NATS_USER: name,
          NATS_PASSWORD: PASSWORD[name],
          [name === 'webhook-gateway' ? 'WEBHOOK_GATEWAY_PORT' : 'CALCOM_SYNC_PORT']: '0',
        }),
      ),
    );
    services.push(gateway!, sync!);
    const apiUrl = `http://127.0.0.1:${api.port}`;

    const eventTypes = [{ id: EVENT_TYPE, title: 'Perm', lengthInMinutes: 30 }];
    const secret = 'whsec-natsperm-0000';
    sb.addAccount({
      apiKey: API_KEY,
      eventTypes,
      webhook: { url: `http://127.0.0.1:${gateway!.port}/v1/webhooks/calcom/${TENANT}`, secret },
      timeZone: 'Europe/Berlin',
      email: 'host@natsperm.test',
    });
    const put = await fetch(`${apiUrl}/v1/tenants/${TENANT}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Perm',
        timeZone: 'Europe/Berlin',
        adminToken: ADMIN_TOKEN,
        calcom: { apiKey: API_KEY, webhookSecret: secret, eventTypes },
      }),
    });
    expect(put.status).toBe(201);
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    // A weekday morning a few days ahead: inside the sandbox's working hours.
    const start = new Date(Date.now() + 3 * 86400_000);
    while (start.getUTCDay() === 0 || start.getUTCDay() === 6) start.setUTCDate(start.getUTCDate() + 1);
    start.setUTCHours(9, 0, 0, 0);

    // booking-api → APPOINTMENTS → calcom-sync → Cal.com, result on SYNC_RESULTS.
    const created = await fetch(`${apiUrl}/v1/tenants/${TENANT}/appointments`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({
        eventTypeId: EVENT_TYPE,
        start: start.toISOString(),
        customer: { name: 'Ada', email: 'ada@example.com', timeZone: 'Europe/Berlin' },
      }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    await waitFor(
      async () => {
        const r = await fetch(`${apiUrl}/v1/tenants/${TENANT}/appointments/${id}`, { headers: admin });
        return ((await r.json()) as { sync: { status: string } }).sync.status === 'synced';
      },
      { what: 'the appointment synced to Cal.com', timeoutMs: 30_000 },
    );

    // Cal.com → webhook-gateway → CALCOM_INBOUND → booking-api's applier.
    const later = new Date(start.getTime() + 2 * 3600_000);
    await sb.customer.book(API_KEY, {
      eventTypeId: EVENT_TYPE,
      start: later.toISOString(),
      attendee: { name: 'Grace', email: 'grace@example.com', timeZone: 'Europe/Berlin' },
    });
    await waitFor(
      async () => {
        const r = await fetch(`${apiUrl}/v1/tenants/${TENANT}/appointments`, { headers: admin });
        const { items } = (await r.json()) as { items: { origin: string }[] };
        return items.some((a) => a.origin === 'calcom');
      },
      { what: 'the Cal.com booking applied', timeoutMs: 30_000 },
    );

    const { jsm } = await as('admin');
    await waitFor(async () => (await jsm.streams.info('SYNC_RESULTS')).state.messages > 0, {
      what: 'a sync result published',
    });
    expect(violations()).toEqual([]);
    for (const s of services) for (const u of USERS) expect(s.output()).not.toContain(PASSWORD[u]);
  });

  it('refuses a connection without credentials or with a wrong password', async () => {
    await expect(connectNats({ url: server.url, name: 'anon', logger })).rejects.toThrow(/Authorization/);
    await expect(
      connectNats({
        url: server.url,
        credentials: { user: 'webhook-gateway', pass: PASSWORD['calcom-sync'] },
        name: 'wrong',
        logger,
      }),
    ).rejects.toThrow(/Authorization/);
  });

  const refusals: [User, string, (h: NatsHandle) => Promise<unknown>][] = [
    [
      'webhook-gateway',
      'publish an appointment change',
      (h) => h.js.publish('appointments.t.a.booked', '{}'),
    ],
    ['webhook-gateway', 'publish a sync result', (h) => h.js.publish('sync.t.a.synced', '{}')],
    [
      'webhook-gateway',
      'read the inbound consumer',
      (h) => h.js.consumers.get('CALCOM_INBOUND', 'booking-api-inbound'),
    ],
    ['webhook-gateway', 'purge a stream', (h) => h.jsm.streams.purge('CALCOM_INBOUND')],
    ['webhook-gateway', 'delete a stream', (h) => h.jsm.streams.delete('APPOINTMENTS')],
    ['webhook-gateway', 'change a stream', (h) => h.jsm.streams.update('CALCOM_INBOUND', { max_msgs: 1 })],
    ['calcom-sync', 'publish an appointment change', (h) => h.js.publish('appointments.t.a.cancelled', '{}')],
    [
      'calcom-sync',
      "pull booking-api's consumer",
      (h) => h.js.consumers.get('CALCOM_INBOUND', 'booking-api-inbound'),
    ],
    ['calcom-sync', 'create a stream', (h) => h.jsm.streams.add({ name: 'EXFIL', subjects: ['>'] })],
    ['calcom-sync', 'read a stored message', (h) => h.jsm.streams.getMessage('APPOINTMENTS', { seq: 1 })],
    [
      'booking-api',
      'publish a Cal.com delivery',
      (h) => h.js.publish('calcom.inbound.t.BOOKING_CREATED', '{}'),
    ],
    ['booking-api', 'publish a sync result', (h) => h.js.publish('sync.t.a.synced', '{}')],
    ['booking-api', "pull calcom-sync's consumer", (h) => h.js.consumers.get('APPOINTMENTS', 'calcom-sync')],
    ['booking-api', 'delete a stream', (h) => h.jsm.streams.delete('SYNC_RESULTS')],
  ];

  it.each(refusals)('%s may not %s', async (user, _what, attempt) => {
    const { jsm } = await as('admin');
    const count = async () =>
      Promise.all(
        ['APPOINTMENTS', 'CALCOM_INBOUND', 'SYNC_RESULTS'].map(
          async (s) => (await jsm.streams.info(s)).state,
        ),
      );
    const before = await count();
    await expect(attempt(await as(user))).rejects.toThrow(/Permissions Violation|permission/i);
    expect(await count()).toEqual(before);
  });

  const subscriptions: [User, string][] = [
    ['webhook-gateway', 'calcom.inbound.>'],
    ['webhook-gateway', 'appointments.>'],
    ['webhook-gateway', '_INBOX.calcom-sync.>'],
    ['webhook-gateway', '>'],
    ['calcom-sync', 'calcom.inbound.>'],
    ['calcom-sync', '_INBOX.booking-api.>'],
    ['booking-api', 'calcom.inbound.>'],
    ['booking-api', '_INBOX.>'],
  ];

  it.each(subscriptions)('%s may not subscribe to %s', async (user, subject) => {
    const { nc } = await as(user);
    expect(await subscribeError(nc, subject)).toBeInstanceOf(Error);
  });

  it('lets each user subscribe to its own replies and what it waits on', async () => {
    const api = await as('booking-api');
    // Sync results it waits on; one tenant's changes and results for the console's live events.
    for (const subject of ['sync.t.a.*', 'appointments.t.>', 'sync.t.>']) {
      const sub = api.nc.subscribe(subject);
      await api.nc.flush();
      expect(sub.isClosed()).toBe(false);
      sub.unsubscribe();
    }
    const sync = await as('calcom-sync');
    await expect(sync.js.publish('calcom.inbound.t.BOOKING_CANCELLED', '{}')).resolves.toMatchObject({
      stream: 'CALCOM_INBOUND',
    });
  });
});
