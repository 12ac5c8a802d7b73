/** The console's calendar math (console/src/time.ts): days in the tenant's zone, across DST. */
import {
  addDays,
  dayKeyOf,
  fromLocalInput,
  startOfDay,
  toLocalInput,
  weekStartOf,
} from '../../console/src/time';

const BERLIN = 'Europe/Berlin';

describe('console time', () => {
  it("starts a day at the tenant's midnight, whatever the browser's zone", () => {
    expect(startOfDay('2030-01-07', BERLIN).toISOString()).toBe('2030-01-06T23:00:00.000Z');
    expect(startOfDay('2030-07-01', BERLIN).toISOString()).toBe('2030-06-30T22:00:00.000Z');
    expect(startOfDay('2030-01-07', 'America/New_York').toISOString()).toBe('2030-01-07T05:00:00.000Z');
  });

  it('gives the day of the spring DST change 23 hours and the autumn one 25', () => {
    const hours = (key: string) =>
      (startOfDay(addDays(key, 1), BERLIN).getTime() - startOfDay(key, BERLIN).getTime()) / 3600_000;
    expect(hours('2030-03-31')).toBe(23);
    expect(hours('2030-10-27')).toBe(25);
    expect(hours('2030-06-01')).toBe(24);
  });

  it("files an appointment under the tenant's day, not the UTC day", () => {
    expect(dayKeyOf(new Date('2030-01-06T23:30:00Z'), BERLIN)).toBe('2030-01-07');
    expect(dayKeyOf(new Date('2030-01-06T22:30:00Z'), BERLIN)).toBe('2030-01-06');
  });

  it('starts weeks on Monday, also across a month and a year', () => {
    expect(weekStartOf('2030-01-10')).toBe('2030-01-07');
    expect(weekStartOf('2030-01-07')).toBe('2030-01-07');
    expect(weekStartOf('2030-01-01')).toBe('2029-12-31');
    expect(addDays('2030-02-28', 1)).toBe('2030-03-01');
  });

  it('reads and writes datetime-local values in the tenant zone', () => {
    expect(fromLocalInput('2030-03-31T10:00', BERLIN)).toBe('2030-03-31T08:00:00.000Z');
    expect(fromLocalInput('2030-03-30T10:00', BERLIN)).toBe('2030-03-30T09:00:00.000Z');
    expect(toLocalInput('2030-03-31T08:00:00.000Z', BERLIN)).toBe('2030-03-31T10:00');
    // 02:30 does not exist that night: the hour after.
    expect(fromLocalInput('2030-03-31T02:30', BERLIN)).toBe('2030-03-31T01:30:00.000Z');
    // 02:30 happens twice in October: the first.
    expect(fromLocalInput('2030-10-27T02:30', BERLIN)).toBe('2030-10-27T00:30:00.000Z');
    expect(fromLocalInput('not a date', BERLIN)).toBeNull();
  });
});
