/**
 * Applies Cal.com changes (verified webhooks from CALCOM_INBOUND) to local
 * appointments with origin `calcom` (SPEC §6.2, §6.8). One transaction per
 * delivery writes the appointment and, when it changed, its outbox event.
 *
 * Every write first locks the event type row (the order admin creates use too),
 * so deliveries about one event type apply one at a time and a reordered or
 * redelivered webhook sees the effect of the ones before it. Never calls Cal.com.
 */
import { randomUUID } from 'node:crypto';
import type { Tx as Transaction } from '@calsync/db';
import type { Counter } from 'prom-client';
import type { AppointmentRow, Db, TenantReader } from '@calsync/db';
import type { CalcomInboundEventV1, CalcomWebhookBooking } from '@calsync/contracts';
import type { Clock, Logger } from '@calsync/platform';
import type { AppointmentsRepo } from '../db/appointments-repo';
import type { InboundRepo } from '../db/inbound-repo';
import type { OutboxRepo } from '../db/outbox-repo';
import {
  customerOf,
  hasUnsyncedChange,
  kindOf,
  ourAppointmentId,
  timesOf,
  versionFromWebhook,
} from './calcom-booking';
import { appendEvent, inTx, type EventActor } from './tx';

export type InboundOutcome =
  'created' | 'rescheduled' | 'cancelled' | 'echo' | 'duplicate' | 'conflict' | 'ignored';

export interface InboundResult {
  outcome: InboundOutcome;
  appointmentId?: string | undefined;
  /** Why a delivery was ignored, or which review it caused. */
  reason?: string | undefined;
}

export interface InboundMetrics {
  echoSuppressed: Counter;
  applied: Counter<'trigger' | 'outcome'>;
}

export interface InboundDeps {
  db: Db;
  appointments: AppointmentsRepo;
  inbound: InboundRepo;
  outbox: OutboxRepo;
  tenants: Pick<TenantReader, 'get'>;
  clock: Clock;
  logger: Logger;
  metrics: InboundMetrics;
  onCommitted: () => void;
}

export interface InboundContext {
  traceparent?: string | undefined;
}

interface Work {
  evt: CalcomInboundEventV1;
  p: CalcomWebhookBooking;
  uid: string;
  eventTypeId: number;
  lengthMinutes: number;
  tenantTimeZone: string;
  actor: EventActor;
  tx: Transaction;
  now: Date;
  /** Set when an outbox row was written: the relay is woken after commit. */
  wroteEvent: boolean;
}

const ignored = (reason: string, appointmentId?: string): InboundResult => ({
  outcome: 'ignored',
  reason,
  appointmentId,
});
/** Migration 0002's column (calcom-sync): the start an in-flight Cal.com call was sent with. */
const callStartOf = (row: AppointmentRow) =>
  (row as AppointmentRow & { sync_call_start_at?: Date | null }).sync_call_start_at ?? null;
const sameInstant = (a: Date | null, b: Date | null) => !!a && !!b && a.getTime() === b.getTime();

