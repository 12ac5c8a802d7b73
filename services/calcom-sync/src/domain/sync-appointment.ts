/**
 * The sync rules for one APPOINTMENTS event (SPEC §6). The event only says
 * "look at this appointment": under a per-appointment lock the worker loads the
 * CURRENT row and brings Cal.com to it, so duplicate, late and reordered events
 * are harmless and several replicas can run side by side.
 */
import type { AppointmentEventV1, Origin } from '@calsync/contracts';
import { randomUUID } from 'node:crypto';
import { backoffRemainingMs, decideAction, type Decision } from './decide-action';
import { ACK, nak, TERM, type Disposition, type SyncDeps, type SyncRow, type Work } from './context';
import { handleFailure, result } from './failures';
import { lookUpInFlight, recordResolution } from './in-flight';
import { classifyFailure } from './outcome';
import { createInput } from './booking-input';

export const LOOP_PREVENTION_LOG = 'Skipping Cal.com sync (loop prevention)';
const MAX_STEPS = 4;

export interface MessageContext {
  /** Sync-Origin header (falls back to the payload's origin). */
  origin: Origin | undefined;
  traceparent: string | undefined;
}

const jitter = (min: number, max: number) => min + Math.floor(Math.random() * (max - min));
const traceIdOf = (tp: string | undefined) => (tp ? tp.slice(3, 35) : undefined);

