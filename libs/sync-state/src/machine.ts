/**
 * The sync protocol of one appointment as named, pure transitions
 * (state, input) → next state. Every writer of the sync state goes through
 * one of these (see README.md for the table); the store in store.ts runs them
 * under the appointment's row lock. No I/O here.
 *
 * The two rules everything rests on:
 * - A version is recorded as synced only when Cal.com is proven to hold it: a
 *   call's answer, a lookup that finds exactly what the call asked for, or the
 *   call's own webhook (an echo). The version is the one the CALL carried, never
 *   the row's current one.
 * - A result, lookup or echo counts only for the call it belongs to (call id,
 *   the booking it acted on and the start it asked for).
 */
import {
  hasUnsyncedChange,
  sameInstant,
  statusFor,
  type CalcomFact,
  type CallAction,
  type InFlightCall,
  type SyncState,
} from './state';

// ---------------------------------------------------------------- local side (booking-api)

/** A new local appointment: nothing in Cal.com yet. `graceMs`: when the scheduler looks if no event did. */
export function initialLocal(
  local: Pick<SyncState, 'status' | 'start'>,
  now: Date,
  graceMs: number,
): SyncState {
  return {
    ...local,
    version: 1,
    syncedVersion: 0,
    syncStatus: 'pending',
    uid: null,
    bookingId: null,
    calcomStart: null,
    calcomStatus: null,
    call: null,
    attempts: 0,
    lastAttemptAt: null,
    errorCode: null,
    errorMessage: null,
    verifiedAt: null,
    review: null,
    dueAt: new Date(now.getTime() + graceMs),
  };
}

/** An appointment that came from Cal.com: Cal.com holds its first version. */
export function initialFromCalcom(fact: CalcomFact, now: Date): SyncState {
  return {
    ...initialLocal({ status: 'booked', start: fact.start }, now, 0),
    syncedVersion: 1,
    syncStatus: 'synced',
    uid: fact.uid,
    bookingId: fact.bookingId,
    calcomStart: fact.start,
    calcomStatus: 'booked',
    verifiedAt: now,
    dueAt: null,
  };
}

/**
 * A local change Cal.com must hear about. While in review it stays there (a
 * human owns it) unless the change itself resolves the review.
 */
export function localChange(
  s: SyncState,
  change: { status?: SyncState['status']; start?: Date; resolvesReview?: boolean },
  now: Date,
  graceMs: number,
): SyncState {
  const review = change.resolvesReview ? null : s.review;
  const next: SyncState = {
    ...s,
    status: change.status ?? s.status,
    start: change.start ?? s.start,
    version: s.version + 1,
    attempts: 0,
    lastAttemptAt: null,
    errorCode: review ? s.errorCode : null,
    errorMessage: review ? s.errorMessage : null,
    review,
    dueAt: review ? null : new Date(now.getTime() + graceMs),
  };
  return { ...next, syncStatus: statusFor(next) };
}

// ---------------------------------------------------------------- the worker (calcom-sync)

export type Step =
  /** Cal.com is proven to hold the current version. */
  | { kind: 'idle' }
  /** In the review queue: a human decides. */
  | { kind: 'held' }
  /** The previous failure's backoff has not elapsed. */
  | { kind: 'backoff'; waitMs: number }
  /** A call's outcome is unknown: look in Cal.com before anything else. */
  | { kind: 'lookup'; call: InFlightCall }
  | { kind: 'call'; action: 'create' }
  | { kind: 'call'; action: 'reschedule' | 'cancel'; uid: string }
  /** Nothing to do in Cal.com for this version: synced, or skipped (never reached Cal.com). */
  | { kind: 'settle'; status: 'synced' | 'skipped' }
  /** Cal.com's booking is gone while ours stands (only seen via a lookup): a human decides. */
  | { kind: 'review'; reason: 'calcom_cancelled' };

/** How long the backoff after the last failed attempt still runs (SPEC §6.5: 1 s, 5 s, 30 s). */
export function backoffMs(s: SyncState, delaysMs: readonly number[], now: Date): number {
  if (!s.errorCode || s.attempts <= 0 || !s.lastAttemptAt) return 0;
  const delay = delaysMs[s.attempts - 1];
  if (delay === undefined) return 0;
  return Math.max(0, s.lastAttemptAt.getTime() + delay - now.getTime());
}

