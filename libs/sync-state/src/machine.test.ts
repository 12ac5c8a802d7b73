/**
 * One test (at least) per transition of the sync-state machine, and the
 * sequences of issue 8 replayed at the pure level.
 */
import {
  calcomChange,
  callFailed,
  callSucceeded,
  defer,
  dismiss,
  initialFromCalcom,
  initialLocal,
  judgeLookup,
  keepCalcom,
  localChange,
  lookupResolved,
  nextStep,
  requestSync,
  settle,
  startCall,
} from './machine';
import type { SyncState } from './state';

const T0 = new Date('2050-01-01T10:00:00Z');
const at = (min: number) => new Date(T0.getTime() + min * 60_000);
const DELAYS = [1000, 5000, 30_000];
const now = new Date('2049-12-01T00:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms);

/** A booked appointment at `start` that Cal.com holds as `uid` (version 1 synced). */
function synced(start = at(0), uid = 'u1'): SyncState {
  return initialFromCalcom({ uid, bookingId: 1, start, status: 'booked' }, now);
}

describe('local side', () => {
  it('a new local appointment is pending and due at the scheduler after the grace period', () => {
    const s = initialLocal({ status: 'booked', start: at(0) }, now, 15_000);
    expect(s).toMatchObject({ version: 1, syncedVersion: 0, syncStatus: 'pending', uid: null });
    expect(s.dueAt).toEqual(later(15_000));
  });

  it('one from Cal.com starts synced, linked and verified', () => {
    expect(synced()).toMatchObject({
      version: 1,
      syncedVersion: 1,
      syncStatus: 'synced',
      uid: 'u1',
      dueAt: null,
    });
  });

  it('a local change bumps the version, resets attempts and is pending', () => {
    const s = localChange({ ...synced(), attempts: 2, errorCode: 'x' }, { start: at(60) }, now, 15_000);
    expect(s).toMatchObject({
      version: 2,
      syncStatus: 'pending',
      attempts: 0,
      errorCode: null,
      start: at(60),
    });
  });

  it('a local change of an appointment in review stays in review (failed), unless it resolves the review', () => {
    const flagged = {
      ...synced(),
      review: { reason: 'conflict', flaggedAt: now, calcom: null },
      syncStatus: 'failed' as const,
    };
    expect(localChange(flagged, { status: 'cancelled' }, now, 0)).toMatchObject({
      syncStatus: 'failed',
      dueAt: null,
    });
    expect(localChange(flagged, { status: 'cancelled', resolvesReview: true }, now, 0)).toMatchObject({
      syncStatus: 'pending',
      review: null,
    });
  });
});

describe('the worker', () => {
  it('decides create, reschedule, cancel, skip and settle from the current state', () => {
    const fresh = initialLocal({ status: 'booked', start: at(0) }, now, 0);
    expect(nextStep(fresh, DELAYS, now)).toEqual({ kind: 'call', action: 'create' });
    expect(nextStep(localChange(synced(), { start: at(30) }, now, 0), DELAYS, now)).toEqual({
      kind: 'call',
      action: 'reschedule',
      uid: 'u1',
    });
    expect(nextStep(localChange(synced(), { status: 'cancelled' }, now, 0), DELAYS, now)).toEqual({
      kind: 'call',
      action: 'cancel',
      uid: 'u1',
    });
    expect(nextStep(localChange(fresh, { status: 'cancelled' }, now, 0), DELAYS, now)).toEqual({
      kind: 'settle',
      status: 'skipped',
    });
    expect(nextStep(synced(), DELAYS, now)).toEqual({ kind: 'idle' });
    const sameStart = localChange(synced(), { start: at(0) }, now, 0);
    expect(nextStep(sameStart, DELAYS, now)).toEqual({ kind: 'settle', status: 'synced' });
    expect(settle(sameStart, 'synced')).toMatchObject({
      syncedVersion: 2,
      syncStatus: 'synced',
      dueAt: null,
    });
  });

  it('resolves an in-flight call before anything else, even in review, but waits out the backoff', () => {
    const s = startCall(localChange(synced(), { start: at(30) }, now, 0), 'reschedule', 'c1', now, 30_000);
    expect(
      nextStep({ ...s, review: { reason: 'conflict', flaggedAt: now, calcom: null } }, DELAYS, now).kind,
    ).toBe('lookup');
    const failed = callFailed(
      s,
      'c1',
      { type: 'retryable', code: 'calcom_500', message: 'x', outcomeUnknown: true },
      DELAYS,
      now,
    ).next;
    expect(nextStep(failed, DELAYS, later(500))).toEqual({ kind: 'backoff', waitMs: 500 });
    expect(nextStep(failed, DELAYS, later(1000)).kind).toBe('lookup');
  });

  it('startCall records the call with the version, start and booking it carries', () => {
    const s = startCall(localChange(synced(), { start: at(30) }, now, 0), 'reschedule', 'c1', now, 30_000);
    expect(s.call).toEqual({ id: 'c1', action: 'reschedule', version: 2, start: at(30), fromUid: 'u1' });
    expect(s.dueAt).toEqual(later(30_000));
    expect(() => startCall(s, 'cancel', 'c2', now, 1)).toThrow();
  });

  it('a success records the version the call carried, not a newer local one', () => {
    const s = startCall(localChange(synced(), { start: at(30) }, now, 0), 'reschedule', 'c1', now, 30_000);
    const moved = localChange(s, { status: 'cancelled' }, now, 0); // v3 while the call runs
    const t = callSucceeded(moved, 'c1', { uid: 'u2', bookingId: 2, start: at(30), status: 'booked' }, now);
    expect(t.next).toMatchObject({
      syncedVersion: 2,
      version: 3,
      syncStatus: 'pending',
      uid: 'u2',
      call: null,
    });
    expect(nextStep(t.next, DELAYS, now)).toEqual({ kind: 'call', action: 'cancel', uid: 'u2' });
  });

  it('a result for another call changes nothing (stale)', () => {
    const s = startCall(localChange(synced(), { start: at(30) }, now, 0), 'reschedule', 'c1', now, 30_000);
    const t = callSucceeded(s, 'other', { uid: 'u2', bookingId: 2, start: at(30), status: 'booked' }, now);
    expect(t).toEqual({ next: s, stale: true });
    expect(callFailed(s, 'other', { type: 'already_done' }, DELAYS, now).stale).toBe(true);
    expect(lookupResolved(s, 'other', { kind: 'absent' }, now).stale).toBe(true);
  });

  describe('callFailed', () => {
    const running = () =>
      startCall(initialLocal({ status: 'booked', start: at(0) }, now, 0), 'create', 'c1', now, 30_000);
    it('a call that never left (breaker, budget, 429) is no attempt and nothing is in flight', () => {
      const t = callFailed(running(), 'c1', { type: 'not_sent', retryInMs: 4000 }, DELAYS, now);
      expect(t.next).toMatchObject({ attempts: 0, call: null, dueAt: later(4000) });
    });
    it('a 5xx counts an attempt, keeps an unknown outcome and is due after the backoff', () => {
      const t = callFailed(
        running(),
        'c1',
        { type: 'retryable', code: 'calcom_500', message: 'x', outcomeUnknown: true },
        DELAYS,
        now,
      );
      expect(t.next).toMatchObject({
        attempts: 1,
        errorCode: 'calcom_500',
        syncStatus: 'pending',
        dueAt: later(1000),
      });
      expect(t.next.call?.id).toBe('c1');
    });
    it('the last attempt goes to review as failed, keeping an unknown outcome to look up later', () => {
      const s = { ...running(), attempts: 3 };
      const t = callFailed(
        s,
        'c1',
        { type: 'retryable', code: 'calcom_timeout', message: 'x', outcomeUnknown: true },
        DELAYS,
        now,
      );
      expect(t.next).toMatchObject({
        attempts: 4,
        syncStatus: 'failed',
        errorCode: 'calcom_timeout',
        review: { reason: 'retries_exhausted' },
      });
      expect(t.next.call).not.toBeNull();
    });
    it('what retrying cannot fix goes to review at once, with the reason as the error code', () => {
      const t = callFailed(
        running(),
        'c1',
        { type: 'permanent', code: 'validation', message: 'bad' },
        DELAYS,
        now,
      );
      expect(t.next).toMatchObject({
        attempts: 1,
        syncStatus: 'failed',
        errorCode: 'validation',
        call: null,
        review: { reason: 'validation' },
      });
    });
    it('"slot taken" for a create first looks for our own late booking; only when there is none does it go to review', () => {
      const t = callFailed(
        running(),
        'c1',
        { type: 'permanent', code: 'slot_taken', message: 'busy' },
        DELAYS,
        now,
      );
      expect(t.next).toMatchObject({ attempts: 1, errorCode: 'slot_taken', review: null });
      expect(nextStep(t.next, DELAYS, later(1000)).kind).toBe('lookup');
      const mine = lookupResolved(
        t.next,
        'c1',
        { kind: 'held', booking: { uid: 'u1', bookingId: 1, start: at(0), status: 'booked' } },
        now,
      );
      expect(mine.next).toMatchObject({ syncStatus: 'synced', uid: 'u1', errorCode: null, review: null });
      const theirs = lookupResolved(t.next, 'c1', { kind: 'absent' }, now);
      expect(theirs.next).toMatchObject({
        syncStatus: 'failed',
        errorCode: 'slot_taken',
        call: null,
        review: { reason: 'slot_taken' },
      });
    });
    it('"already done" keeps the call and looks at what Cal.com holds', () => {
      const t = callFailed(running(), 'c1', { type: 'already_done' }, DELAYS, now);
      expect(t.next.call?.id).toBe('c1');
      expect(nextStep(t.next, DELAYS, now).kind).toBe('lookup');
    });
  });
});

describe('lookups (what a lookup proves)', () => {
  const reschedule = () =>
    startCall(localChange(synced(at(0)), { start: at(30) }, now, 0), 'reschedule', 'c1', now, 30_000);
  const booking = (
    uid: string,
    start: Date,
    extra: Partial<{ status: 'booked' | 'cancelled'; rescheduledToUid: string | null }> = {},
  ) => ({
    uid,
    bookingId: 9,
    start,
    status: extra.status ?? ('booked' as const),
    rescheduledToUid: extra.rescheduledToUid ?? null,
  });

  it('a create is proven by our booking at the start we sent', () => {
    const call = { id: 'c', action: 'create' as const, version: 1, start: at(0), fromUid: null };
    expect(judgeLookup(call, { created: [booking('x', at(0))] }).kind).toBe('held');
    expect(judgeLookup(call, { created: [] }).kind).toBe('absent');
  });

  it('a reschedule is proven only by a successor at the start we asked for', () => {
    const call = reschedule().call!;
    const from = booking('u1', at(0), { status: 'cancelled', rescheduledToUid: 'u2' });
    expect(judgeLookup(call, { from, successor: booking('u2', at(30)) }).kind).toBe('held');
    // Issue 8 #2: a customer's reschedule elsewhere is not ours.
    expect(judgeLookup(call, { from, successor: booking('u2', at(600)) }).kind).toBe('diverged');
    expect(judgeLookup(call, { from: booking('u1', at(0)) }).kind).toBe('absent');
  });

  it('a cancel is proven by the booking being cancelled; moved away by a customer, it diverged', () => {
    const s = startCall(localChange(synced(), { status: 'cancelled' }, now, 0), 'cancel', 'c1', now, 1);
    expect(judgeLookup(s.call!, { from: booking('u1', at(0), { status: 'cancelled' }) }).kind).toBe('held');
    expect(judgeLookup(s.call!, { from: booking('u1', at(0)) }).kind).toBe('absent');
    expect(
      judgeLookup(s.call!, {
        from: booking('u1', at(0), { status: 'cancelled', rescheduledToUid: 'u2' }),
        successor: booking('u2', at(5)),
      }).kind,
    ).toBe('diverged');
  });

  it('issue 8 #1: a create found after a lost answer is synced at the CALL version, so a later cancel still goes out', () => {
    const created = startCall(
      initialLocal({ status: 'booked', start: at(0) }, now, 0),
      'create',
      'c1',
      now,
      30_000,
    );
    const lost = callFailed(
      created,
      'c1',
      { type: 'retryable', code: 'calcom_network', message: 'x', outcomeUnknown: true },
      DELAYS,
      now,
    ).next;
    const cancelled = localChange(lost, { status: 'cancelled' }, now, 0); // version 2
    const found = lookupResolved(
      cancelled,
      'c1',
      { kind: 'held', booking: { uid: 'u1', bookingId: 1, start: at(0), status: 'booked' } },
      later(2000),
    ).next;
    expect(found).toMatchObject({ syncedVersion: 1, version: 2, uid: 'u1', call: null });
    expect(nextStep(found, DELAYS, later(2000))).toEqual({ kind: 'call', action: 'cancel', uid: 'u1' });
  });

  it('issue 8 #2: a diverged lookup goes to review with both versions, linked to where Cal.com holds it', () => {
    const s = reschedule();
    const t = lookupResolved(
      s,
      'c1',
      {
        kind: 'diverged',
        booking: { uid: 'u2', bookingId: 3, start: at(600), status: 'booked' },
        calcom: { uid: 'u2' },
      },
      now,
    );
    expect(t.next).toMatchObject({
      syncStatus: 'failed',
      errorCode: 'conflict',
      uid: 'u2',
      calcomStart: at(600),
      call: null,
      syncedVersion: 1,
    });
    expect(t.next.review).toMatchObject({ reason: 'conflict', calcom: { uid: 'u2' } });
  });

  it('an absent call is forgotten and acted on again', () => {
    const t = lookupResolved(reschedule(), 'c1', { kind: 'absent' }, now);
    expect(t.next.call).toBeNull();
    expect(nextStep(t.next, DELAYS, now).kind).toBe('call');
  });

  it('issue 8 #4: a reschedule that failed after Cal.com did it is looked up, never sent twice', () => {
    const s = reschedule();
    const failed = callFailed(
      s,
      'c1',
      { type: 'retryable', code: 'internal', message: 'x', outcomeUnknown: true },
      DELAYS,
      now,
    ).next;
    expect(nextStep(failed, DELAYS, later(1000))).toEqual({ kind: 'lookup', call: s.call });
  });
});

describe('Cal.com changes (the inbound applier)', () => {
  it('issue 8 #3: our reschedule webhook before the answer is an echo that proves the call version', () => {
    const s = startCall(localChange(synced(), { start: at(30) }, now, 0), 'reschedule', 'c1', now, 30_000);
    const v = calcomChange(
      s,
      {
        kind: 'rescheduled',
        booking: { uid: 'u2', bookingId: 2, start: at(30), status: 'booked' },
        fromUid: 'u1',
        ours: true,
      },
      now,
    );
    expect(v.verdict).toBe('echo');
    expect(v.next).toMatchObject({
      syncedVersion: 2,
      syncStatus: 'synced',
      uid: 'u2',
      call: null,
      review: null,
    });
    // The call's own answer then finds its call resolved: nothing changes.
    expect(
      callSucceeded(v.next, 'c1', { uid: 'u2', bookingId: 2, start: at(30), status: 'booked' }, now).stale,
    ).toBe(true);
  });

  it('issue 8 #3: a created echo proves the create, so a customer change after it is applied, not a conflict', () => {
    const s = startCall(
      initialLocal({ status: 'booked', start: at(0) }, now, 0),
      'create',
      'c1',
      now,
      30_000,
    );
    const echo = calcomChange(
      s,
      {
        kind: 'created',
        booking: { uid: 'u1', bookingId: 1, start: at(0), status: 'booked' },
        fromUid: null,
        ours: true,
      },
      now,
    );
    expect(echo.verdict).toBe('echo');
    const moved = calcomChange(
      echo.next,
      {
        kind: 'rescheduled',
        booking: { uid: 'u2', bookingId: 2, start: at(90), status: 'booked' },
        fromUid: 'u1',
        ours: true,
      },
      now,
    );
    expect(moved.verdict).toBe('apply');
    expect(moved.next).toMatchObject({
      version: 2,
      syncedVersion: 2,
      start: at(90),
      uid: 'u2',
      syncStatus: 'synced',
    });
  });

  describe('attempts count the Cal.com calls made for the current version (SPEC §4.2 shows 1 after a push)', () => {
    const createEcho = {
      kind: 'created' as const,
      booking: { uid: 'u1', bookingId: 1, start: at(0), status: 'booked' as const },
      fromUid: null,
      ours: true,
    };
    const creating = () =>
      startCall(initialLocal({ status: 'booked', start: at(0) }, now, 0), 'create', 'c1', now, 30_000);

    it('an echo that beats the answer counts its call once: the answer after it changes nothing', () => {
      const echo = calcomChange(creating(), createEcho, later(200));
      expect(echo.verdict).toBe('echo');
      expect(echo.next).toMatchObject({ attempts: 1, lastAttemptAt: later(200), syncStatus: 'synced' });
      const answer = callSucceeded(echo.next, 'c1', createEcho.booking, later(300));
      expect(answer).toMatchObject({ stale: true, next: { attempts: 1 } });
    });

    it('the answer without an echo counts the call the same way', () => {
      const t = callSucceeded(creating(), 'c1', createEcho.booking, later(300));
      expect(t.next).toMatchObject({ attempts: 1, lastAttemptAt: later(300), syncStatus: 'synced' });
    });

    it('an echo of a call whose failure (outcome unknown) already counted it does not count it again', () => {
      const failed = callFailed(
        creating(),
        'c1',
        { type: 'retryable', code: 'calcom_timeout', message: 'x', outcomeUnknown: true },
        DELAYS,
        later(100),
      ).next;
      expect(failed.attempts).toBe(1);
      const echo = calcomChange(failed, createEcho, later(200));
      expect(echo.verdict).toBe('echo');
      expect(echo.next).toMatchObject({ attempts: 1, lastAttemptAt: later(100), errorCode: null });
    });

    it('a call for a version a local change has replaced leaves the new version all its attempts', () => {
      const s = startCall(localChange(synced(), { start: at(30) }, now, 0), 'reschedule', 'c1', now, 30_000);
      const moved = localChange(s, { start: at(60) }, later(50), 0);
      const answer = callSucceeded(
        moved,
        'c1',
        { uid: 'u2', bookingId: 2, start: at(30), status: 'booked' },
        later(100),
      );
      expect(answer.next).toMatchObject({ version: 3, syncedVersion: 2, attempts: 0, syncStatus: 'pending' });
      expect(nextStep(answer.next, DELAYS, later(100))).toMatchObject({ kind: 'call', action: 'reschedule' });
    });
  });

  it('a Cal.com change on top of an unsynced local change is a conflict with both versions', () => {
    const s = localChange(synced(), { start: at(30) }, now, 0);
    const v = calcomChange(
      s,
      {
        kind: 'rescheduled',
        booking: { uid: 'u2', bookingId: 2, start: at(600), status: 'booked' },
        fromUid: 'u1',
        ours: true,
      },
      now,
      { uid: 'u2' },
    );
    expect(v.verdict).toBe('conflict');
    expect(v.next).toMatchObject({ syncStatus: 'failed', errorCode: 'conflict', uid: 'u2', start: at(30) });
  });

  it('a Cal.com cancel of a fully synced appointment is applied; our own cancel echo is an echo', () => {
    const apply = calcomChange(
      synced(),
      {
        kind: 'cancelled',
        booking: { uid: 'u1', bookingId: 1, start: at(0), status: 'cancelled' },
        fromUid: null,
        ours: false,
      },
      now,
    );
    expect(apply.verdict).toBe('apply');
    expect(apply.next).toMatchObject({
      status: 'cancelled',
      version: 2,
      syncedVersion: 2,
      calcomStatus: 'cancelled',
    });
    const ours = startCall(localChange(synced(), { status: 'cancelled' }, now, 0), 'cancel', 'c1', now, 1);
    const echo = calcomChange(
      ours,
      {
        kind: 'cancelled',
        booking: { uid: 'u1', bookingId: 1, start: at(0), status: 'cancelled' },
        fromUid: null,
        ours: false,
      },
      now,
    );
    expect(echo.verdict).toBe('echo');
    expect(echo.next).toMatchObject({ syncedVersion: 2, syncStatus: 'synced', call: null });
  });

  it('redeliveries are known; changes to a booking we no longer stand on are stale', () => {
    const s = synced();
    expect(
      calcomChange(
        s,
        {
          kind: 'created',
          booking: { uid: 'u1', bookingId: 1, start: at(0), status: 'booked' },
          fromUid: null,
          ours: true,
        },
        now,
      ).verdict,
    ).toBe('known');
    expect(
      calcomChange(
        s,
        {
          kind: 'cancelled',
          booking: { uid: 'old', bookingId: 0, start: at(0), status: 'cancelled' },
          fromUid: null,
          ours: false,
        },
        now,
      ).verdict,
    ).toBe('stale');
    expect(
      calcomChange(
        s,
        {
          kind: 'rescheduled',
          booking: { uid: 'u9', bookingId: 9, start: at(5), status: 'booked' },
          fromUid: 'old',
          ours: true,
        },
        now,
      ).verdict,
    ).toBe('stale');
  });

  it('our booking seen before any call is recorded is linked, and the worker compares', () => {
    const s = initialLocal({ status: 'booked', start: at(0) }, now, 0);
    const v = calcomChange(
      s,
      {
        kind: 'created',
        booking: { uid: 'u1', bookingId: 1, start: at(0), status: 'booked' },
        fromUid: null,
        ours: true,
      },
      now,
    );
    expect(v.verdict).toBe('link');
    expect(nextStep(v.next, DELAYS, now)).toEqual({ kind: 'settle', status: 'synced' });
  });
});

describe('review actions and parking', () => {
  const flagged = (): SyncState => ({
    ...localChange(synced(), { start: at(30) }, now, 0),
    review: { reason: 'conflict', flaggedAt: now, calcom: null },
    syncStatus: 'failed',
    errorCode: 'conflict',
  });
  it('retry / keep-local hands it back to the worker', () => {
    expect(requestSync(flagged(), { unlink: false }, now)).toMatchObject({
      review: null,
      syncStatus: 'pending',
      attempts: 0,
      dueAt: now,
    });
    expect(requestSync(flagged(), { unlink: true }, now)).toMatchObject({ uid: null, calcomStatus: null });
  });
  it('keep-Cal.com takes Cal.com over as a new synced version', () => {
    const s = keepCalcom(flagged(), { uid: 'u2', bookingId: 2, start: at(600), status: 'booked' }, now);
    expect(s).toMatchObject({
      review: null,
      version: 3,
      syncedVersion: 3,
      syncStatus: 'synced',
      start: at(600),
      uid: 'u2',
    });
  });
  it('dismiss leaves the state as it is and says so', () => {
    expect(dismiss(flagged())).toMatchObject({ review: null, syncStatus: 'failed' });
    expect(dismiss({ ...synced(), review: { reason: 'x', flaggedAt: now, calcom: null } })).toMatchObject({
      syncStatus: 'synced',
    });
  });
  it('defer parks work for the scheduler', () => {
    expect(defer(synced(), later(5)).dueAt).toEqual(later(5));
    expect(defer(synced(), null).dueAt).toBeNull();
  });
});
