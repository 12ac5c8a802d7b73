/**
 * Applies Cal.com changes (verified webhooks from CALCOM_INBOUND, and the
 * deliveries reconciliation replays) to local appointments with origin
 * `calcom` (SPEC §6.2, §6.8). What a change MEANS — our own call's echo, a
 * redelivery, a Cal.com change to take over, a conflict with an unsynced local
 * change — is decided by @calsync/sync-state's `calcomChange` on the row
 * locked here; one transaction per delivery writes the result and, when the
 * appointment changed, its outbox event.
 *
 * Every write first locks the event type row (the order admin creates use too),
 * so deliveries about one event type apply one at a time and a reordered or
 * redelivered webhook sees the effect of the ones before it. Never calls Cal.com.
 */
import { randomUUID } from 'node:crypto';
import type { Counter } from 'prom-client';
import type { AppointmentRow, Db, TenantReader, Tx } from '@calsync/db';
import type { CalcomInboundEventV1, CalcomWebhookBooking } from '@calsync/contracts';
import type { Clock, Logger } from '@calsync/platform';
import {
  calcomChange,
  flag,
  stateOf,
  type CalcomChange,
  type CalcomVerdict,
  type SyncState,
  type SyncStateStore,
} from '@calsync/sync-state';
import type { AppointmentsRepo, InboundRepo, OutboxRepo } from './ports';
import { customerOf, kindOf, ourAppointmentId, timesOf, versionFromWebhook } from './calcom-booking';
import { appendEvent, inTx, type Actor } from './tx';

export type InboundOutcome =
  'created' | 'rescheduled' | 'cancelled' | 'echo' | 'duplicate' | 'conflict' | 'ignored';

export interface InboundResult {
  outcome: InboundOutcome;
  appointmentId?: string | undefined;
  /** Why a delivery was ignored, or which review it caused. */
  reason?: string | undefined;
}

/** What the applier counts (metrics.ts). */
export interface InboundMetrics {
  echoSuppressed: Counter;
  inboundChanges: Counter<'trigger' | 'outcome'>;
}

export interface InboundDeps {
  db: Db;
  appointments: AppointmentsRepo;
  inbound: InboundRepo;
  outbox: OutboxRepo;
  store: SyncStateStore;
  tenants: Pick<TenantReader, 'get'>;
  clock: Clock;
  logger: Logger;
  metrics: InboundMetrics;
  onCommitted: () => void;
}

export interface InboundContext {
  traceparent?: string | undefined;
  /**
   * May the delivery be put back (OutOfOrderDelivery) to wait for a predecessor still on its
   * way? The consumer allows it for a bounded time per delivery, then the delivery is applied as is.
   */
  mayDefer?: boolean | undefined;
}

/**
 * A reschedule of a booking we have not heard of yet, whose predecessor's delivery may still be
 * on its way (a failed delivery is redelivered after later ones; replicas apply side by side).
 * Applying it now would make a second appointment for one booking; the consumer retries it shortly.
 */
export class OutOfOrderDelivery extends Error {
  override name = 'OutOfOrderDelivery';
  constructor(readonly missingUid: string) {
    super(`the booking it reschedules (${missingUid}) is not known yet`);
  }
}

/** One Cal.com delivery being applied, inside its transaction. */
interface Applying {
  evt: CalcomInboundEventV1;
  p: CalcomWebhookBooking;
  uid: string;
  eventTypeId: number;
  lengthMinutes: number;
  tenantTimeZone: string;
  actor: Actor;
  tx: Tx;
  now: Date;
  mayDefer: boolean;
  /** Set when an outbox row was written: the relay is woken after commit. */
  wroteEvent: boolean;
}

