/**
 * Reconciliation (SPEC §6.9): Cal.com delivers webhooks at most once, so every
 * RECONCILE_INTERVAL_SECONDS we list each tenant's bookings updated since a
 * cursor and compare them with local appointments. Safe repairs go through the
 * one inbound path (a synthetic CALCOM_INBOUND delivery); what could overwrite a
 * local decision goes to manual review. Every difference is counted.
 */
import type { TenantReader, TenantRecord, Db } from '@calsync/db';
import type { Clock, Logger } from '@calsync/platform';
import { createReconcileRepository } from '../db/reconcile-repository';
import type { InboundPublisher } from '../messaging/inbound';
import type { SyncMetrics } from '../metrics';
import { isCancelled, type CalcomBooking, type CalcomGateway } from './calcom-port';

const PAGE = 100;
const MAX_PAGES = 20;
const FIRST_RUN_LOOKBACK_MS = 24 * 3600_000;

export interface ReconcilerDeps {
  db: Db;
  tenants: TenantReader;
  gatewayFor(tenant: TenantRecord): CalcomGateway;
  publishInbound: InboundPublisher;
  metrics: SyncMetrics;
  logger: Logger;
  clock: Clock;
}

export function createReconciler(deps: ReconcilerDeps) {
  const repo = createReconcileRepository(deps.db);

  async function reconcileTenant(tenant: TenantRecord): Promise<number> {
    const gw = deps.gatewayFor(tenant);
    const now = deps.clock.now();
    let cursor = (await repo.cursor(tenant.id)) ?? new Date(now.getTime() - FIRST_RUN_LOOKBACK_MS);
    let drift = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      const { items, hasMore } = await gw.listUpdatedSince(cursor, 0, PAGE);
      if (!items.length) break;
      drift += await compare(tenant, items);
      const last = items.reduce((m, b) => (b.updatedAt && b.updatedAt > m ? b.updatedAt : m), cursor);
      if (last.getTime() === cursor.getTime() || !hasMore) {
        cursor = last;
        break;
      }
      cursor = last;
    }
    await repo.saveCursor(tenant.id, cursor, now);
    return drift;
  }

  /** Hands a booking we never heard about to booking-api's inbound applier, as the webhook would have. */
  async function publishMissed(tenant: TenantRecord, b: CalcomBooking): Promise<void> {
    // A reschedule carries the old uid, so the applier moves the existing appointment instead of adding one.
    await deps.publishInbound(tenant.id, b.rescheduledFromUid ? 'BOOKING_RESCHEDULED' : 'BOOKING_CREATED', {
      uid: b.uid,
      ...(b.id !== null ? { bookingId: b.id } : {}),
      ...(b.rescheduledFromUid ? { rescheduleUid: b.rescheduledFromUid } : {}),
      eventTypeId: b.eventTypeId,
      startTime: b.start.toISOString().replace('.000Z', 'Z'),
      endTime: b.end.toISOString().replace('.000Z', 'Z'),
      status: b.status.toUpperCase(),
      attendees: b.attendees,
      metadata: b.metadata,
    });
  }

  async function compare(tenant: TenantRecord, bookings: CalcomBooking[]): Promise<number> {
    const ids = bookings
      .map((b) => b.metadata.appointmentId)
      .filter((v): v is string => typeof v === 'string');
    const local = await repo.match(
      tenant.id,
      bookings.map((b) => b.uid),
      ids,
    );
    const byUid = new Map(local.filter((r) => r.calcom_booking_uid).map((r) => [r.calcom_booking_uid!, r]));
    const byId = new Map(local.map((r) => [r.id, r]));
    let drift = 0;
    const count = (kind: string, b: CalcomBooking, extra: Record<string, unknown> = {}) => {
      drift += 1;
      deps.metrics.drift.inc({ kind });
      deps.logger.warn('Reconciliation found drift', {
        tenant: tenant.id,
        kind,
        calcomBookingUid: b.uid,
        ...extra,
      });
    };
    for (const b of bookings) {
      if (b.rescheduledToUid) continue; // the old half of a reschedule; its successor is compared instead
      const row = byUid.get(b.uid);
      if (row) {
        if (isCancelled(b) && row.status === 'booked' && row.last_synced_status !== 'cancelled') {
          const flagged = await repo.flagCancelledInCalcom(tenant.id, row.id, b, deps.clock.now());
          if (flagged) count('cancelled_in_calcom', b, { appointmentId: row.id });
        }
        continue;
      }
      const ours =
        typeof b.metadata.appointmentId === 'string' ? byId.get(b.metadata.appointmentId) : undefined;
      if (ours) {
        // Ours but not linked: an in-flight create (the worker's lookup links it) or a missed reschedule webhook.
        if (!ours.sync_call_in_flight && !isCancelled(b)) {
          count('unlinked', b, { appointmentId: ours.id });
          // A customer's reschedule whose webhook we missed: let the inbound applier re-link it (it checks for conflicts).
          if (b.rescheduledFromUid) await publishMissed(tenant, b);
        }
        continue;
      }
      if (isCancelled(b)) continue; // unknown and cancelled: nothing to bring over
      count('missing_locally', b);
      await publishMissed(tenant, b);
    }
    return drift;
  }

  return {
    /** One pass over every tenant; a failing tenant does not stop the others. */
    async runOnce(): Promise<{ tenants: number; drift: number }> {
      let drift = 0;
      const ids = await deps.tenants.listIds();
      for (const id of ids) {
        const tenant = await deps.tenants.get(id);
        if (!tenant) continue;
        try {
          drift += await reconcileTenant(tenant);
        } catch (err) {
          deps.logger.warn('Reconciliation of a tenant failed', { tenant: id, error: err });
        }
      }
      return { tenants: ids.length, drift };
    },
  };
}
