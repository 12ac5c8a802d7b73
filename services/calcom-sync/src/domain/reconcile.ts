/**
 * Reconciliation (SPEC §6.9): Cal.com delivers webhooks at most once, so every
 * RECONCILE_INTERVAL_SECONDS we list each tenant's bookings updated since a
 * cursor (and again those of the two minutes before it: RECONCILE_LOOKBACK_MS)
 * and compare them with local appointments. Every repair goes through
 * the one inbound path (a synthetic CALCOM_INBOUND delivery), so a missed
 * booking, reschedule or cancellation is applied exactly as its webhook would
 * have been (a conflict with an unsynced local change still goes to review
 * there). A guard refuses a round that would cancel an unusual share of a
 * tenant's appointments at once and flags them instead. Every difference is counted.
 */
import type { AppointmentRow, TenantReader, TenantRecord } from '@calsync/db';
import type { Clock, Logger } from '@calsync/platform';
import { flag, type SyncStateStore } from '@calsync/sync-state';
import type { SyncMetrics } from '../metrics';
import { isCancelled, type CalcomGateway, type HeldBooking } from './calcom-port';
import { snapshotOf } from './in-flight';
import type { ReconcileRepo, RepairPublisher } from './ports';

const PAGE = 100;
const MAX_PAGES = 20;
const FIRST_RUN_LOOKBACK_MS = 24 * 3600_000;
/**
 * Each round also looks again at what Cal.com changed this long before the cursor. A change can
 * land locally well after Cal.com made it: a delivery waits up to booking-api's inbound reorder
 * window (30 s) for the one before it, or is redelivered after a MySQL or NATS outage, and is
 * then applied as it was. A booking compared while no appointment stood on it (its reschedule
 * passed while the appointment's own delivery was still waiting) must be compared again once one
 * does, or the appointment keeps a link Cal.com has moved away from (chaos seed 822).
 */
export const RECONCILE_LOOKBACK_MS = 120_000;
/** Pages a round spends at most on the looked-again span (bounds the extra Cal.com calls). */
const LOOK_AGAIN_PAGES = 3;
/** A round may cancel at most this share of a tenant's booked appointments (and always up to MIN)… */
export const MASS_CANCEL_SHARE = 0.2;
export const MASS_CANCEL_MIN = 5;

export interface ReconcilerDeps {
  repo: ReconcileRepo;
  store: SyncStateStore;
  tenants: TenantReader;
  gatewayFor(tenant: TenantRecord): CalcomGateway;
  publishRepair: RepairPublisher;
  metrics: SyncMetrics;
  logger: Logger;
  clock: Clock;
  /** Overrides RECONCILE_LOOKBACK_MS. */
  lookbackMs?: number;
}

