import { afterRetryableFailure, backoffRemainingMs, decideAction, type SyncState } from './decide-action';

const start = new Date('2050-09-05T07:00:00.000Z');
const later = new Date('2050-09-05T08:00:00.000Z');
const base: SyncState = {
  status: 'booked',
  start,
  calcomBookingUid: null,
  lastSyncedStart: null,
  lastSyncedStatus: null,
};

describe('deciding from the current state', () => {
  it('creates a booked appointment that has no Cal.com booking yet', () => {
    expect(decideAction(base)).toEqual({ action: 'create' });
  });

  it('reschedules when the local start differs from what Cal.com last got', () => {
    const s = {
      ...base,
      start: later,
      calcomBookingUid: 'u1',
      lastSyncedStart: start,
      lastSyncedStatus: 'booked' as const,
    };
    expect(decideAction(s)).toEqual({ action: 'reschedule', uid: 'u1' });
  });

  it('does nothing when Cal.com already has this start (a duplicate or late event)', () => {
    const s = {
      ...base,
      calcomBookingUid: 'u1',
      lastSyncedStart: start,
      lastSyncedStatus: 'booked' as const,
    };
    expect(decideAction(s)).toEqual({ action: 'none' });
  });

  it('cancels a cancelled appointment whose Cal.com booking is still live, once', () => {
    const s = {
      ...base,
      status: 'cancelled' as const,
      calcomBookingUid: 'u1',
      lastSyncedStart: start,
      lastSyncedStatus: 'booked' as const,
    };
    expect(decideAction(s)).toEqual({ action: 'cancel', uid: 'u1' });
    expect(decideAction({ ...s, lastSyncedStatus: 'cancelled' })).toEqual({ action: 'none' });
  });

  it('skips a cancelled appointment that never reached Cal.com', () => {
    expect(decideAction({ ...base, status: 'cancelled' })).toEqual({ action: 'skip' });
  });

  it('sends a booked appointment whose Cal.com booking is cancelled to review instead of guessing', () => {
    const s = {
      ...base,
      calcomBookingUid: 'u1',
      lastSyncedStart: start,
      lastSyncedStatus: 'cancelled' as const,
    };
    expect(decideAction(s)).toEqual({ action: 'review', reason: 'calcom_cancelled' });
  });
});

describe('retries', () => {
  const delays = [1000, 5000, 30000];
  it('retries after 1 s, 5 s and 30 s, then gives up after the fourth attempt', () => {
    expect(afterRetryableFailure(1, delays)).toEqual({ kind: 'retry', delayMs: 1000 });
    expect(afterRetryableFailure(2, delays)).toEqual({ kind: 'retry', delayMs: 5000 });
    expect(afterRetryableFailure(3, delays)).toEqual({ kind: 'retry', delayMs: 30000 });
    expect(afterRetryableFailure(4, delays)).toEqual({ kind: 'give_up' });
  });

  it('makes another event for the same appointment wait out the running backoff', () => {
    const at = new Date('2050-01-01T00:00:00.000Z');
    expect(backoffRemainingMs(2, at, true, delays, new Date(at.getTime() + 1000))).toBe(4000);
    expect(backoffRemainingMs(2, at, true, delays, new Date(at.getTime() + 6000))).toBe(0);
    expect(backoffRemainingMs(2, at, false, delays, at)).toBe(0);
  });
});
