/**
 * The admin side of sync (SPEC §4.2): status by origin × sync status, the
 * manual-review queue with the Cal.com version beside ours, retry and resolve.
 * Retry and resolve write an outbox event in the same transaction, as every
 * change does; only keep-calcom and the review list read Cal.com.
 */
import type { Clock, Logger } from '@calsync/platform';
import { ApiError, notFound } from './errors';
import { isDuplicateKey, type AppointmentRow, type Db, type TenantRecord, type Tx } from '@calsync/db';
import { ORIGINS, SYNC_STATUSES, type Origin, type SyncStatus } from '@calsync/contracts';
import type { CalcomBooking, CalcomClient } from '@calsync/calcom-client';
import type { AppointmentsRepo, OutboxRepo, SyncRepo } from './ports';
import {
  dismiss,
  keepCalcom as keepCalcomOf,
  requestSync as requestSyncOf,
  stateOf,
  type SyncStateStore,
} from '@calsync/sync-state';
import { calcomStateOf, type CalcomState } from './calcom-booking';
import { toAppointment, type Appointment } from './appointment-resource';
import { appendEvent, inTx, type Actor } from './tx';

export const RESOLUTIONS = ['keep-local', 'keep-calcom', 'dismiss'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

/** Review items listed at once; the oldest flags first. */
export const REVIEW_LIMIT = 200;
const LIVE_FETCH_CONCURRENCY = 4;

export interface SyncServiceDeps {
  db: Db;
  sync: SyncRepo;
  appointments: AppointmentsRepo;
  outbox: OutboxRepo;
  /** The sync-state protocol: review actions are its transitions. */
  store: SyncStateStore;
  clock: Clock;
  logger: Logger;
  /** The tenant's Cal.com client (its own API key). */
  calcomFor: (tenant: TenantRecord) => Pick<CalcomClient, 'getBooking'>;
  onCommitted: () => void;
}

type Counts = Record<SyncStatus, number>;

export interface SyncStatusReport {
  since: string;
  total: number;
  /** (synced + skipped) / (synced + skipped + failed); null while nothing has finished. */
  successRate: number | null;
  byOrigin: Record<Origin, Counts>;
  reviewQueue: number;
}

export interface ReviewItem {
  appointment: Appointment;
  calcom: unknown;
  reason: string | null;
  flaggedAt: string | null;
}

const zeroCounts = (): Counts => Object.fromEntries(SYNC_STATUSES.map((s) => [s, 0])) as Counts;

/** The Cal.com version stored when the appointment was flagged (the review entry's, as sync-state reads it). */
const storedCalcomOf = (row: AppointmentRow): unknown => stateOf(row).review?.calcom ?? null;

export function createSyncService(deps: SyncServiceDeps) {
  const { clock } = deps;

  async function lockRow(tenantId: string, id: string, tx: Tx): Promise<AppointmentRow> {
    const row = await deps.appointments.get(tenantId, id, tx, true);
    if (!row) throw notFound('Appointment');
    return row;
  }

  async function reload(tenantId: string, id: string, tx: Tx): Promise<AppointmentRow> {
    return (await deps.appointments.get(tenantId, id, tx))!;
  }

  /** Hands the current local state to calcom-sync again (retry, keep-local). */
  async function requestSync(tenant: TenantRecord, id: string, actor: Actor, requireReview: boolean) {
    const row = await inTx(deps.db, async (tx) => {
      const current = await lockRow(tenant.id, id, tx);
      if (requireReview && current.requires_manual_review !== 1)
        throw new ApiError('not_in_review', 'The appointment is not in the manual-review queue');
      // Cal.com's booking is gone while ours stands: forget it, so the worker books anew.
      const unlink = current.status === 'booked' && current.last_synced_status === 'cancelled';
      const now = clock.now();
      // The store retires the forgotten booking: a late webhook for it does not link it again.
      const before = stateOf(current);
      await deps.store.write(
        tenant.id,
        id,
        { before, next: requestSyncOf(before, { unlink }, now) },
        now,
        tx,
      );
      const updated = await reload(tenant.id, id, tx);
      await appendEvent({ outbox: deps.outbox, clock }, updated, 'sync-requested', actor, tx);
      return updated;
    });
    deps.onCommitted();
    return toAppointment(row);
  }

  /** Stored snapshot of a conflict, else the live booking (following reschedules). */
  async function calcomVersionOf(tenant: TenantRecord, row: AppointmentRow): Promise<CalcomState | null> {
    // A double_booked flag stores the OTHER booking: only a snapshot of this appointment's booking counts.
    const stored = calcomStateOf(storedCalcomOf(row));
    if (stored && stored.uid === row.calcom_booking_uid) return stored;
    if (!row.calcom_booking_uid) return null;
    const client = deps.calcomFor(tenant);
    let uid: string | undefined = row.calcom_booking_uid;
    let live: CalcomBooking | null = null;
    for (let hop = 0; uid && hop < 5; hop++) {
      try {
        live = await client.getBooking(uid);
      } catch (err) {
        throw new ApiError('unavailable', 'Cal.com could not be reached; try again later', undefined, {
          cause: err,
        });
      }
      uid = live?.rescheduledToUid;
    }
    return calcomStateOf(live);
  }

  async function keepCalcom(tenant: TenantRecord, id: string, actor: Actor): Promise<Appointment> {
    const peek = await deps.appointments.get(tenant.id, id);
    if (!peek) throw notFound('Appointment');
    if (peek.requires_manual_review !== 1)
      throw new ApiError('not_in_review', 'The appointment is not in the manual-review queue');
    const state = await calcomVersionOf(tenant, peek);
    if (!state) throw new ApiError('conflict', 'There is no Cal.com version of this appointment to keep');
    try {
      const row = await inTx(deps.db, async (tx) => {
        // It may book a slot: like every writer of a booked start, it holds the event type's lock
        // (lock order everywhere: event type, then appointment), so overlap checks need no row locks.
        await deps.appointments.lockEventType(tenant.id, Number(peek.event_type_id), tx);
        const current = await lockRow(tenant.id, id, tx);
        if (current.requires_manual_review !== 1)
          throw new ApiError('not_in_review', 'The appointment is not in the manual-review queue');
        if (current.sync_call_in_flight)
          throw new ApiError(
            'conflict',
            'A Cal.com call for this appointment is still being confirmed; try again shortly',
          );
        const now = clock.now();
        const fact = { uid: state.uid, bookingId: state.id, start: state.start, status: state.status };
        const before = stateOf(current);
        await deps.store.write(tenant.id, id, { before, next: keepCalcomOf(before, fact, now) }, now, tx, {
          start_at: state.start,
          end_at: state.end,
          status: state.status,
          ...(state.status === 'cancelled' ? { cancel_reason: 'Cancelled in Cal.com' } : {}),
        });
        const updated = await reload(tenant.id, id, tx);
        const event =
          current.status !== updated.status
            ? updated.status === 'cancelled'
              ? 'cancelled'
              : 'booked'
            : current.start_at.getTime() !== updated.start_at.getTime()
              ? 'rescheduled'
              : 'updated';
        await appendEvent(
          { outbox: deps.outbox, clock },
          updated,
          event,
          { ...actor, origin: 'calcom' },
          tx,
          {
            previousStart: event === 'rescheduled' ? current.start_at : undefined,
          },
        );
        return updated;
      });
      deps.onCommitted();
      return toAppointment(row);
    } catch (err) {
      if (isDuplicateKey(err))
        throw new ApiError('conflict', 'That Cal.com booking is linked to another appointment', undefined, {
          cause: err,
        });
      throw err;
    }
  }

  return {
    async status(tenantId: string, since: Date): Promise<SyncStatusReport> {
      const [rows, reviewQueue] = await Promise.all([
        deps.sync.statusCounts(tenantId, since),
        deps.sync.reviewCount(tenantId),
      ]);
      const byOrigin = Object.fromEntries(ORIGINS.map((o) => [o, zeroCounts()])) as Record<Origin, Counts>;
      let total = 0;
      for (const r of rows) {
        byOrigin[r.origin][r.sync_status] += r.n;
        total += r.n;
      }
      const sum = (s: SyncStatus) => ORIGINS.reduce((n, o) => n + byOrigin[o][s], 0);
      const ok = sum('synced') + sum('skipped');
      const finished = ok + sum('failed');
      return {
        since: since.toISOString(),
        total,
        successRate: finished ? Math.round((ok / finished) * 10_000) / 10_000 : null,
        byOrigin,
        reviewQueue,
      };
    },

    /** Cal.com being down never fails the list: the live version is then null. */
    async review(tenant: TenantRecord): Promise<{ items: ReviewItem[] }> {
      const rows = await deps.sync.reviewItems(tenant.id, REVIEW_LIMIT);
      const client = deps.calcomFor(tenant);
      let calcomDown = false;
      const live = async (row: AppointmentRow): Promise<unknown> => {
        const stored = storedCalcomOf(row);
        if (stored) return stored;
        if (!row.calcom_booking_uid || calcomDown) return null;
        try {
          return await client.getBooking(row.calcom_booking_uid);
        } catch (err) {
          calcomDown = true; // one failure is enough: do not make the admin wait on every item
          deps.logger.warn('Cal.com unavailable for the review queue', {
            tenant: tenant.id,
            appointmentId: row.id,
            uid: row.calcom_booking_uid,
            error: err,
          });
          return null;
        }
      };
      const items: ReviewItem[] = new Array<ReviewItem>(rows.length);
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < rows.length; i = next++) {
          const row = rows[i]!;
          items[i] = {
            appointment: toAppointment(row),
            calcom: await live(row),
            reason: row.manual_review_reason,
            flaggedAt: row.manual_review_flagged_at?.toISOString() ?? null,
          };
        }
      };
      await Promise.all(Array.from({ length: LIVE_FETCH_CONCURRENCY }, worker));
      return { items };
    },

    retry: (tenant: TenantRecord, id: string, actor: Actor) => requestSync(tenant, id, actor, false),

    async resolve(tenant: TenantRecord, id: string, resolution: Resolution, actor: Actor) {
      switch (resolution) {
        case 'keep-local':
          return requestSync(tenant, id, actor, true);
        case 'keep-calcom':
          return keepCalcom(tenant, id, actor);
        case 'dismiss': {
          const row = await inTx(deps.db, async (tx) => {
            const current = await lockRow(tenant.id, id, tx);
            if (current.requires_manual_review !== 1)
              throw new ApiError('not_in_review', 'The appointment is not in the manual-review queue');
            const before = stateOf(current);
            await deps.store.write(tenant.id, id, { before, next: dismiss(before) }, clock.now(), tx);
            return reload(tenant.id, id, tx);
          });
          return toAppointment(row);
        }
      }
    },
  };
}
export type SyncService = ReturnType<typeof createSyncService>;