export function createInboundApplier(deps: InboundDeps) {
  const { inbound: repo, clock } = deps;

  async function apply(evt: CalcomInboundEventV1, ctx: InboundContext = {}): Promise<InboundResult> {
    const p = evt.payload;
    const log = {
      tenant: evt.tenantId,
      trigger: evt.trigger,
      uid: p.uid,
      origin: 'calcom',
      traceId: ctx.traceparent?.slice(3, 35),
      deliveryId: evt.deliveryId.slice(0, 16),
    };
    const result = await run(evt, ctx);
    deps.metrics.applied.inc({ trigger: evt.trigger, outcome: result.outcome });
    if (result.outcome === 'echo') deps.metrics.echoSuppressed.inc();
    const line = {
      ...log,
      appointmentId: result.appointmentId,
      outcome: result.outcome,
      reason: result.reason,
    };
    if (result.outcome === 'ignored' || result.outcome === 'conflict')
      deps.logger.warn('Cal.com change not applied', line);
    else deps.logger.info('Cal.com change applied', line);
    return result;
  }

  async function run(evt: CalcomInboundEventV1, ctx: InboundContext): Promise<InboundResult> {
    const p = evt.payload;
    if (!p.uid) return ignored('missing_uid');
    if (p.eventTypeId == null) return ignored('missing_event_type');
    const tenant = await deps.tenants.get(evt.tenantId);
    if (!tenant) return ignored('unknown_tenant');
    const uid = p.uid;
    const eventTypeId = p.eventTypeId;
    let wroteEvent = false;
    const result = await inTx(deps.db, async (tx) => {
      // The tenant comes from the event alone; an event type of another tenant finds no row here.
      const et = await deps.appointments.lockEventType(tenant.id, eventTypeId, tx);
      if (!et) return ignored('foreign_event_type');
      const w: Work = {
        evt,
        p,
        uid,
        eventTypeId,
        lengthMinutes: et.lengthMinutes,
        tenantTimeZone: tenant.timeZone,
        actor: { origin: 'calcom', traceparent: ctx.traceparent },
        tx,
        now: clock.now(),
        wroteEvent: false,
      };
      const kind = kindOf(evt.trigger, p);
      const r =
        kind === 'create'
          ? await onCreate(w)
          : kind === 'reschedule'
            ? await onReschedule(w)
            : await onCancel(w);
      wroteEvent = w.wroteEvent;
      return r;
    });
    if (wroteEvent) deps.onCommitted();
    return result;
  }

  const emit = async (w: Work, id: string, event: 'booked' | 'rescheduled' | 'cancelled', extra = {}) => {
    const row = await deps.appointments.get(w.evt.tenantId, id, w.tx);
    if (!row) return;
    await appendEvent({ outbox: deps.outbox, clock }, row, event, w.actor, w.tx, extra);
    w.wroteEvent = true;
  };

  const snapshot = (w: Work) =>
    versionFromWebhook(w.evt.trigger, w.evt.receivedAt, w.p, timesOf(w.p, w.lengthMinutes));

  /** BOOKING_CREATED / BOOKING_REQUESTED without rescheduleUid. */
  async function onCreate(w: Work): Promise<InboundResult> {
    const tenantId = w.evt.tenantId;
    const known = await repo.findByUid(tenantId, w.uid, w.tx);
    if (known) {
      // Redelivery, a confirmation of a requested booking, or calcom-sync already linked it.
      if (!known.sync_verified_at) await repo.markVerified(tenantId, known.id, w.now, w.tx);
      return { outcome: 'duplicate', appointmentId: known.id };
    }
    const gone = await repo.tombstoneOf(tenantId, w.uid, w.tx);
    const ownId = ourAppointmentId(w.p);
    const own = ownId ? await deps.appointments.get(tenantId, ownId, w.tx, true) : null;
    if (own) {
      // §6.2: Cal.com's webhook for a booking we made, possibly before our create call returned.
      if (own.calcom_booking_uid) return ignored('echo_of_replaced_booking', own.id);
      if (gone === 'superseded') return ignored('booking_gone', own.id);
      await repo.recordCalcomState(
        tenantId,
        own.id,
        {
          link: { uid: w.uid, bookingId: w.p.bookingId ?? null },
          lastSyncedStart: timesOf(w.p, w.lengthMinutes)?.start,
          lastSyncedStatus: 'booked',
        },
        w.now,
        w.tx,
      );
      // Its cancellation arrived first: now that it is linked, apply that too.
      if (gone === 'cancelled') return cancelRow(w, (await deps.appointments.get(tenantId, own.id, w.tx))!);
      return { outcome: 'echo', appointmentId: own.id };
    }
    if (gone) return ignored('booking_gone');
    const times = timesOf(w.p, w.lengthMinutes);
    if (!times) return ignored('missing_start');
    const id = randomUUID();
    await deps.appointments.insert(
      {
        id,
        tenantId,
        eventTypeId: w.eventTypeId,
        start: times.start,
        end: times.end,
        origin: 'calcom',
        customer: customerOf(w.p, w.tenantTimeZone),
        notes: null,
      },
      w.now,
      w.tx,
      { uid: w.uid, bookingId: w.p.bookingId ?? null },
    );
    const doubled = await flagOverlaps(w, id, times);
    await emit(w, id, 'booked');
    return { outcome: 'created', appointmentId: id, reason: doubled ? 'double_booked' : undefined };
  }

  /**
   * Cal.com is the truth for its own bookings, so an overlapping one is kept,
   * but both it and the local ones it overlaps go to review.
   */
  async function flagOverlaps(w: Work, id: string, t: { start: Date; end: Date }): Promise<boolean> {
    const others = await repo.findOverlaps(w.evt.tenantId, w.eventTypeId, t.start, t.end, w.tx, id);
    if (!others.length) return false;
    for (const other of [id, ...others])
      await repo.flagForReview(w.evt.tenantId, other, 'double_booked', snapshot(w), w.now, w.tx);
    return true;
  }

  /** BOOKING_RESCHEDULED (or REQUESTED/CREATED with rescheduleUid): `uid` is the new booking, `rescheduleUid` the old. */
  async function onReschedule(w: Work): Promise<InboundResult> {
    const tenantId = w.evt.tenantId;
    const oldUid = w.p.rescheduleUid ?? null;
    const already = await repo.findByUid(tenantId, w.uid, w.tx);
    if (already) {
      // Applied before, or calcom-sync recorded our own reschedule first.
      if (!already.sync_verified_at) await repo.markVerified(tenantId, already.id, w.now, w.tx);
      return { outcome: 'duplicate', appointmentId: already.id };
    }
    let row = oldUid ? await repo.findByUid(tenantId, oldUid, w.tx) : null;
    if (!row) {
      const ownId = ourAppointmentId(w.p);
      const own = ownId ? await deps.appointments.get(tenantId, ownId, w.tx, true) : null;
      if (own && own.calcom_booking_uid && own.calcom_booking_uid !== oldUid)
        return ignored('stale_reschedule', own.id);
      row = own;
    }
    const times = timesOf(w.p, w.lengthMinutes);
    if (!times) return ignored('missing_start', row?.id);
    if (oldUid) await repo.tombstone(tenantId, oldUid, 'superseded', w.now, w.tx);
    // The old booking was never known here (missed webhook): the new one is simply a Cal.com booking.
    if (!row) return onCreate(w);

    const link = { uid: w.uid, bookingId: w.p.bookingId ?? null };
    const calcomState = { link, lastSyncedStart: times.start, lastSyncedStatus: 'booked' as const };
    const ourCall = row.sync_call_in_flight === 'reschedule' && sameInstant(callStartOf(row), times.start);
    if (row.status === 'booked' && (sameInstant(row.start_at, times.start) || ourCall)) {
      // Echo of our own reschedule (Cal.com answers the call only after this webhook went out).
      await repo.recordCalcomState(tenantId, row.id, calcomState, w.now, w.tx);
      return { outcome: 'echo', appointmentId: row.id };
    }
    if (hasUnsyncedChange(row) || row.status === 'cancelled') {
      // §6.8: both versions to a human. Record where the booking now lives in Cal.com, keep ours.
      await repo.recordCalcomState(tenantId, row.id, calcomState, w.now, w.tx);
      await repo.flagForReview(tenantId, row.id, 'conflict', snapshot(w), w.now, w.tx);
      return { outcome: 'conflict', appointmentId: row.id, reason: 'conflict' };
    }
    // A cancellation of the new booking that overtook this webhook wins.
    const cancelledMeanwhile = (await repo.tombstoneOf(tenantId, w.uid, w.tx)) === 'cancelled';
    await repo.applyCalcomChange(
      tenantId,
      row.id,
      { ...times, status: cancelledMeanwhile ? 'cancelled' : 'booked', link },
      w.now,
      w.tx,
    );
    if (cancelledMeanwhile) {
      await emit(w, row.id, 'cancelled');
      return { outcome: 'cancelled', appointmentId: row.id };
    }
    const doubled = await flagOverlaps(w, row.id, times);
    await emit(w, row.id, 'rescheduled', { previousStart: row.start_at });
    return { outcome: 'rescheduled', appointmentId: row.id, reason: doubled ? 'double_booked' : undefined };
  }

  /** BOOKING_CANCELLED / BOOKING_REJECTED: no metadata, matched by uid or booking id. */
  async function onCancel(w: Work): Promise<InboundResult> {
    const tenantId = w.evt.tenantId;
    let row = await repo.findByUid(tenantId, w.uid, w.tx);
    if (!row && w.p.bookingId != null) row = await repo.findByBookingId(tenantId, w.p.bookingId, w.tx);
    if (!row) {
      // Unknown (yet): remember it, so a late BOOKING_CREATED does not bring it back.
      await repo.tombstone(tenantId, w.uid, 'cancelled', w.now, w.tx);
      return ignored('unknown_booking');
    }
    if (row.calcom_booking_uid && row.calcom_booking_uid !== w.uid) return ignored('stale_cancel', row.id);
    return cancelRow(w, row);
  }

  async function cancelRow(w: Work, row: AppointmentRow): Promise<InboundResult> {
    const tenantId = w.evt.tenantId;
    const calcomState = {
      link: { uid: w.uid, bookingId: w.p.bookingId ?? null },
      lastSyncedStatus: 'cancelled' as const,
    };
    if (row.status === 'cancelled') {
      // Echo of our own cancel, or both sides cancelled: they agree.
      await repo.recordCalcomState(tenantId, row.id, calcomState, w.now, w.tx);
      return { outcome: 'echo', appointmentId: row.id };
    }
    if (hasUnsyncedChange(row)) {
      await repo.recordCalcomState(tenantId, row.id, calcomState, w.now, w.tx);
      await repo.flagForReview(tenantId, row.id, 'conflict', snapshot(w), w.now, w.tx);
      return { outcome: 'conflict', appointmentId: row.id, reason: 'conflict' };
    }
    const reason =
      w.p.cancellationReason ?? (w.evt.trigger === 'BOOKING_REJECTED' ? 'Rejected in Cal.com' : null);
    await repo.applyCalcomChange(
      tenantId,
      row.id,
      {
        start: row.start_at,
        end: row.end_at,
        status: 'cancelled',
        cancelReason: reason ?? 'Cancelled in Cal.com',
        link: calcomState.link,
      },
      w.now,
      w.tx,
    );
    await emit(w, row.id, 'cancelled', { reason });
    return { outcome: 'cancelled', appointmentId: row.id };
  }

  return { apply };
}
export type InboundApplier = ReturnType<typeof createInboundApplier>;