export function createReconciler(deps: ReconcilerDeps) {
  const lookbackMs = deps.lookbackMs ?? RECONCILE_LOOKBACK_MS;
  const { repo } = deps;

  async function reconcileTenant(tenant: TenantRecord): Promise<number> {
    const gw = deps.gatewayFor(tenant);
    const now = deps.clock.now();
    const saved = await repo.cursor(tenant.id);
    let cursor = saved
      ? new Date(saved.getTime() - lookbackMs)
      : new Date(now.getTime() - FIRST_RUN_LOOKBACK_MS);
    let drift = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      // A span too busy to look at again whole: the rest of the round goes to what is new.
      if (saved && cursor < saved && page >= LOOK_AGAIN_PAGES) cursor = saved;
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
    // Never back: next round looks again from the saved cursor anyway.
    await repo.saveCursor(tenant.id, saved && saved > cursor ? saved : cursor, now);
    return drift;
  }

  /** Hands a booking we never heard about to booking-api's inbound applier, as the webhook would have. */
  async function publishMissed(tenant: TenantRecord, b: HeldBooking): Promise<void> {
    // A reschedule carries the old uid, so the applier moves the existing appointment instead of adding one.
    const trigger = b.rescheduledFromUid ? 'BOOKING_RESCHEDULED' : 'BOOKING_CREATED';
    await deps.publishRepair(tenant.id, trigger, webhookPayload(b, b.rescheduledFromUid));
  }

  /** A cancellation whose webhook we missed: the delivery it should have been (no metadata, as Cal.com sends it). */
  async function publishCancel(tenant: TenantRecord, b: HeldBooking): Promise<void> {
    const { metadata: _none, ...payload } = webhookPayload(b, null);
    await deps.publishRepair(tenant.id, 'BOOKING_CANCELLED', {
      ...payload,
      cancellationReason: 'Cancelled in Cal.com (found by reconciliation)',
    });
  }

  /** The guard: too many cancellations in one round are flagged for a human instead of applied. */
  async function repairCancellations(tenant: TenantRecord, missed: { b: HeldBooking; id: string }[]) {
    if (!missed.length) return;
    const booked = await repo.bookedCount(tenant.id);
    if (missed.length > Math.max(MASS_CANCEL_MIN, Math.floor(booked * MASS_CANCEL_SHARE))) {
      deps.logger.warn('Reconciliation refused a mass cancellation; flagged for review', {
        tenant: tenant.id,
        cancellations: missed.length,
        booked,
      });
      for (const m of missed) {
        await deps.store.transact(tenant.id, m.id, deps.clock.now(), ({ state }) => ({
          next: state.review
            ? null
            : flag(state, 'mass_cancellation', { calcom: snapshotOf(m.b) }, deps.clock.now()),
          result: undefined,
        }));
      }
      return;
    }
    for (const m of missed) await publishCancel(tenant, m.b);
  }

  /**
   * A booked appointment still linked to a booking Cal.com has rescheduled away: follow the
   * chain to the live booking and hand over the reschedule its webhooks would have been. If that
   * booking already stands for another appointment (a later webhook of the chain arrived while
   * the earlier ones were lost), two appointments claim one booking: a human decides.
   */
  async function staleLink(
    tenant: TenantRecord,
    b: HeldBooking,
    row: AppointmentRow | undefined,
    count: (kind: string, b: HeldBooking, extra?: Record<string, unknown>) => void,
  ): Promise<'cancelled' | undefined> {
    if (!row || row.status !== 'booked' || row.sync_call_in_flight || row.requires_manual_review) return;
    const gw = deps.gatewayFor(tenant);
    let end: HeldBooking | null = b;
    for (let hop = 0; end?.rescheduledToUid && hop < 5; hop++) end = await gw.get(end.rescheduledToUid);
    if (!end || end.rescheduledToUid) return;
    if (isCancelled(end)) return 'cancelled';
    const [other] = await repo.match(tenant.id, [end.uid], []);
    if (other && other.id !== row.id) {
      count('rescheduled_chain_claimed', end, { appointmentId: row.id, otherAppointmentId: other.id });
      await deps.store.transact(tenant.id, row.id, deps.clock.now(), ({ state }) => ({
        next: state.review
          ? null
          : flag(
              state,
              'duplicate',
              {
                calcom: snapshotOf(end),
                errorMessage: `Cal.com's booking now stands for appointment ${other.id}`,
              },
              deps.clock.now(),
            ),
        result: undefined,
      }));
      return;
    }
    count('missed_reschedule', end, { appointmentId: row.id });
    await deps.publishRepair(tenant.id, 'BOOKING_RESCHEDULED', webhookPayload(end, b.uid));
  }

  async function compare(tenant: TenantRecord, bookings: HeldBooking[]): Promise<number> {
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
    const missedCancels: { b: HeldBooking; id: string }[] = [];
    const count = (kind: string, b: HeldBooking, extra: Record<string, unknown> = {}) => {
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
      if (b.rescheduledToUid) {
        // The old half of a reschedule: its successor is compared below, unless the appointment
        // still stands on this booking (every webhook of the chain since it was linked was missed).
        const stale = byUid.get(b.uid);
        if ((await staleLink(tenant, b, stale, count)) === 'cancelled' && stale) {
          // Rescheduled, then cancelled, every webhook missed: the customer's last word is a cancellation.
          count('cancelled_in_calcom', b, { appointmentId: stale.id });
          missedCancels.push({ b, id: stale.id });
        }
        continue;
      }
      const row = byUid.get(b.uid);
      if (row) {
        if (isCancelled(b) && row.status === 'booked' && row.last_synced_status !== 'cancelled') {
          count('cancelled_in_calcom', b, { appointmentId: row.id });
          missedCancels.push({ b, id: row.id });
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
    await repairCancellations(tenant, missedCancels);
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

/** A booking as Cal.com's webhook payload carries it (times without milliseconds, status upper case). */
function webhookPayload(b: HeldBooking, rescheduleUid: string | null) {
  return {
    uid: b.uid,
    ...(b.id !== null ? { bookingId: b.id } : {}),
    ...(rescheduleUid ? { rescheduleUid } : {}),
    eventTypeId: b.eventTypeId,
    startTime: b.start.toISOString().replace('.000Z', 'Z'),
    endTime: b.end.toISOString().replace('.000Z', 'Z'),
    status: b.status.toUpperCase(),
    attendees: b.attendees,
    metadata: b.metadata,
  };
}
