import { Writable } from 'node:stream';
import { createLogger } from '@calsync/platform';
import { createGatewayMetrics } from '../metrics';
import type { DeliveryRow } from './deliveries-repo';
import { createDeliveryRecorder, type DeliveryRecorderOptions } from './delivery-recorder';

const at = (s: number) => new Date(Date.UTC(2026, 4, 24, 12, 0, s));

function setup(options: Partial<DeliveryRecorderOptions> = {}) {
  const writes: DeliveryRow[][] = [];
  const table = new Map<string, DeliveryRow>();
  const mysql = { down: false, finds: 0 };
  const lines: Record<string, unknown>[] = [];
  const metrics = createGatewayMetrics();
  const recorder = createDeliveryRecorder({
    repo: {
      find: (tenantId, deliveryId) => {
        mysql.finds++;
        const row = table.get(`${tenantId} ${deliveryId}`);
        return Promise.resolve(row ? { publishedAt: row.publishedAt } : null);
      },
      upsertMany: (rows) => {
        if (mysql.down) return Promise.reject(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }));
        writes.push(
          rows.map(({ tenantId, deliveryId, trigger, receivedAt, publishedAt }) => ({
            ...{ tenantId, deliveryId, trigger, receivedAt, publishedAt },
          })),
        );
        for (const r of rows) {
          const key = `${r.tenantId} ${r.deliveryId}`;
          const old = table.get(key);
          table.set(key, old ? { ...old, publishedAt: old.publishedAt ?? r.publishedAt } : { ...r });
        }
        return Promise.resolve();
      },
    },
    logger: createLogger({
      service: 'test',
      stream: new Writable({
        write: (c: Buffer, _e, cb) => (lines.push(JSON.parse(c.toString()) as Record<string, unknown>), cb()),
      }),
    }),
    metrics,
    flushIntervalMs: 60_000,
    maxBatchRows: 100,
    maxPendingRows: 1_000,
    maxAttempts: 3,
    maxBackoffMs: 20,
    ...options,
  });
  const dropped = async (reason: string) =>
    (await metrics.recordsDropped.get()).values.find((v) => v.labels.reason === reason)?.value;
  return { recorder, writes, table, mysql, lines, dropped };
}

const published = (id: string, s = 0) => ({
  tenantId: 't1',
  deliveryId: id,
  trigger: 'BOOKING_CREATED',
  receivedAt: at(s),
  publishedAt: at(s + 1),
});

const received = (id: string, s = 0) => ({
  tenantId: 't1',
  deliveryId: id,
  trigger: 'BOOKING_CREATED',
  receivedAt: at(s),
});

const until = async (check: () => boolean, ms = 2_000) => {
  for (const end = Date.now() + ms; !check(); await new Promise((r) => setTimeout(r, 5)))
    if (Date.now() > end) throw new Error('condition not met in time');
};

describe('delivery recorder (the deliveries table, written behind)', () => {
  it('writes what arrived within the interval in one statement, and answers lookups before that', async () => {
    const { recorder, writes, mysql } = setup({ flushIntervalMs: 30 });
    for (const id of ['a', 'b', 'c']) recorder.recordPublished(published(id));
    expect(writes).toHaveLength(0);
    expect(await recorder.find('t1', 'b')).toEqual({ publishedAt: at(1) });
    expect(mysql.finds).toBe(0);

    await until(() => writes.length > 0);
    expect(writes.map((w) => w.map((r) => r.deliveryId))).toEqual([['a', 'b', 'c']]);
    expect(recorder.pending).toBe(0);
    expect(await recorder.find('t1', 'b')).toEqual({ publishedAt: at(1) });
    expect(mysql.finds).toBe(1);
    await recorder.stop();
  });

  it('writes a full batch at once instead of waiting for the interval', async () => {
    const { recorder, writes } = setup({ maxBatchRows: 2 });
    for (const id of ['a', 'b', 'c', 'd', 'e']) recorder.recordPublished(published(id));
    await until(() => writes.length === 2);
    expect(recorder.pending).toBe(1);
    await recorder.stop();
    expect(writes.map((w) => w.length)).toEqual([2, 2, 1]);
  });

  it('keeps one row per delivery: published wins, the first arrival stays', async () => {
    const { recorder, writes } = setup();
    recorder.recordReceived(received('a', 0));
    recorder.recordPublished(published('a', 5));
    recorder.recordReceived(received('b', 3));
    expect(await recorder.find('t1', 'b')).toBeNull(); // arrived, not published: no duplicate
    await recorder.flush();
    expect(writes).toEqual([
      [
        { ...received('a', 0), publishedAt: at(6) },
        { ...received('b', 3), publishedAt: null },
      ],
    ]);
    await recorder.stop();
  });

  it('retries a failed write with backoff, then gives the rows up after maxAttempts, logged and counted', async () => {
    const { recorder, mysql, writes, lines, dropped } = setup({ flushIntervalMs: 5, maxAttempts: 3 });
    mysql.down = true;
    recorder.recordPublished(published('a'));
    await until(() => recorder.pending === 0);
    expect(await dropped('write_failed')).toBe(1);
    expect(lines.filter((l) => l.message === 'Webhook delivery records not written; retrying')).toHaveLength(
      3,
    );
    expect(lines.find((l) => l.level === 'error')).toMatchObject({
      message: 'Webhook delivery records given up',
      rows: 1,
    });

    mysql.down = false; // after a short outage the rows are written, and later ones go through again
    recorder.recordPublished(published('b'));
    mysql.down = true;
    await until(() => lines.filter((l) => String(l.message).includes('retrying')).length === 4);
    mysql.down = false;
    await until(() => writes.length === 1);
    expect(writes[0]?.map((r) => r.deliveryId)).toEqual(['b']);
    await recorder.stop();
  });

  it('holds at most maxPendingRows: more records are dropped and counted, never queued', async () => {
    const { recorder, dropped, lines } = setup({ maxPendingRows: 3 });
    for (const id of ['a', 'b', 'c', 'd', 'e']) recorder.recordPublished(published(id));
    recorder.recordPublished(published('a', 9)); // a record for a delivery already held is merged, not dropped
    expect(recorder.pending).toBe(3);
    expect(await dropped('buffer_full')).toBe(2);
    expect(lines.filter((l) => l.message === 'Webhook delivery records dropped: buffer full')).toHaveLength(
      1,
    );
    await recorder.stop();
  });

  it('writes everything left when stopped; what MySQL still refuses then is logged as lost', async () => {
    const { recorder, writes, table } = setup({ maxBatchRows: 2 });
    for (const id of ['a', 'b', 'c']) recorder.recordPublished(published(id));
    await recorder.stop();
    expect(writes.flat().map((r) => r.deliveryId)).toEqual(['a', 'b', 'c']);
    expect(table.size).toBe(3);

    const down = setup({ maxAttempts: 10 });
    down.mysql.down = true;
    down.recorder.recordPublished(published('x'));
    await down.recorder.stop();
    expect(await down.dropped('write_failed')).toBe(1);
    expect(down.lines.find((l) => l.level === 'error')).toMatchObject({
      message: 'Webhook delivery records lost at shutdown',
      rows: 1,
    });
  });
});
