/**
 * The worker for one appointment (SPEC §6). An event or the scheduler only says
 * "look at this appointment": under the appointment's lease the worker reads
 * the CURRENT state and asks the sync-state machine for the next step, so
 * duplicate, late and reordered events are harmless and replicas can run side
 * by side. Every state change is a named transition of @calsync/sync-state,
 * run on the locked row; starting a call also checks the lease, so a worker
 * that lost it starts nothing. Work that cannot run now (open breaker, spent
 * budget, backoff) is parked in MySQL (`sync_due_at`) and the message acked,
 * so one tenant's backlog never holds the consumer's slots.
 */
import type { AppointmentEventV1, Origin } from '@calsync/contracts';
import { randomUUID } from 'node:crypto';
import {
  callFailed,
  callSucceeded,
  defer,
  flag,
  LeaseLostError,
  lookupResolved,
  nextStep,
  settle,
  startCall,
  type CalcomFact,
  type InFlightCall,
  type Locked,
  type SyncState,
  type Transition,
} from '@calsync/sync-state';
import { createInput } from './booking-input';
import { ACK, nak, TERM, type Disposition, type SyncDeps, type Trigger, type Work } from './context';
import { outcomeOf, result, toMachineFailure } from './failures';
import { lookUp } from './in-flight';
import { classifyFailure } from './outcome';
import { failedOutcome } from '../metrics';

export const LOOP_PREVENTION_LOG = 'Skipping Cal.com sync (loop prevention)';
const MAX_STEPS = 6;

export interface MessageContext {
  /** Sync-Origin header (falls back to the payload's origin). */
  origin: Origin | undefined;
  traceparent: string | undefined;
}

const jitter = (min: number, max: number) => min + Math.floor(Math.random() * (max - min));
const traceIdOf = (tp: string | undefined) => (tp ? tp.slice(3, 35) : undefined);

