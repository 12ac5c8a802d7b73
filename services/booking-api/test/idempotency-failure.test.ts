/**
 * Idempotency-Key when MySQL fails mid-request (issue 9, item 5): the answer is
 * JSON, a change that may have committed keeps its key (a retry cannot run it
 * twice), and a request that provably wrote nothing releases it.
 */
import type { Db } from '@calsync/db';
import { createTenant, customer, future, startBookingApi, type Harness, type TestTenant } from './harness';

let h: Harness;
let t: TestTenant;
let db: Db;
let realTransaction: Db['transaction'];

beforeAll(async () => {
  h = await startBookingApi({ startRelay: false });
  t = await createTenant(h);
  db = h.testDb.db;
  realTransaction = db.transaction.bind(db);
});
afterEach(() => {
  db.transaction = realTransaction;
});
afterAll(() => h.close());

const connectionLost = () =>
  Object.assign(new Error('Connection lost: The server closed the connection.'), {
    code: 'PROTOCOL_CONNECTION_LOST',
    fatal: true,
  });

/** The next transaction fails: after its COMMIT went out (`after`), or before it began. */
function failNextTransaction(when: 'after_commit' | 'before_start') {
  db.transaction = async <T>(fn: Parameters<Db['transaction']>[0]): Promise<T> => {
    db.transaction = realTransaction;
    if (when === 'before_start') throw connectionLost();
    await realTransaction(fn);
    throw connectionLost(); // the acknowledgement of the COMMIT is lost: MySQL may have committed
  };
}

const create = (key: string, start: string) =>
  h.http('POST', `/v1/tenants/${t.id}/appointments`, {
    token: t.adminToken,
    body: { eventTypeId: t.eventTypeId, start, customer },
    headers: { 'idempotency-key': key },
  });

const countAt = async (start: string) =>
  (
    await db.query<{ n: number }>(
      'SELECT COUNT(*) AS n FROM appointments WHERE tenant_id = ? AND start_at = ?',
      [t.id, new Date(start)],
    )
  )[0]!.n;

it('a change whose commit may have happened keeps its key: the retry gets 409, never a second run', async () => {
  const start = future(6, 9);
  failNextTransaction('after_commit');
  const first = await create('key-ambiguous', start);
  expect(first.status).toBe(503);
  expect(first.headers.get('content-type')).toMatch(/application\/json/);
  expect(first.body.error.code).toBe('unavailable');
  expect(Number(await countAt(start))).toBe(1);

  const retry = await create('key-ambiguous', start);
  expect(retry.status).toBe(409);
  expect(retry.body.error.code).toBe('idempotency_in_progress');
  expect(Number(await countAt(start))).toBe(1);
});

it('a request that wrote nothing releases its key: the retry runs at once', async () => {
  const start = future(6, 11);
  failNextTransaction('before_start');
  const first = await create('key-nothing-written', start);
  expect(first.status).toBe(503);
  const retry = await create('key-nothing-written', start);
  expect(retry.status).toBe(201);
  expect(Number(await countAt(start))).toBe(1);
});

it('a failure while recording the result still answers the committed result, and the retry gets 409', async () => {
  const start = future(6, 13);
  const realExecute = db.execute.bind(db);
  db.execute = (sql, values, tx) =>
    /UPDATE idempotency_keys SET state = 'done'/.test(sql)
      ? Promise.reject(connectionLost())
      : realExecute(sql, values, tx);
  try {
    expect((await create('key-unrecorded', start)).status).toBe(201);
  } finally {
    db.execute = realExecute;
  }
  const retry = await create('key-unrecorded', start);
  expect(retry.status).toBe(409);
  expect(retry.body.error.code).toBe('idempotency_in_progress');
  expect(Number(await countAt(start))).toBe(1);
});

it('logs no stack trace for these failures', () => {
  expect(h.logs.text()).not.toMatch(/\n\s+at |\\n\s+at /);
});
