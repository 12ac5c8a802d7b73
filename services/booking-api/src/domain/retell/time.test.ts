import { dayRange, instantsOfLocal, localIso, parseTime } from './time';

const BERLIN = 'Europe/Berlin';

describe('parseTime', () => {
  it('reads a local time in the given zone, with summer and winter offsets', () => {
    expect(parseTime('2026-07-01T09:30', BERLIN)).toMatchObject({
      ok: true,
      ambiguous: false,
      instant: new Date('2026-07-01T07:30:00Z'),
    });
    expect(parseTime('2026-01-15T09:30', BERLIN)).toMatchObject({
      instant: new Date('2026-01-15T08:30:00Z'),
    });
    expect(parseTime('2026-01-15 09:30:00', 'America/New_York')).toMatchObject({
      instant: new Date('2026-01-15T14:30:00Z'),
    });
  });

  it('reads ISO times with an offset or Z as the instant they name, whatever the zone', () => {
    expect(parseTime('2026-07-01T09:30:00+02:00', 'Asia/Tokyo')).toMatchObject({
      instant: new Date('2026-07-01T07:30:00Z'),
    });
    expect(parseTime('2026-07-01T07:30:00.000Z', BERLIN)).toMatchObject({
      instant: new Date('2026-07-01T07:30:00Z'),
    });
  });

  it('on the spring-forward Sunday in Berlin (29 March 2026) refuses 02:30, which does not exist', () => {
    expect(parseTime('2026-03-29T02:30', BERLIN)).toEqual({ ok: false, reason: 'nonexistent' });
    expect(parseTime('2026-03-29T01:59', BERLIN)).toMatchObject({
      instant: new Date('2026-03-29T00:59:00Z'),
    });
    expect(parseTime('2026-03-29T03:00', BERLIN)).toMatchObject({
      instant: new Date('2026-03-29T01:00:00Z'),
    });
    expect(parseTime('2026-03-29T10:00', BERLIN)).toMatchObject({
      instant: new Date('2026-03-29T08:00:00Z'),
    });
  });

  it('on the fall-back Sunday in Berlin (25 October 2026) takes the earlier of the two 02:30s and says it was ambiguous', () => {
    expect(instantsOfLocal(BERLIN, { year: 2026, month: 10, day: 25, hour: 2, minute: 30 })).toEqual([
      new Date('2026-10-25T00:30:00Z'),
      new Date('2026-10-25T01:30:00Z'),
    ]);
    expect(parseTime('2026-10-25T02:30', BERLIN)).toEqual({
      ok: true,
      instant: new Date('2026-10-25T00:30:00Z'),
      zone: BERLIN,
      ambiguous: true,
    });
    expect(parseTime('2026-10-25T03:00', BERLIN)).toMatchObject({
      ambiguous: false,
      instant: new Date('2026-10-25T02:00:00Z'),
    });
  });

  it('refuses what is not a time', () => {
    for (const bad of ['tomorrow at 9', '2026-02-30T09:00', '2026-01-01T25:00', '2026-01-01', '']) {
      expect(parseTime(bad, BERLIN)).toEqual({ ok: false, reason: 'invalid' });
    }
  });
});

describe('dayRange', () => {
  it('is 23 hours on the spring-forward day and 25 on the fall-back day', () => {
    const spring = dayRange('2026-03-29', BERLIN)!;
    expect(spring).toEqual({ from: new Date('2026-03-28T23:00:00Z'), to: new Date('2026-03-29T22:00:00Z') });
    const autumn = dayRange('2026-10-25', BERLIN)!;
    expect(autumn.to.getTime() - autumn.from.getTime()).toBe(25 * 3600_000);
    expect(dayRange('2026-02-30', BERLIN)).toBeNull();
  });
});

describe('localIso', () => {
  it('renders the wall clock in the zone', () => {
    expect(localIso(new Date('2026-10-25T01:30:00Z'), BERLIN)).toBe('2026-10-25T02:30');
  });
});