/** What the worker does next, from the current state alone (SPEC §6.4). */
export function nextStep(s: SyncState, delaysMs: readonly number[], now: Date): Step {
  const wait = backoffMs(s, delaysMs, now);
  // An unknown outcome is resolved first, even in review: a lookup changes nothing in Cal.com.
  if (s.call) return wait > 0 ? { kind: 'backoff', waitMs: wait } : { kind: 'lookup', call: s.call };
  if (s.review) return { kind: 'held' };
  if (s.syncedVersion >= s.version) return { kind: 'idle' };
  if (wait > 0) return { kind: 'backoff', waitMs: wait };
  if (s.status === 'booked') {
    if (!s.uid) return { kind: 'call', action: 'create' };
    if (s.calcomStatus === 'cancelled') return { kind: 'review', reason: 'calcom_cancelled' };
    if (!sameInstant(s.calcomStart, s.start)) return { kind: 'call', action: 'reschedule', uid: s.uid };
    return { kind: 'settle', status: 'synced' };
  }
  if (!s.uid) return { kind: 'settle', status: 'skipped' };
  if (s.calcomStatus !== 'cancelled') return { kind: 'call', action: 'cancel', uid: s.uid };
  return { kind: 'settle', status: 'synced' };
}

/** Recorded (committed) before the mutating call: if we die mid-call, the next worker looks first. */
export function startCall(
  s: SyncState,
  action: CallAction,
  callId: string,
  now: Date,
  leaseMs: number,
): SyncState {
  if (s.call) throw new Error('startCall: a call is already in flight');
  return {
    ...s,
    call: {
      id: callId,
      action,
      version: s.version,
      start: action === 'cancel' ? (s.calcomStart ?? s.start) : s.start,
      fromUid: action === 'create' ? null : s.uid,
    },
    // Should this worker die, the scheduler looks at it once the lease has run out.
    dueAt: new Date(now.getTime() + leaseMs),
  };
}

/** Nothing to do in Cal.com for the current version. */
export function settle(s: SyncState, status: 'synced' | 'skipped'): SyncState {
  return {
    ...s,
    syncedVersion: Math.max(s.syncedVersion, s.version),
    syncStatus: status,
    errorCode: null,
    errorMessage: null,
    dueAt: null,
  };
}

export interface Transition {
  next: SyncState;
  /** The input belonged to another call (already resolved by a lookup or an echo): nothing changed. */
  stale: boolean;
}

const unchanged = (s: SyncState): Transition => ({ next: s, stale: true });
const belongs = (s: SyncState, callId: string): s is SyncState & { call: InFlightCall } =>
  s.call?.id === callId;

/**
 * Cal.com holds what `call` asked for: that version is synced, whatever the row's version is now.
 * `attempts` counts the Cal.com calls made for the row's current version, so a call for a version
 * a local change has since replaced counts for nothing (the new version gets all its attempts).
 */
function proven(
  s: SyncState,
  call: InFlightCall,
  fact: CalcomFact,
  now: Date,
  o: { countAttempt: boolean; verified: boolean },
): SyncState {
  const counted = o.countAttempt && call.version === s.version;
  const next: SyncState = {
    ...s,
    uid: fact.uid,
    bookingId: fact.bookingId ?? s.bookingId,
    calcomStart: call.action === 'cancel' ? (s.calcomStart ?? fact.start) : fact.start,
    calcomStatus: call.action === 'cancel' ? 'cancelled' : 'booked',
    syncedVersion: Math.max(s.syncedVersion, call.version),
    call: null,
    attempts: s.attempts + (counted ? 1 : 0),
    lastAttemptAt: counted ? now : s.lastAttemptAt,
    errorCode: s.review ? s.errorCode : null,
    errorMessage: s.review ? s.errorMessage : null,
    verifiedAt: o.verified ? now : s.verifiedAt,
  };
  const syncStatus = statusFor({ ...next, syncStatus: 'synced' });
  return { ...next, syncStatus, dueAt: syncStatus === 'pending' ? now : null };
}

/**
 * Whether the call in flight still has to be counted as an attempt when a lookup or an echo proves
 * it: not when a failure (outcome unknown) left it in flight, since that failure counted it.
 */
const uncounted = (s: SyncState): boolean => !s.errorCode;

/** Cal.com answered the call. */
export function callSucceeded(s: SyncState, callId: string, fact: CalcomFact, now: Date): Transition {
  if (!belongs(s, callId)) return unchanged(s);
  return { next: proven(s, s.call, fact, now, { countAttempt: true, verified: false }), stale: false };
}

