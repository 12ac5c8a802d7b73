/**
 * Retention of the `sync_attempts` audit (issue 8): under a backlog it grows by
 * hundreds of rows a minute. Rows older than SYNC_AUDIT_RETENTION_DAYS are
 * deleted in small batches (index ix_attempts_created), so no purge holds locks
 * long or fills the binlog with one huge statement; at start and then hourly.
 */
import type { Db } from '@calsync/db';
import type { Clock, Logger } from '@calsync/platform';

export interface AuditRetentionDeps {
  db: Db;
  retentionDays: number;
  clock: Clock;
  logger: Logger;
  batchSize?: number;
  /** Per run; what is left waits for the next run. */
  maxBatches?: number;
  intervalMs?: number;
}

/** Deletes audit rows older than the retention; returns how many. */
export async function purgeAuditOnce(deps: AuditRetentionDeps): Promise<number> {
  const before = new Date(deps.clock.now().getTime() - deps.retentionDays * 24 * 3600_000);
  const batch = Math.floor(deps.batchSize ?? 5_000);
  let total = 0;
  for (let i = 0; i < (deps.maxBatches ?? 100); i++) {
    const n = await deps.db.execute(`DELETE FROM sync_attempts WHERE created_at < ? LIMIT ${batch}`, [
      before,
    ]);
    total += n;
    if (n < batch) break;
  }
  if (total) deps.logger.info('Sync audit purged', { rows: total, before: before.toISOString() });
  return total;
}

/** Runs the purge now and every `intervalMs` (1 h); stop() waits for a run in progress. */
export function startAuditRetention(deps: AuditRetentionDeps): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const run = () => {
    running = purgeAuditOnce(deps).catch((err: unknown) =>
      deps.logger.warn('Sync audit purge failed; next run retries', { error: err }),
    );
  };
  run();
  const timer = setInterval(run, deps.intervalMs ?? 3600_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
