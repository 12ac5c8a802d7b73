/**
 * The deliveries table, written behind the answer: a delivery's record is buffered and written
 * with others in one multi-row upsert (every `flushIntervalMs`, or at once when `maxBatchRows`
 * are waiting), so accepting a webhook costs no MySQL round trip.
 *
 * What that gives up: a record is in memory only until its flush. JetStream's msgId
 * de-duplication covers a copy for the stream's duplicate window whatever the table holds, so a
 * lost record (a crash before the flush; MySQL away for longer than `maxAttempts` flushes; the
 * buffer full) matters only for a copy that arrives after that window and inside the replay
 * window: it would be published a second time. Everything else is bounded: at most
 * `maxPendingRows` rows wait (more are dropped and counted), a failed flush is retried with
 * backoff, and `stop()` writes what is left.
 */
import { sleep, type Logger } from '@calsync/platform';
import type { DeliveryRecord } from '../domain/dedup';
import type { DeliveryStore } from '../domain/receiver';
import type { GatewayMetrics } from '../metrics';
import type { DeliveriesRepo, DeliveryRow } from './deliveries-repo';

export interface DeliveryRecorderOptions {
  repo: Pick<DeliveriesRepo, 'find' | 'upsertMany'>;
  logger: Logger;
  metrics: Pick<GatewayMetrics, 'recordsPending' | 'recordsDropped'>;
  /** How long a record waits for others before it is written. */
  flushIntervalMs: number;
  /** Rows per statement; this many waiting are written at once. */
  maxBatchRows: number;
  /** Rows held in memory at most; beyond, new records are dropped (and counted). */
  maxPendingRows: number;
  /** Failed writes of one row before it is given up. */
  maxAttempts: number;
  /** Longest pause between retries after failed writes (they back off from `flushIntervalMs`). */
  maxBackoffMs: number;
}

export interface DeliveryRecorder extends DeliveryStore {
  /** Writes everything waiting; false when a write failed (the rows stay for the next try). */
  flush(): Promise<boolean>;
  /** Stops the timer and writes what is left, retrying briefly; for shutdown, after HTTP stopped. */
  stop(): Promise<void>;
  /** Rows not yet written. */
  readonly pending: number;
}

interface Waiting extends DeliveryRow {
  attempts: number;
}

const keyOf = (tenantId: string, deliveryId: string) => `${tenantId} ${deliveryId}`;

/** One row per delivery: the first arrival, and published once any record says so. */
function merge(into: Waiting, row: DeliveryRow): void {
  if (row.receivedAt < into.receivedAt) into.receivedAt = row.receivedAt;
  into.publishedAt ??= row.publishedAt;
}

const STOP_ATTEMPTS = 3;

export function createDeliveryRecorder(opts: DeliveryRecorderOptions): DeliveryRecorder {
  const { repo, logger, metrics } = opts;
  let waiting = new Map<string, Waiting>();
  /** The batch being written: `find` still sees it. */
  let writing = new Map<string, Waiting>();
  let queue: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let ticking = false;
  let stopped = false;
  let failures = 0;
  let droppedWhileFull = 0;

  const size = () => waiting.size + writing.size;
  const backoffMs = () => Math.min(opts.maxBackoffMs, opts.flushIntervalMs * 2 ** failures);

  function add(row: DeliveryRow): void {
    const key = keyOf(row.tenantId, row.deliveryId);
    const known = waiting.get(key);
    if (known) return merge(known, row);
    if (waiting.size >= opts.maxPendingRows) {
      if (droppedWhileFull++ === 0)
        logger.warn('Webhook delivery records dropped: buffer full', { maxPendingRows: opts.maxPendingRows });
      metrics.recordsDropped.inc({ reason: 'buffer_full' });
      return;
    }
    waiting.set(key, { ...row, attempts: 0 });
    metrics.recordsPending.set(size());
    // A full batch goes now rather than at the end of the interval (not while backing off).
    if (waiting.size >= opts.maxBatchRows && timer && failures === 0) {
      clearTimeout(timer);
      timer = undefined;
    }
    schedule();
  }

  function schedule(): void {
    if (stopped || timer || ticking || waiting.size === 0) return;
    const delay = failures > 0 ? backoffMs() : waiting.size >= opts.maxBatchRows ? 0 : opts.flushIntervalMs;
    timer = setTimeout(tick, delay);
    timer.unref();
  }

  function tick(): void {
    timer = undefined;
    ticking = true;
    void writeNext().finally(() => {
      ticking = false;
      schedule();
    });
  }

  /** Writes one batch, oldest rows first; one write at a time. */
  function writeNext(): Promise<boolean> {
    const done = queue.then(writeBatch);
    queue = done;
    return done;
  }

  async function writeBatch(): Promise<boolean> {
    if (waiting.size === 0) return true;
    const batch: Waiting[] = [];
    for (const [key, row] of waiting) {
      waiting.delete(key);
      writing.set(key, row);
      batch.push(row);
      if (batch.length >= opts.maxBatchRows) break;
    }
    try {
      await repo.upsertMany(batch);
      failures = 0;
      if (droppedWhileFull) {
        logger.warn('Webhook delivery records written again after the buffer was full', {
          dropped: droppedWhileFull,
        });
        droppedWhileFull = 0;
      }
      return true;
    } catch (err) {
      failures++;
      const retry = batch.filter((r) => ++r.attempts < opts.maxAttempts);
      const givenUp = batch.length - retry.length;
      logger.warn('Webhook delivery records not written; retrying', {
        rows: batch.length,
        waiting: size(),
        error: err,
      });
      if (givenUp) {
        logger.error('Webhook delivery records given up', { rows: givenUp, attempts: opts.maxAttempts });
        metrics.recordsDropped.inc({ reason: 'write_failed' }, givenUp);
      }
      // Back to the front of the queue, merged with anything recorded for them since.
      const requeued = new Map<string, Waiting>();
      for (const r of retry) requeued.set(keyOf(r.tenantId, r.deliveryId), r);
      for (const [key, row] of waiting) {
        const old = requeued.get(key);
        if (old) merge(old, row);
        else requeued.set(key, row);
      }
      waiting = requeued;
      return false;
    } finally {
      writing = new Map();
      metrics.recordsPending.set(size());
    }
  }

  async function flush(): Promise<boolean> {
    for (;;) {
      await queue; // a batch the timer started: its rows are back in `waiting` if it failed
      if (waiting.size === 0) return true;
      if (!(await writeNext())) return false;
    }
  }

  return {
    async find(tenantId, deliveryId): Promise<DeliveryRecord | null> {
      const key = keyOf(tenantId, deliveryId);
      const buffered = waiting.get(key) ?? writing.get(key);
      if (buffered?.publishedAt) return { publishedAt: buffered.publishedAt };
      return repo.find(tenantId, deliveryId);
    },
    recordReceived: (d) => add({ ...d, publishedAt: null }),
    recordPublished: add,
    flush,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      for (let attempt = 1; !(await flush()) && waiting.size > 0; attempt++) {
        if (attempt >= STOP_ATTEMPTS) {
          logger.error('Webhook delivery records lost at shutdown', { rows: waiting.size });
          metrics.recordsDropped.inc({ reason: 'write_failed' }, waiting.size);
          return;
        }
        await sleep(backoffMs());
      }
    },
    get pending() {
      return size();
    },
  };
}