export type CallFailure =
  /** The call never left (breaker open, over budget, 429): no attempt, nothing in flight. */
  | { type: 'not_sent'; retryInMs: number }
  /** 5xx, timeout, network: an attempt; the effect may have happened when `outcomeUnknown`. */
  | { type: 'retryable'; code: string; message: string; outcomeUnknown: boolean }
  /** Retrying cannot fix it (validation, slot taken, 401, 404, 409). */
  | { type: 'permanent'; code: string; message: string }
  /** Cal.com says the booking is already cancelled / rescheduled: look at what it holds. */
  | { type: 'already_done' };

export function flag(
  s: SyncState,
  reason: string,
  o: { calcom?: unknown; errorCode?: string | null; errorMessage?: string | null },
  now: Date,
): SyncState {
  return {
    ...s,
    review: { reason, flaggedAt: now, calcom: o.calcom ?? null },
    syncStatus: 'failed',
    errorCode: o.errorCode ?? reason,
    errorMessage: o.errorMessage ?? s.errorMessage,
    dueAt: null,
  };
}

/**
 * A call (or, with `lookup`, the lookup of an in-flight call) failed. A failed
 * lookup keeps the call: its outcome is still unknown.
 */
export function callFailed(
  s: SyncState,
  callId: string,
  failure: CallFailure,
  delaysMs: readonly number[],
  now: Date,
  lookup = false,
): Transition {
  if (!belongs(s, callId)) return unchanged(s);
  const attempted = { ...s, attempts: s.attempts + 1, lastAttemptAt: now };
  switch (failure.type) {
    case 'not_sent':
      return {
        next: { ...s, call: lookup ? s.call : null, dueAt: new Date(now.getTime() + failure.retryInMs) },
        stale: false,
      };
    case 'already_done':
      return { next: { ...attempted, dueAt: now }, stale: false };
    case 'permanent': {
      // "Slot taken" for a create may be our own earlier create that landed late (a timeout whose
      // effect came after we gave up): look before blaming someone else (lookupResolved decides).
      if (!lookup && s.call.action === 'create' && failure.code === 'slot_taken') {
        const next = { ...attempted, errorCode: failure.code, errorMessage: failure.message };
        return { next: { ...next, dueAt: new Date(now.getTime() + (delaysMs[0] ?? 1000)) }, stale: false };
      }
      const base = { ...attempted, call: lookup ? s.call : null };
      return {
        next: flag(base, failure.code, { errorCode: failure.code, errorMessage: failure.message }, now),
        stale: false,
      };
    }
    case 'retryable': {
      const base: SyncState = {
        ...attempted,
        call: lookup || failure.outcomeUnknown ? s.call : null,
        errorCode: failure.code,
        errorMessage: failure.message,
      };
      if (base.attempts >= delaysMs.length + 1) {
        // An unknown outcome stays recorded: whoever retries later looks before acting.
        return {
          next: flag(
            base,
            'retries_exhausted',
            { errorCode: failure.code, errorMessage: failure.message },
            now,
          ),
          stale: false,
        };
      }
      const delay = delaysMs[base.attempts - 1] ?? delaysMs.at(-1) ?? 1000;
      const next = { ...base, dueAt: new Date(now.getTime() + delay) };
      return { next: { ...next, syncStatus: statusFor(next) }, stale: false };
    }
  }
}

/** What a lookup of an in-flight call found in Cal.com (judged by `judgeLookup`). */
export type LookupFinding =
  /** The call did not happen; Cal.com is as before it. */
  | { kind: 'absent' }
  /** Cal.com holds exactly what the call asked for. */
  | { kind: 'held'; booking: CalcomFact }
  /** Someone else changed the booking first: our call cannot have happened; both versions to a human. */
  | { kind: 'diverged'; booking: CalcomFact; calcom: unknown };

export function lookupResolved(s: SyncState, callId: string, finding: LookupFinding, now: Date): Transition {
  if (!belongs(s, callId)) return unchanged(s);
  switch (finding.kind) {
    case 'absent':
      // The slot is really someone else's: what retrying cannot fix goes to a human.
      if (s.call.action === 'create' && s.errorCode === 'slot_taken')
        return {
          next: flag({ ...s, call: null }, 'slot_taken', { errorCode: 'slot_taken' }, now),
          stale: false,
        };
      return { next: { ...s, call: null, dueAt: now }, stale: false };
    case 'held':
      return {
        next: proven(s, s.call, finding.booking, now, { countAttempt: uncounted(s), verified: true }),
        stale: false,
      };
    case 'diverged': {
      const b = finding.booking;
      const linked = {
        ...s,
        call: null,
        uid: b.uid,
        bookingId: b.bookingId,
        calcomStart: b.start,
        calcomStatus: b.status,
      };
      return {
        next: flag(linked, 'conflict', { calcom: finding.calcom, errorCode: 'conflict' }, now),
        stale: false,
      };
    }
  }
}