export function createAppointmentSyncer(deps: SyncDeps) {
  const { store, logger, metrics, clock } = deps;
  const instance = randomUUID().slice(0, 8);
  const leaseMs = deps.lockSeconds * 1000;
  let seq = 0;

  /** An APPOINTMENTS event. */
  async function handle(event: AppointmentEventV1, ctx: MessageContext): Promise<Disposition> {
    const origin = ctx.origin ?? event.origin;
    // §6.1: a change that came from Cal.com never goes back to it. Either marker suffices.
    if (origin === 'calcom' || event.origin === 'calcom') {
      logger.info(LOOP_PREVENTION_LOG, {
        tenant: event.tenantId,
        appointmentId: event.appointmentId,
        origin,
        traceId: traceIdOf(ctx.traceparent),
        event: event.event,
      });
      metrics.loopPrevented.inc();
      metrics.attempts.inc({ action: 'none', outcome: 'loop_prevented' });
      return ACK;
    }
    return run(event.tenantId, event.appointmentId, { origin, traceparent: ctx.traceparent, event });
  }

  /** Brings Cal.com to the appointment's current state (events and the scheduler both land here). */
  async function run(tenantId: string, appointmentId: string, trigger: Trigger): Promise<Disposition> {
    const log = {
      tenant: tenantId,
      appointmentId,
      origin: trigger.origin,
      traceId: traceIdOf(trigger.traceparent),
      event: trigger.event?.event ?? 'scheduled',
    };
    const tenant = await deps.tenants.get(tenantId);
    if (!tenant) {
      logger.warn('Sync for an unknown tenant; dropped', log);
      return TERM;
    }
    // §6.6/§6.7: a blocked tenant's work waits in MySQL, not in the consumer (no attempt is spent).
    const blocked = deps.gate.blocked(tenant.id, tenant.calcomRateLimitPerMinute);
    if (blocked) {
      if (blocked.why === 'rate_limited') metrics.rateLimitWaits.inc({ tenant: tenantId });
      metrics.attempts.inc({ action: 'none', outcome: blocked.why });
      await parkUntil(tenantId, appointmentId, blocked.ms + jitter(0, 250));
      return ACK;
    }
    const owner = `${deps.workerId}:${instance}:${++seq}`.slice(0, 64);
    if (!(await store.lease.acquire(tenantId, appointmentId, owner, deps.lockSeconds))) {
      return nak(jitter(250, 1000)); // another worker is on it; no attempt spent
    }
    const w: Work = {
      tenant,
      appointmentId,
      trigger,
      gateway: deps.gatewayFor(tenant),
      owner,
      log,
      lost: false,
      lastAction: 'none',
      confirmed: false,
    };
    const heartbeat = setInterval(() => {
      store.lease
        .renew(tenantId, appointmentId, owner, deps.lockSeconds)
        .then((ok) => void (ok || (w.lost = true)))
        .catch(() => (w.lost = true));
    }, leaseMs / 3);
    try {
      return await drive(w);
    } catch (err) {
      if (!(err instanceof LeaseLostError)) throw err;
      logger.warn('Appointment lease lost; another worker carries on', log);
      return ACK;
    } finally {
      clearInterval(heartbeat);
      await store.lease.release(tenantId, appointmentId, owner).catch((err: unknown) => {
        logger.warn('Could not release the appointment lease (it expires)', { ...log, error: err });
      });
    }
  }

  async function parkUntil(tenantId: string, id: string, ms: number) {
    const until = new Date(clock.now().getTime() + ms);
    await store.transact(tenantId, id, clock.now(), ({ state }) => ({
      next: state.dueAt && state.dueAt >= until ? null : defer(state, until),
      result: undefined,
    }));
  }

  /** One transition on the locked row; throws LeaseLostError when the lease is gone. */
  async function transition<R>(
    w: Work,
    fn: (l: Locked) => { next: SyncState | null; result: R },
    needLease = false,
  ) {
    if (w.lost) throw new LeaseLostError(w.appointmentId);
    const done = await store.transact(w.tenant.id, w.appointmentId, clock.now(), fn, {
      leaseOwner: needLease ? w.owner : undefined,
    });
    if (!done) throw new GoneError();
    return done;
  }

  async function drive(w: Work): Promise<Disposition> {
    try {
      for (let i = 0; i < MAX_STEPS; i++) {
        if (w.lost) throw new LeaseLostError(w.appointmentId);
        const cur = await store.read(w.tenant.id, w.appointmentId);
        if (!cur) throw new GoneError();
        const d = await step(w, cur);
        if (d) return d;
      }
      return nak(jitter(250, 1000)); // still changing under us: come back shortly
    } catch (err) {
      if (!(err instanceof GoneError)) throw err;
      logger.warn('Appointment not found; nothing to sync', w.log);
      return TERM;
    }
  }

  async function step(w: Work, cur: Locked): Promise<Disposition | undefined> {
    const s = cur.state;
    const next = nextStep(s, deps.retryDelaysMs, clock.now());
    switch (next.kind) {
      case 'idle':
        if (s.dueAt) await transition(w, ({ state }) => ({ next: defer(state, null), result: undefined }));
        // Also for a duplicate event: a waiter may be waiting on exactly this version (msgId de-duplicates).
        await publish(w, s, 'synced');
        return ACK;
      case 'held':
        if (s.dueAt) await transition(w, ({ state }) => ({ next: defer(state, null), result: undefined }));
        return ACK;
      case 'backoff':
        await parkUntil(w.tenant.id, w.appointmentId, next.waitMs);
        return ACK;
      case 'settle': {
        const done = await transition(
          w,
          ({ state }) => {
            const again = nextStep(state, deps.retryDelaysMs, clock.now());
            return again.kind === 'settle'
              ? { next: settle(state, again.status), result: true }
              : { next: null, result: false };
          },
          true,
        );
        if (!done.result) return undefined;
        await publish(w, done.after, 'synced');
        return ACK;
      }
      case 'review': {
        const done = await transition(
          w,
          ({ state }) => ({
            next: flag(
              state,
              next.reason,
              { errorMessage: 'The Cal.com booking is cancelled while the local appointment is booked' },
              clock.now(),
            ),
            result: undefined,
          }),
          true,
        );
        logger.warn('Cal.com sync needs manual review', { ...w.log, reason: next.reason });
        await publish(w, done.after, 'review');
        return ACK;
      }
      case 'lookup':
        return lookup(w, cur, next.call);
      case 'call':
        return call(w, next.action);
    }
  }

  /** After a transition that may have ended the work: publish its outcome and say whether to stop. */
  async function settleOutcome(w: Work, t: Transition, after: SyncState): Promise<Disposition | undefined> {
    if (t.stale) return undefined; // someone else recorded it: re-read and go on
    const outcome = outcomeOf(after);
    if (outcome === 'review' || outcome === 'failed') {
      logger.warn(
        outcome === 'failed'
          ? 'Cal.com sync failed after the last attempt'
          : 'Cal.com sync needs manual review',
        {
          ...w.log,
          reason: after.review?.reason,
          code: after.errorCode,
          attempts: after.attempts,
        },
      );
      await publish(w, after, outcome);
      return ACK;
    }
    // Parked (backoff, refused call): the scheduler comes back at sync_due_at.
    if (after.dueAt && after.dueAt.getTime() > clock.now().getTime()) return ACK;
    // The state this transition wrote under the lock needs nothing more: no need to read it back.
    // A change committed since brings its own event, which runs once our lease is released.
    if (!after.dueAt && nextStep(after, deps.retryDelaysMs, clock.now()).kind === 'idle') {
      await publish(w, after, 'synced');
      return ACK;
    }
    return undefined;
  }

  async function lookup(w: Work, cur: Locked, call: InFlightCall): Promise<Disposition | undefined> {
    const t0 = Date.now();
    try {
      const finding = await lookUp(w.gateway, cur.row, call);
      const done = await transition(w, ({ state }) => {
        const t = lookupResolved(state, call.id, finding, clock.now());
        return { next: t.stale ? null : t.next, result: t };
      });
      await audit(w, 'lookup', finding.kind, done.after, {
        durationMs: Date.now() - t0,
        uid: done.after.uid,
      });
      logger.info('In-flight Cal.com call looked up', {
        ...w.log,
        action: call.action,
        finding: finding.kind,
      });
      if (!done.result.stale && finding.kind === 'held') {
        w.lastAction = call.action;
        observeLatency(w);
      }
      return settleOutcome(w, done.result, done.after);
    } catch (err) {
      if (err instanceof LeaseLostError || err instanceof GoneError) throw err;
      return failed(w, call, err, t0, true);
    }
  }

  async function call(w: Work, action: 'create' | 'reschedule' | 'cancel'): Promise<Disposition | undefined> {
    const callId = randomUUID();
    const now = clock.now();
    // The call is recorded, with the version and start it carries, before it is made (and only under our lease).
    const started = await transition(
      w,
      ({ state }) => {
        const again = nextStep(state, deps.retryDelaysMs, now);
        if (again.kind !== 'call' || again.action !== action) return { next: null, result: false };
        return { next: startCall(state, action, callId, now, leaseMs), result: true };
      },
      true,
    );
    if (!started.result) return undefined;
    const row = started.before.row;
    const sent = started.after.call!;
    const t0 = Date.now();
    try {
      let fact: CalcomFact;
      if (action === 'create') {
        const b = await w.gateway.create({ ...createInput(w.tenant.id, row), start: sent.start });
        deps.afterCreateAnswered?.();
        fact = { uid: b.uid, bookingId: b.id, start: b.start, status: 'booked' };
      } else if (action === 'reschedule') {
        const reason = w.trigger.event?.event === 'rescheduled' ? w.trigger.event.reason : undefined;
        const b = await w.gateway.reschedule(sent.fromUid!, sent.start, reason);
        fact = { uid: b.uid, bookingId: b.id, start: b.start, status: 'booked' };
      } else {
        const reason = w.trigger.event?.reason ?? row.cancel_reason ?? `Cancelled by ${w.tenant.name}`;
        await w.gateway.cancel(sent.fromUid!, reason);
        fact = {
          uid: sent.fromUid!,
          bookingId: started.before.state.bookingId,
          start: sent.start,
          status: 'cancelled',
        };
      }
      const done = await transition(w, ({ state }) => {
        const t = callSucceeded(state, callId, fact, clock.now());
        return { next: t.stale ? null : t.next, result: t };
      });
      const durationMs = Date.now() - t0;
      metrics.attempts.inc({ action, outcome: 'success' });
      await audit(w, action, 'success', done.after, {
        durationMs,
        uid: fact.uid,
        httpStatus: action === 'cancel' ? 200 : 201,
      });
      w.lastAction = action;
      observeLatency(w);
      logger.info('Synced to Cal.com', {
        ...w.log,
        action,
        calcomBookingUid: fact.uid,
        durationMs,
        echoFirst: done.result.stale,
      });
      return settleOutcome(w, done.result, done.after);
    } catch (err) {
      if (err instanceof LeaseLostError || err instanceof GoneError) throw err;
      return failed(w, sent, err, t0, false);
    }
  }

  async function failed(
    w: Work,
    call: InFlightCall,
    err: unknown,
    t0: number,
    lookup: boolean,
  ): Promise<Disposition | undefined> {
    const failure = classifyFailure(err, (s) => deps.limiter.throttled(w.tenant.id, s));
    const done = await transition(w, ({ state }) => {
      const t = callFailed(
        state,
        call.id,
        toMachineFailure(failure),
        deps.retryDelaysMs,
        clock.now(),
        lookup,
      );
      return { next: t.stale ? null : t.next, result: t };
    });
    const action = lookup ? 'lookup' : call.action;
    const outcome =
      failure.type === 'retryable'
        ? 'retryable_error'
        : failure.type === 'permanent'
          ? failedOutcome(failure.code)
          : failure.type;
    metrics.attempts.inc({ action: call.action, outcome });
    if (failure.type === 'rate_limited') metrics.rateLimitWaits.inc({ tenant: w.tenant.id });
    // A call that never left (breaker, budget, 429) is no attempt and leaves no audit row.
    if (failure.type !== 'breaker_open' && failure.type !== 'rate_limited') {
      await audit(w, action, outcome, done.after, {
        durationMs: Date.now() - t0,
        httpStatus: 'httpStatus' in failure ? failure.httpStatus : null,
        code: 'code' in failure ? failure.code : null,
        message: 'message' in failure ? failure.message : null,
      });
    }
    if (failure.type === 'retryable' && !done.after.review)
      logger.warn('Cal.com sync failed, will retry', {
        ...w.log,
        action,
        code: failure.code,
        attempts: done.after.attempts,
      });
    return settleOutcome(w, done.result, done.after);
  }

  async function audit(
    w: Work,
    action: string,
    outcome: string,
    s: SyncState,
    o: {
      durationMs?: number;
      uid?: string | null;
      httpStatus?: number | null;
      code?: string | null;
      message?: string | null;
    },
  ) {
    await deps.attempts
      .audit({
        tenantId: w.tenant.id,
        appointmentId: w.appointmentId,
        action,
        outcome,
        attempt: s.attempts,
        httpStatus: o.httpStatus ?? null,
        errorCode: o.code ?? null,
        errorMessage: o.message ?? null,
        calcomBookingUid: o.uid ?? null,
        durationMs: o.durationMs ?? null,
        worker: deps.workerId,
        at: clock.now(),
      })
      .catch((err: unknown) => logger.warn('Could not write the attempts audit', { ...w.log, error: err }));
  }

  function observeLatency(w: Work) {
    if (w.confirmed || !w.trigger.event) return;
    const seconds = (clock.now().getTime() - Date.parse(w.trigger.event.occurredAt)) / 1000;
    if (seconds >= 0) metrics.latency.observe(seconds);
    w.confirmed = true;
  }

  async function publish(w: Work, s: SyncState, outcome: 'synced' | 'failed' | 'review') {
    await deps.publishResult(result(w, w.appointmentId, s, outcome));
  }

  return { handle, run };
}

/** The appointment row is gone (cannot happen in production: appointments are never deleted). */
class GoneError extends Error {
  override name = 'GoneError';
}

export type AppointmentSyncer = ReturnType<typeof createAppointmentSyncer>;
