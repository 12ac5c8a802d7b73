import { createRateLimiter, RateLimitedError } from './rate-limiter';

function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

describe('per-tenant rate limiter', () => {
  it('lets the budget through within a window and makes the next call wait for the oldest to age out', async () => {
    const clock = fakeClock();
    const rl = createRateLimiter({ windowMs: 1000, clock, marginMs: 0 });
    for (let i = 0; i < 3; i++) await rl.acquire('a', 3, 0);
    expect(rl.delayFor('a', 3)).toBe(1000);
    await expect(rl.acquire('a', 3, 100)).rejects.toBeInstanceOf(RateLimitedError);
    clock.advance(1000);
    expect(rl.delayFor('a', 3)).toBe(0);
    expect(rl.delayFor('b', 3)).toBe(0); // another tenant has its own budget
  });

  it('pauses the tenant until the reset when Cal.com reports 0 remaining, and after a 429', () => {
    const clock = fakeClock();
    const rl = createRateLimiter({ windowMs: 60_000, clock });
    rl.observe('a', 5, 30);
    expect(rl.delayFor('a', 100)).toBe(0);
    rl.observe('a', 0, 7);
    expect(rl.delayFor('a', 100)).toBe(7000);
    expect(rl.throttled('b', 12)).toBe(12_000);
    clock.advance(12_000);
    expect(rl.delayFor('b', 100)).toBe(0);
  });
});