/** What a Cal.com booking looks like for a lookup: the fact, and where it was rescheduled to. */
export interface LookedUp extends CalcomFact {
  rescheduledToUid: string | null;
}

/**
 * Judges a lookup (SPEC §6.3, and what a lookup proves): a create is proven by
 * a booking with our metadata at the start we sent; a reschedule only by a
 * successor of the booking we rescheduled AT THE START WE ASKED FOR — a
 * successor elsewhere is a customer's reschedule; a cancel by that booking
 * being cancelled without a successor.
 */
export function judgeLookup(
  call: InFlightCall,
  found: { created?: LookedUp[]; from?: LookedUp | null; successor?: LookedUp | null },
  snapshot: unknown = null,
): LookupFinding {
  switch (call.action) {
    case 'create': {
      const at = (found.created ?? []).filter((b) => sameInstant(b.start, call.start));
      const booking = at.find((b) => b.status === 'booked') ?? at[0];
      return booking ? { kind: 'held', booking: { ...booking, status: 'booked' } } : { kind: 'absent' };
    }
    case 'reschedule': {
      const from = found.from;
      if (!from) return { kind: 'absent' };
      if (from.rescheduledToUid) {
        const next = found.successor;
        if (!next) return { kind: 'absent' };
        return sameInstant(next.start, call.start)
          ? { kind: 'held', booking: { ...next, status: 'booked' } }
          : { kind: 'diverged', booking: next, calcom: snapshot };
      }
      return from.status === 'cancelled'
        ? { kind: 'diverged', booking: from, calcom: snapshot }
        : { kind: 'absent' };
    }
    case 'cancel': {
      const from = found.from;
      if (!from || from.status !== 'cancelled') return { kind: 'absent' };
      if (from.rescheduledToUid && found.successor)
        return { kind: 'diverged', booking: found.successor, calcom: snapshot };
      return { kind: 'held', booking: from };
    }
  }
}

/** Parks work that cannot run now (breaker open, budget spent, backoff) for the scheduler; null: nothing due. */
export function defer(s: SyncState, until: Date | null): SyncState {
  return { ...s, dueAt: until };
}

// ---------------------------------------------------------------- Cal.com side (booking-api's inbound applier)

/** A Cal.com change as a webhook (or reconciliation, which replays one) reports it. */
export interface CalcomChange {
  kind: 'created' | 'rescheduled' | 'cancelled';
  /** The booking the change is about (for a reschedule: the NEW booking). */
  booking: CalcomFact;
  /** A reschedule's old booking. */
  fromUid: string | null;
  /** metadata.appointmentId names this appointment (cancellations carry no metadata). */
  ours: boolean;
}

export type Verdict =
  /** The change is our own call's effect: it proves what Cal.com holds (SPEC §6.2, §6.8). */
  | 'echo'
  /** Already recorded (a redelivery, or the call's answer came first): at most a verification. */
  | 'known'
  /** Ours, not yet linked, no call to prove which version: link it and let the worker compare. */
  | 'link'
  /** A Cal.com change to take over locally: booking-api writes status/start, Cal.com holds the new version. */
  | 'apply'
  /** A Cal.com change on top of an unsynced local change: both versions to a human. */
  | 'conflict'
  /** About a booking this appointment no longer stands on. */
  | 'stale';

export interface CalcomVerdict {
  verdict: Verdict;
  next: SyncState;
}

function holds(s: SyncState, b: CalcomFact, status: SyncState['calcomStatus'], now: Date): SyncState {
  return {
    ...s,
    uid: b.uid,
    bookingId: b.bookingId ?? (b.uid === s.uid ? s.bookingId : null),
    calcomStart: status === 'cancelled' ? (s.calcomStart ?? b.start) : b.start,
    calcomStatus: status,
    verifiedAt: now,
  };
}

