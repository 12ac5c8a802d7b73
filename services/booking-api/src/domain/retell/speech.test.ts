import { nearest, spokenAlternatives, spokenAvailability, spokenList, spokenWhen } from './speech';

const BERLIN = 'Europe/Berlin';
const z = (iso: string) => new Date(iso);

describe('speech', () => {
  it('says times on the 24-hour clock in the tenant zone, days by name', () => {
    expect(spokenWhen(z('2026-03-30T07:00:00Z'), BERLIN)).toBe('Monday 30 March at 9:00');
    expect(spokenWhen(z('2026-03-27T13:30:00Z'), BERLIN)).toBe('Friday 27 March at 14:30');
  });

  it('joins lists the way people say them', () => {
    expect(spokenList([])).toBe('');
    expect(spokenList(['9:00'])).toBe('9:00');
    expect(spokenList(['9:00', '9:30'])).toBe('9:00 or 9:30');
    expect(spokenList(['9:00', '9:30', '10:00'])).toBe('9:00, 9:30 or 10:00');
  });

  it('keeps availability short: four times a day, three days, and how many more', () => {
    const monday = Array.from({ length: 10 }, (_, i) => new Date(Date.UTC(2026, 2, 30, 7) + i * 30 * 60_000));
    const days = [0, 1, 2, 3].map((d) => new Date(Date.UTC(2026, 2, 31 + d, 8)));
    const text = spokenAvailability([...days, ...monday], BERLIN, {
      from: z('2026-03-29T22:00:00Z'),
      to: z('2026-04-05T22:00:00Z'),
    });
    expect(text).toBe(
      'On Monday 30 March I have 9:00, 9:30, 10:00 or 10:30, and 6 more later that day; on Tuesday 31 March I have 10:00; on Wednesday 1 April I have 10:00; and more on 2 other days.',
    );
  });

  it('says plainly when nothing is free', () => {
    const day = { from: z('2026-03-29T22:00:00Z'), to: z('2026-03-30T22:00:00Z') };
    expect(spokenAvailability([], BERLIN, day)).toBe('Sorry, there is nothing free on Monday 30 March.');
  });

  it('offers the nearest alternatives in time order, never the refused slot itself', () => {
    const target = z('2026-03-30T08:00:00Z');
    const slots = ['06:00', '07:30', '08:00', '08:30', '12:00'].map((t) => z(`2026-03-30T${t}:00Z`));
    const alts = nearest(slots, target, 3);
    expect(alts.map((a) => a.toISOString())).toEqual([
      '2026-03-30T06:00:00.000Z',
      '2026-03-30T07:30:00.000Z',
      '2026-03-30T08:30:00.000Z',
    ]);
    expect(spokenAlternatives([...alts, z('2026-03-31T08:00:00Z')], BERLIN)).toBe(
      'Monday 30 March at 8:00, 9:30 or 10:30; or Tuesday 31 March at 10:00',
    );
  });
});
