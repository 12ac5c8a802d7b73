import { dedupLookupAgeMs } from './dedup';

const MIN = 60_000;

describe('from which age a delivery is looked up in the deliveries table', () => {
  it("is the stream's duplicate window less the future-skew allowance and a margin: 4 min by default", () => {
    expect(dedupLookupAgeMs({ duplicateWindowMs: 10 * MIN, maxFutureSkewMs: 5 * MIN })).toBe(4 * MIN);
    expect(dedupLookupAgeMs({ duplicateWindowMs: 2 * 3600_000, maxFutureSkewMs: 5 * MIN })).toBe(114 * MIN);
  });

  it('is 0 (look every delivery up) when the window is too short for the allowances, or unknown', () => {
    expect(dedupLookupAgeMs({ duplicateWindowMs: 2 * MIN, maxFutureSkewMs: 5 * MIN })).toBe(0);
    expect(dedupLookupAgeMs({ duplicateWindowMs: 0, maxFutureSkewMs: 5 * MIN })).toBe(0);
  });
});