/** Decides what a Cal.com change means for this appointment (the applier has it locked). */
export function calcomChange(
  s: SyncState,
  c: CalcomChange,
  now: Date,
  snapshot: unknown = null,
): CalcomVerdict {
  const b = c.booking;
  const call = s.call;
  const verify = (): CalcomVerdict => ({ verdict: 'known', next: { ...s, verifiedAt: s.verifiedAt ?? now } });
  const echo = (status: 'booked' | 'cancelled'): CalcomVerdict => ({
    verdict: 'echo',
    // The echo came before the call's answer.
    next: proven(holds(s, b, status, now), call!, b, now, { countAttempt: uncounted(s), verified: true }),
  });
  const conflict = (status: 'booked' | 'cancelled'): CalcomVerdict => ({
    verdict: 'conflict',
    next: flag(holds(s, b, status, now), 'conflict', { calcom: snapshot, errorCode: 'conflict' }, now),
  });
  const apply = (status: 'booked' | 'cancelled'): CalcomVerdict => {
    const version = s.version + 1;
    const next: SyncState = {
      ...holds(s, b, status, now),
      status,
      start: status === 'cancelled' ? s.start : b.start,
      version,
      syncedVersion: version,
      attempts: 0,
      errorCode: null,
      errorMessage: null,
      dueAt: null,
    };
    return { verdict: 'apply', next: { ...next, syncStatus: statusFor({ ...next, syncStatus: 'synced' }) } };
  };

  switch (c.kind) {
    case 'created': {
      if (s.uid === b.uid) return verify();
      if (!c.ours) return { verdict: 'stale', next: s };
      if (call?.action === 'create' && sameInstant(b.start, call.start)) return echo('booked');
      if (!s.uid && !call) return { verdict: 'link', next: { ...holds(s, b, 'booked', now), dueAt: now } };
      return { verdict: 'stale', next: s };
    }
    case 'rescheduled': {
      if (s.uid === b.uid) return verify();
      if (call?.action === 'reschedule' && call.fromUid === c.fromUid && sameInstant(b.start, call.start))
        return echo('booked');
      if (!c.fromUid || c.fromUid !== s.uid) return { verdict: 'stale', next: s };
      // Moved to exactly where the local state wants it: the sides agree; the worker settles it.
      if (!call && !s.review && s.status === 'booked' && sameInstant(b.start, s.start))
        return { verdict: 'link', next: { ...holds(s, b, 'booked', now), dueAt: now } };
      if (s.review || hasUnsyncedChange(s) || s.status === 'cancelled') return conflict('booked');
      return apply('booked');
    }
    case 'cancelled': {
      if (s.uid !== b.uid) return { verdict: 'stale', next: s };
      if (s.calcomStatus === 'cancelled' && !call) return verify();
      if (call?.action === 'cancel' && call.fromUid === b.uid) return echo('cancelled');
      if (s.status === 'cancelled' && !call) {
        // Both sides cancelled: they agree on the current version.
        const next = {
          ...holds(s, b, 'cancelled', now),
          syncedVersion: s.version,
          errorCode: null,
          errorMessage: null,
        };
        return {
          verdict: 'echo',
          next: { ...next, syncStatus: statusFor({ ...next, syncStatus: 'synced' }), dueAt: null },
        };
      }
      if (s.review || hasUnsyncedChange(s)) return conflict('cancelled');
      return apply('cancelled');
    }
  }
}

// ---------------------------------------------------------------- review actions (booking-api admin API)

/** Retry / keep-local: out of review, attempts reset; `unlink` forgets a booking that is gone in Cal.com. */
export function requestSync(s: SyncState, o: { unlink: boolean }, now: Date): SyncState {
  const base: SyncState = {
    ...s,
    review: null,
    attempts: 0,
    lastAttemptAt: null,
    errorCode: null,
    errorMessage: null,
    // The worker decides from what Cal.com holds; this only makes it look.
    syncedVersion: Math.min(s.syncedVersion, s.version - 1),
    syncStatus: 'pending',
    dueAt: now,
  };
  return o.unlink
    ? { ...base, uid: null, bookingId: null, calcomStart: null, calcomStatus: null, verifiedAt: null }
    : base;
}

/** Keep-Cal.com: Cal.com's booking becomes the local state (booking-api writes status/start). */
export function keepCalcom(s: SyncState, fact: CalcomFact, now: Date): SyncState {
  const version = s.version + 1;
  return {
    ...holds({ ...s, review: null }, fact, fact.status, now),
    calcomStart: fact.start,
    status: fact.status,
    start: fact.start,
    version,
    syncedVersion: version,
    syncStatus: 'synced',
    attempts: 0,
    errorCode: null,
    errorMessage: null,
    dueAt: null,
  };
}

/** Dismiss: out of the queue, the state stays as it is (and says so). */
export function dismiss(s: SyncState): SyncState {
  return { ...s, review: null, dueAt: null, syncStatus: s.syncedVersion >= s.version ? 'synced' : 'failed' };
}