const ignored = (reason: string, appointmentId?: string): InboundResult => ({
  outcome: 'ignored',
  reason,
  appointmentId,
});

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
    deps.metrics.inboundChanges.inc({ trigger: evt.trigger, outcome: result.outcome });
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
      const w: Applying = {
        evt,
        p,
        uid,
        eventTypeId,
        lengthMinutes: et.lengthMinutes,
        tenantTimeZone: tenant.timeZone,
        actor: { origin: 'calcom', traceparent: ctx.traceparent },
        tx,
        now: clock.now(),
        mayDefer: ctx.mayDefer ?? false,
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

  const emit = async (w: Applying, id: string, event: 'booked' | 'rescheduled' | 'cancelled', extra = {}) => {
    const row = await deps.appointments.get(w.evt.tenantId, id, w.tx);
    if (!row) return;
    await appendEvent({ outbox: deps.outbox, clock }, row, event, w.actor, w.tx, extra);
    w.wroteEvent = true;
  };

  const snapshot = (w: Applying) =>
    versionFromWebhook(w.evt.trigger, w.evt.receivedAt, w.p, timesOf(w.p, w.lengthMinutes));

  const save = (w: Applying, row: AppointmentRow, next: SyncState, business: Record<string, unknown> = {}) =>
    deps.store.write(w.evt.tenantId, row.id, { before: stateOf(row), next }, w.now, w.tx, business);

  /** The change as the machine reads it. */
  function change(
    w: Applying,
    kind: CalcomChange['kind'],
    start: Date,
    fromUid: string | null,
    ownId: string | null,
    row: AppointmentRow,
  ): CalcomChange {
    return {
      kind,
      booking: {
        uid: w.uid,
        bookingId: w.p.bookingId ?? null,
        start,
        status: kind === 'cancelled' ? 'cancelled' : 'booked',
      },
      fromUid,
      ours: ownId === row.id,
    };
  }

  /**
   * A booking (the delivery's uid) we hold already: a redelivery, a confirmation of a requested
   * booking, or calcom-sync recorded it first (our own create or reschedule). What Cal.com says is
   * recorded; nothing else changes. Null when the uid is new.
   */
  async function known(
    w: Applying,
    kind: 'created' | 'rescheduled',
    fromUid: string | null,
  ): Promise<InboundResult | null> {
    const row = await repo.findByUid(w.evt.tenantId, w.uid, w.tx);
    return row ? recordHeld(w, row, kind, fromUid) : null;
  }

  /**
   * `known` for a row that holds the delivery's uid. Also reached through our metadata when
   * calcom-sync recorded its call's answer after `known` looked for the uid and before the applier
   * locked the appointment: the delivery still verifies the booking.
   */
  async function recordHeld(
    w: Applying,
    row: AppointmentRow,
    kind: 'created' | 'rescheduled',
    fromUid: string | null,
  ): Promise<InboundResult> {
    const start = timesOf(w.p, w.lengthMinutes)?.start ?? row.start_at;
    const v = calcomChange(stateOf(row), change(w, kind, start, fromUid, ourAppointmentId(w.p), row), w.now);
    await save(w, row, v.next);
    return { outcome: 'duplicate', appointmentId: row.id };
  }

  /** BOOKING_CREATED / BOOKING_REQUESTED without rescheduleUid. */
  async function onCreate(w: Applying): Promise<InboundResult> {
    const tenantId = w.evt.tenantId;
    const times = timesOf(w.p, w.lengthMinutes);
    const ownId = ourAppointmentId(w.p);
    const redelivered = await known(w, 'created', null);
    if (redelivered) return redelivered;
    const gone = await repo.tombstoneOf(tenantId, w.uid, w.tx);
    const own = ownId ? await deps.appointments.get(tenantId, ownId, w.tx, true) : null;
    if (own) {
      if (own.calcom_booking_uid === w.uid) return recordHeld(w, own, 'created', null);
      if (gone === 'superseded') return ignored('booking_gone', own.id);
      if (!times) return ignored('missing_start', own.id);
      // §6.2: Cal.com's webhook for a booking we made, possibly before our create call returned.
      const v = calcomChange(
        stateOf(own),
        change(w, 'created', times.start, null, ownId, own),
        w.now,
        snapshot(w),
      );
      if (v.verdict === 'stale') return ignored('echo_of_replaced_booking', own.id);
      await save(w, own, v.next);
      // Its cancellation arrived first: now that it is linked, apply that too.
      if (gone === 'cancelled') return cancelRow(w, (await deps.appointments.get(tenantId, own.id, w.tx))!);
      return { outcome: 'echo', appointmentId: own.id };
    }
    if (gone) return ignored('booking_gone');
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
  async function flagOverlaps(w: Applying, id: string, t: { start: Date; end: Date }): Promise<boolean> {
    const others = await repo.findOverlaps(w.evt.tenantId, w.eventTypeId, t.start, t.end, w.tx, id);
    if (!others.length) return false;
    for (const other of [id, ...others]) {
      await deps.store.transact(
        w.evt.tenantId,
        other,
        w.now,
        ({ state }) => ({
          next: flag(state, 'double_booked', { calcom: snapshot(w) }, w.now),
          result: undefined,
        }),
        { tx: w.tx },
      );
    }
    return true;
  }

  /** BOOKING_RESCHEDULED (or REQUESTED/CREATED with rescheduleUid): `uid` is the new booking, `rescheduleUid` the old. */
  async function onReschedule(w: Applying): Promise<InboundResult> {
    const tenantId = w.evt.tenantId;
    const oldUid = w.p.rescheduleUid ?? null;
    const ownId = ourAppointmentId(w.p);
    const times = timesOf(w.p, w.lengthMinutes);
    const redelivered = await known(w, 'rescheduled', oldUid);
    if (redelivered) return redelivered;
    let row = oldUid ? await repo.findByUid(tenantId, oldUid, w.tx) : null;
    if (!row && ownId) {
      const own = await deps.appointments.get(tenantId, ownId, w.tx, true);
      if (own && own.calcom_booking_uid === w.uid) return recordHeld(w, own, 'rescheduled', oldUid);
      if (own && own.calcom_booking_uid && own.calcom_booking_uid !== oldUid)
        return ignored('stale_reschedule', own.id);
      row = own;
    }
    if (!times) return ignored('missing_start', row?.id);
    // Not known (yet): its predecessor's delivery may still come (§6.4: in order), else the
    // webhook of the booking was missed and the new one is simply a Cal.com booking.
    if (!row && oldUid && w.mayDefer && !(await repo.tombstoneOf(tenantId, oldUid, w.tx)))
      throw new OutOfOrderDelivery(oldUid);
    if (oldUid) await repo.tombstone(tenantId, oldUid, 'superseded', w.now, w.tx);
    if (!row) return onCreate(w);

    const v = calcomChange(
      stateOf(row),
      change(w, 'rescheduled', times.start, oldUid, ownId, row),
      w.now,
      snapshot(w),
    );
    if (v.verdict !== 'apply') return recordOnly(w, row, v, 'stale_reschedule');
    await save(w, row, v.next, { start_at: times.start, end_at: times.end });
    // A cancellation of the new booking that overtook this webhook wins.
    if ((await repo.tombstoneOf(tenantId, w.uid, w.tx)) === 'cancelled') {
      return cancelRow(w, (await deps.appointments.get(tenantId, row.id, w.tx))!);
    }
    const doubled = await flagOverlaps(w, row.id, times);
    await emit(w, row.id, 'rescheduled', { previousStart: row.start_at });
    return {
      outcome: 'rescheduled',
      appointmentId: row.id,
      reason: doubled ? 'double_booked' : undefined,
    };
  }

  /**
   * Every verdict but `apply` only records what Cal.com holds (or nothing, for a stale one):
   * echo or agreement, a redelivery, or a §6.8 conflict — where the booking now lives in Cal.com is
   * recorded and the local state is kept for a human.
   */
  async function recordOnly(
    w: Applying,
    row: AppointmentRow,
    v: CalcomVerdict,
    staleReason: string,
  ): Promise<InboundResult> {
    if (v.verdict === 'stale') return ignored(staleReason, row.id);
    await save(w, row, v.next);
    if (v.verdict === 'conflict') return { outcome: 'conflict', appointmentId: row.id, reason: 'conflict' };
    return { outcome: v.verdict === 'known' ? 'duplicate' : 'echo', appointmentId: row.id };
  }

  /** BOOKING_CANCELLED / BOOKING_REJECTED: no metadata, matched by uid or booking id. */
  async function onCancel(w: Applying): Promise<InboundResult> {
    const tenantId = w.evt.tenantId;
    let row = await repo.findByUid(tenantId, w.uid, w.tx);
    if (!row && w.p.bookingId != null) row = await repo.findByBookingId(tenantId, w.p.bookingId, w.tx);
    if (!row) {
      // Unknown (yet): remember it, so a late BOOKING_CREATED does not bring it back.
      await repo.tombstone(tenantId, w.uid, 'cancelled', w.now, w.tx);
      return ignored('unknown_booking');
    }
    return cancelRow(w, row);
  }

  async function cancelRow(w: Applying, row: AppointmentRow): Promise<InboundResult> {
    const v = calcomChange(
      stateOf(row),
      change(w, 'cancelled', row.last_synced_start_at ?? row.start_at, null, null, row),
      w.now,
      snapshot(w),
    );
    // Our own cancel coming back, or both sides cancelled, is an echo: they agree.
    if (v.verdict !== 'apply') return recordOnly(w, row, v, 'stale_cancel');
    const reason =
      w.p.cancellationReason ?? (w.evt.trigger === 'BOOKING_REJECTED' ? 'Rejected in Cal.com' : null);
    await save(w, row, v.next, {
      status: 'cancelled',
      cancel_reason: (reason ?? 'Cancelled in Cal.com').slice(0, 2000),
    });
    await emit(w, row.id, 'cancelled', { reason });
    return { outcome: 'cancelled', appointmentId: row.id };
  }

  return { apply };
}
export type InboundApplier = ReturnType<typeof createInboundApplier>;
