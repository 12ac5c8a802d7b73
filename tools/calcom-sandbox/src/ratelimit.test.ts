import { createRateLimiter } from './ratelimit';

describe('rate limiter', () => {
  it('counts per key, blocks over the limit for blockMs and reports seconds remaining', () => {
    let now = 0;
    const rl = createRateLimiter(
      { limit: 2, windowMs: 60_000, blockMs: 60_000 },
      { now: () => new Date(now) },
    );
    expect(rl.hit('a')).toEqual({ allowed: true, limit: 2, remaining: 1, resetSeconds: 60 });
    now = 20_500;
    expect(rl.hit('a')).toEqual({ allowed: true, limit: 2, remaining: 0, resetSeconds: 40 });
    expect(rl.hit('a')).toMatchObject({ allowed: false, remaining: 0, resetSeconds: 60 });
    expect(rl.hit('b').allowed).toBe(true);
    now = 70_000; // new window, but the block (until 80.5 s) still holds
    expect(rl.hit('a')).toMatchObject({ allowed: false, resetSeconds: 11 });
    now = 81_000;
    expect(rl.hit('a')).toMatchObject({ allowed: true, remaining: 1 });
  });
});
