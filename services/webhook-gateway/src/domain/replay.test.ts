import { checkReplayWindow } from './replay';

const now = new Date('2026-05-24T12:00:00.000Z');
const window = { windowSeconds: 1800, maxFutureSkewSeconds: 300 };
const at = (offsetSeconds: number) => new Date(now.getTime() + offsetSeconds * 1000).toISOString();

describe('checkReplayWindow', () => {
  it('accepts a delivery created just now, or up to the window ago', () => {
    expect(checkReplayWindow(at(0), now, window)).toBe('fresh');
    expect(checkReplayWindow(at(-1800), now, window)).toBe('fresh');
  });

  it('refuses a delivery older than the window (two hours old)', () => {
    expect(checkReplayWindow(at(-1801), now, window)).toBe('too_old');
    expect(checkReplayWindow(at(-7200), now, window)).toBe('too_old');
  });

  it('allows Cal.com a few minutes of clock skew, no more', () => {
    expect(checkReplayWindow(at(299), now, window)).toBe('fresh');
    expect(checkReplayWindow(at(301), now, window)).toBe('in_future');
  });

  it('compares instants, whatever offset the sender used', () => {
    expect(checkReplayWindow('2026-05-24T14:00:00+02:00', now, window)).toBe('fresh');
    expect(checkReplayWindow('2026-05-24T11:00:00-01:00', now, window)).toBe('fresh');
    expect(checkReplayWindow('2026-05-24T12:00:00+02:00', now, window)).toBe('too_old');
  });

  it.each(['', 'yesterday', '2026-05-24', '2026-05-24T12:00:00', '1779624000', '2026-13-45T99:00:00Z'])(
    'treats %p as unparseable',
    (v) => {
      expect(checkReplayWindow(v, now, window)).toBe('unparseable');
    },
  );
});
