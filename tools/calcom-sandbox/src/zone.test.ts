import { isoWithOffset, localDateKey, localToUtc, offsetMinutes } from './zone';

describe('zone arithmetic (Europe/Berlin DST)', () => {
  it('knows the offset on both sides of the October change', () => {
    expect(offsetMinutes('Europe/Berlin', new Date('2050-10-30T00:59:00Z'))).toBe(120);
    expect(offsetMinutes('Europe/Berlin', new Date('2050-10-30T01:00:00Z'))).toBe(60);
    expect(offsetMinutes('America/New_York', new Date('2050-01-10T12:00:00Z'))).toBe(-300);
  });

  it('turns local wall time into UTC on either side of the change', () => {
    expect(localToUtc('Europe/Berlin', 2050, 10, 28, 9 * 60).toISOString()).toBe('2050-10-28T07:00:00.000Z');
    expect(localToUtc('Europe/Berlin', 2050, 10, 31, 9 * 60).toISOString()).toBe('2050-10-31T08:00:00.000Z');
    expect(localToUtc('Europe/Berlin', 2050, 3, 27, 9 * 60).toISOString()).toBe('2050-03-27T07:00:00.000Z');
  });

  it('renders Cal.com slot strings and date keys in the requested zone', () => {
    const t = new Date('2050-09-05T22:30:00Z');
    expect(isoWithOffset('Europe/Berlin', t)).toBe('2050-09-06T00:30:00.000+02:00');
    expect(localDateKey('Europe/Berlin', t)).toBe('2050-09-06');
    expect(isoWithOffset('America/New_York', t)).toBe('2050-09-05T18:30:00.000-04:00');
  });
});
