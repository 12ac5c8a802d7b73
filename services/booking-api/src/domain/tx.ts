/**
 * Shared by the inbound applier and the sync use cases: retrying a transaction
 * that lost a deadlock, and appending an appointment event to the outbox inside it.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '@calsync/platform';
import { isRetryableTxError, type AppointmentRow, type Db, type Tx } from '@calsync/db';
import { appointmentEventV1Schema, type AppointmentEventName, type Origin } from '@calsync/contracts';
import type { OutboxRepo } from './ports';
import { toSnapshot } from './appointment-resource';

export async function inTx<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(fn);
    } catch (err) {
      if (attempt >= 5 || !isRetryableTxError(err)) throw err;
    }
  }
}

/** Who made a change: its Sync-Origin, and the trace it belongs to. */
export interface Actor {
  origin: Origin;
  traceparent?: string | undefined;
}

/** Writes `event` for the row's current state; the caller's transaction commits both together. */
export async function appendEvent(
  deps: { outbox: OutboxRepo; clock: Clock },
  row: AppointmentRow,
  event: AppointmentEventName,
  actor: Actor,
  tx: Tx,
  extra: { previousStart?: Date | undefined; reason?: string | null | undefined } = {},
): Promise<void> {
  const evt = appointmentEventV1Schema.parse({
    version: 1,
    eventId: randomUUID(),
    event,
    tenantId: row.tenant_id,
    appointmentId: row.id,
    origin: actor.origin,
    occurredAt: deps.clock.now().toISOString(),
    appointment: toSnapshot(row),
    ...(extra.previousStart ? { previousStart: extra.previousStart.toISOString() } : {}),
    ...(extra.reason ? { reason: extra.reason.slice(0, 2000) } : {}),
  });
  await deps.outbox.add(evt, actor.traceparent, tx);
}