export function createAppointmentSyncer(deps: SyncDeps) {
  const { repo, logger, metrics, clock } = deps;
  const instance = randomUUID().slice(0, 8);
  let seq = 0;

  async function handle(event: AppointmentEventV1, ctx: MessageContext): Promise<Disposition> {
    const origin = ctx.origin ?? event.origin;
    const log = {
      tenant: event.tenantId,
      appointmentId: event.appointmentId,
      origin,
      traceId: traceIdOf(ctx.traceparent),
      event: event.event,
    };
    // §6.1: a change that came from Cal.com never goes back to it. Either marker suffices.
    if (origin === 'calcom' || event.origin === 'calcom') {
      logger.info(LOOP_PREVENTION_LOG, log);
      metrics.loopPrevented.inc();
      metrics.attempts.inc({ action: 'none', outcome: 'loop_prevented' });
      await repo.audit({
        tenantId: event.tenantId,
        appointmentId: event.appointmentId,
        action: 'none',
        outcome: 'loop_prevented',
        attempt: 0,
        worker: deps.workerId,
        at: clock.now(),
      });
      return ACK;
    }
    const tenant = await deps.tenants.get(event.tenantId);
    if (!tenant) {
      logger.warn('Event for an unknown tenant; dropped', log);
      return TERM;
    }
    // §6.6: while the tenant's circuit is open, take none of its work (no attempt is spent).
    const skip = async (outcome: 'breaker_open' | 'rate_limited', ms: number) => {
      metrics.attempts.inc({ action: 'none', outcome });
      await repo.audit({
        tenantId: tenant.id,
        appointmentId: event.appointmentId,
        action: 'none',
        outcome,
        attempt: 0,
        worker: deps.workerId,
        at: clock.now(),
      });
      return nak(ms + jitter(0, 250));
    };
    const refuse = deps.breakers.refuseForMs(tenant.id);
    if (refuse > 0) return skip('breaker_open', refuse);
    const wait = deps.limiter.delayFor(tenant.id, tenant.calcomRateLimitPerMinute);
    if (wait > deps.maxInPlaceRateWaitMs) {
      metrics.rateLimitWaits.inc();
      return skip('rate_limited', wait);
    }
    const owner = `${deps.workerId}:${instance}:${++seq}`.slice(0, 64);
    if (!(await repo.tryLock(tenant.id, event.appointmentId, owner, deps.lockSeconds))) {
      return nak(jitter(250, 1000)); // another replica is on it; no attempt spent
    }
    const w: Work = {
      event,
      origin,
      traceparent: ctx.traceparent,
      tenant,
      gateway: deps.gatewayFor(tenant),
      owner,
      log,
      lastAction: 'none',
      confirmed: false,
    };
    try {
      return await underLock(w);
    } finally {
      await repo.unlock(tenant.id, event.appointmentId, owner).catch((err: unknown) => {
        logger.warn('Could not release the appointment lock (it expires)', { ...log, error: err });
      });
    }
  }

  async function underLock(w: Work): Promise<Disposition> {
    const tenantId = w.tenant.id;
    for (let step = 0; step < MAX_STEPS; step++) {
      const row = await repo.load(tenantId, w.event.appointmentId);
      if (!row) {
        logger.warn('Appointment not found; nothing to sync', w.log);
        return TERM;
      }
      if (row.requires_manual_review === 1) return ACK; // a human owns it until retry/resolve
      if (row.synced_version >= row.version && !row.sync_call_in_flight) {
        // Also for a duplicate event: a waiter may be waiting on exactly this version (msgId de-duplicates).
        await publishSynced(w, row);
        return ACK;
      }
      if (step === 0) {
        const backoff = backoffRemainingMs(
          row.sync_attempts,
          row.sync_last_attempt_at,
          row.sync_error_code !== null,
          deps.retryDelaysMs,
          clock.now(),
        );
        if (backoff > 0) return nak(backoff);
      }
      if (row.sync_call_in_flight) {
        const d = await resolveInFlight(w, row);
        if (d) return d;
        continue;
      }
      const decision = decideAction({
        status: row.status,
        start: row.start_at,
        calcomBookingUid: row.calcom_booking_uid,
        lastSyncedStart: row.last_synced_start_at,
        lastSyncedStatus: row.last_synced_status,
      });
      const d = await act(w, row, decision);
      if (d) return d;
    }
    return nak(jitter(250, 1000)); // still changing under us: come back shortly
  }

  async function resolveInFlight(w: Work, row: SyncRow): Promise<Disposition | undefined> {
    const t0 = Date.now();
    try {
      const r = await lookUpInFlight(w, row);
      await recordResolution(deps, w, row, r);
      if (r.happened) observeLatency(w);
      return undefined;
    } catch (err) {
      const failure = classifyFailure(err, (s) => deps.limiter.throttled(w.tenant.id, s));
      const d = await handleFailure(deps, w, {
        row,
        action: 'lookup',
        failure,
        mutating: false,
        durationMs: Date.now() - t0,
      });
      return d === 'reload' ? undefined : d;
    }
  }

  async function act(w: Work, row: SyncRow, decision: Decision): Promise<Disposition | undefined> {
    const tenantId = w.tenant.id;
    const now = clock.now();
    switch (decision.action) {
      case 'none':
      case 'skip':
        await repo.markSynced(
          tenantId,
          row.id,
          row.version,
          decision.action === 'skip' ? 'skipped' : 'synced',
          now,
        );
        await publishSynced(w, row);
        return ACK;
      case 'review': {
        const attempts = await repo.flagForReview(tenantId, row.id, {
          reason: decision.reason,
          errorCode: decision.reason,
          errorMessage: 'The Cal.com booking is cancelled while the local appointment is booked',
          calcomBooking: null,
          countAttempt: false,
          keepInFlight: false,
          now,
        });
        logger.warn('Cal.com sync needs manual review', { ...w.log, reason: decision.reason });
        await deps.publishResult(result(w, row, 'review', attempts, decision.reason, null));
        return TERM;
      }
      case 'create':
      case 'reschedule':
      case 'cancel':
        return call(w, row, decision);
    }
  }

  async function call(
    w: Work,
    row: SyncRow,
    decision: Extract<Decision, { action: 'create' | 'reschedule' | 'cancel' }>,
  ): Promise<Disposition | undefined> {
    const tenantId = w.tenant.id;
    const { action } = decision;
    await repo.renewLock(tenantId, row.id, w.owner, deps.lockSeconds);
    await repo.markInFlight(tenantId, row.id, action, row.start_at);
    const t0 = Date.now();
    try {
      let uid: string;
      let bookingId: number | null;
      let start: Date;
      if (decision.action === 'create') {
        const b = await w.gateway.create(createInput(w, row));
        deps.afterCreateAnswered?.();
        ({ uid, id: bookingId, start } = b);
      } else if (decision.action === 'reschedule') {
        const reason = w.event.event === 'rescheduled' ? w.event.reason : undefined;
        const b = await w.gateway.reschedule(decision.uid, row.start_at, reason);
        ({ uid, id: bookingId, start } = b);
      } else {
        const reason = w.event.reason ?? row.cancel_reason ?? `Cancelled by ${w.tenant.name}`;
        await w.gateway.cancel(decision.uid, reason);
        uid = decision.uid;
        bookingId = row.calcom_booking_id === null ? null : Number(row.calcom_booking_id);
        start = row.last_synced_start_at ?? row.start_at;
      }
      const now = clock.now();
      await repo.recordSuccess(tenantId, row.id, {
        uid,
        bookingId,
        lastSyncedStart: start,
        lastSyncedStatus: action === 'cancel' ? 'cancelled' : 'booked',
        version: row.version,
        countAttempt: true,
        verifiedAt: null,
        now,
      });
      const durationMs = Date.now() - t0;
      await repo.audit({
        tenantId,
        appointmentId: row.id,
        action,
        outcome: 'success',
        attempt: row.sync_attempts + 1,
        httpStatus: action === 'cancel' ? 200 : 201,
        calcomBookingUid: uid,
        durationMs,
        worker: deps.workerId,
        at: now,
      });
      metrics.attempts.inc({ action, outcome: 'success' });
      w.lastAction = action;
      observeLatency(w);
      logger.info('Synced to Cal.com', {
        ...w.log,
        action,
        calcomBookingUid: uid,
        attempt: row.sync_attempts + 1,
        durationMs,
      });
      return undefined;
    } catch (err) {
      const failure = classifyFailure(err, (s) => deps.limiter.throttled(tenantId, s));
      const d = await handleFailure(deps, w, {
        row,
        action,
        failure,
        mutating: true,
        durationMs: Date.now() - t0,
      });
      return d === 'reload' ? undefined : d;
    }
  }

  function observeLatency(w: Work) {
    if (w.confirmed && w.lastAction === 'none') return;
    const seconds = (clock.now().getTime() - Date.parse(w.event.occurredAt)) / 1000;
    if (seconds >= 0) metrics.latency.observe(seconds);
    w.confirmed = true;
  }

  async function publishSynced(w: Work, row: SyncRow) {
    await deps.publishResult(result(w, row, 'synced', row.sync_attempts, null, null, row.calcom_booking_uid));
  }

  return { handle };
}

export type AppointmentSyncer = ReturnType<typeof createAppointmentSyncer>;
