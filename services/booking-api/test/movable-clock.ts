import type { Clock } from '@calsync/platform';

/** Real time plus an offset a test moves forward (windows, leases, throttles). */
export function movableClock(): Clock & { advance(ms: number): void } {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    advance(ms) {
      offsetMs += ms;
    },
  };
}
