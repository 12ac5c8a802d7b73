/**
 * Whether a unit of work (one HTTP request) may have changed the database. An
 * Idempotency-Key may only be released after a failure when nothing can have
 * committed: a COMMIT whose acknowledgement was lost with the connection may
 * well have happened, and a retry would then run the change twice.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface WriteTracker {
  /** Set once a COMMIT (or a statement that commits by itself) has been sent. */
  mayHaveWritten: boolean;
}

const current = new AsyncLocalStorage<WriteTracker>();

/** Runs `fn` (and everything it starts) with writes recorded in `tracker`. */
export function trackWrites<T>(tracker: WriteTracker, fn: () => T): T {
  return current.run(tracker, fn);
}

/** Called by the Db just before it sends something that may commit. */
export function noteWriteAttempt(): void {
  const tracker = current.getStore();
  if (tracker) tracker.mayHaveWritten = true;
}

const READ_ONLY = /^\s*(SELECT|SHOW|SET|START TRANSACTION|ROLLBACK)\b/i;

/** A statement outside a transaction commits by itself unless it only reads. */
export const commitsByItself = (sql: string) => !READ_ONLY.test(sql);
