import { LOCAL_CHANGE_GRACE_MS } from '@calsync/sync-state';
import {
  createRateLimiter,
  planPace,
  RateLimitedError,
  type TenantRateLimiter,
} from '@calsync/calcom-access';
import { createTenantGate } from './tenant-gate';

const WINDOW = 60_000;
const HORIZON = 4_000;
const EVENT_HORIZON = 1_000;

function setup(o: { work?: 'events' | 'scheduled'; limiter?: Partial<TenantRateLimiter> } = {}) {
  let t = 1_700_000_000_000;
  const clock = { now: () => new Date(t) };
  const breaker = { refuse: 0 };
  // Calls that claimed their slot wait for it forever here: the test moves the clock itself.
  const real = createRateLimiter({
    windowMs: WINDOW,
    clock,
    sleep: () => new Promise<void>(() => undefined),
  });
  const limiter = { ...real, ...o.limiter };
  const gate = createTenantGate({
    breakers: { refuseForMs: () => breaker.refuse },
    limiter,
    maxInPlaceRateWaitMs: HORIZON,
    eventInPlaceWaitMs: EVENT_HORIZON,
    ...(o.work ? { work: o.work } : {}),
  });
  return { gate, limiter, breaker, advance: (ms: number) => (t += ms) };
}

const settle = () => new Promise((r) => setImmediate(r));

describe("the tenant gate, for an event's work", () => {
  it('blocks on an open breaker before asking the budget, and takes no place in line for it', () => {
    const park = jest.fn(() => 1);
    const admit = jest.fn(() => true);
    const { gate, breaker } = setup({ limiter: { park, admit } });
    breaker.refuse = 5_000;
    expect(gate.blocked('acme', 400)).toEqual({ why: 'breaker_open', ms: 5_000 });
    expect(gate.capacity('acme', 400)).toEqual({ room: 0, why: 'breaker_open', retryMs: 5_000 });
    expect(admit).not.toHaveBeenCalled();
    expect(park).not.toHaveBeenCalled();
  });

  it('parks work whose place is beyond the grace after a local change; closer work goes ahead to be refused at its call', () => {
    const park = jest.fn(() => 42);
    let placeMs = LOCAL_CHANGE_GRACE_MS - 1;
    const { gate } = setup({ limiter: { admit: () => false, placeMs: () => placeMs, park } });
    // Parking would leave the row's later due time (its grace) alone: the refused call parks it exactly.
    expect(gate.blocked('acme', 400)).toBeUndefined();
    expect(park).not.toHaveBeenCalled();
    placeMs = LOCAL_CHANGE_GRACE_MS;
    expect(gate.blocked('acme', 400)).toEqual({ why: 'rate_limited', ms: 42 });
    expect(park).toHaveBeenCalledWith('acme', 400, EVENT_HORIZON / 2);
  });

  it('a backlog of events: the first wait in place, the others come back at places one slot apart, in order, then are parked', async () => {
    const budget = 60; // a slot a second: the grace holds ~15 places
    const { intervalMs: slot, lateMs } = planPace(budget, WINDOW);
    const { gate, limiter } = setup();
    const outcomes: (string | number)[] = [];
    for (let i = 0; i < 25; i++) {
      const b = gate.blocked('acme', budget);
      if (b) {
        outcomes.push(`parked ${b.ms}`);
        continue;
      }
      let outcome: string | number = 'waits in place';
      limiter.acquire('acme', budget, EVENT_HORIZON).catch((e: unknown) => {
        outcome = (e as RateLimitedError).waitMs;
      });
      await settle();
      outcomes.push(outcome);
    }
    // Those whose slot comes within the short wait (after a quiet spell, slots just passed too).
    const waiting = outcomes.filter((o) => o === 'waits in place').length;
    expect(waiting).toBeGreaterThanOrEqual(1);
    expect(waiting).toBeLessThanOrEqual(Math.floor((lateMs + EVENT_HORIZON) / slot) + 1);
    const refused = outcomes.filter((o): o is number => typeof o === 'number');
    const parked = outcomes.filter((o) => typeof o === 'string' && o.startsWith('parked'));
    expect(refused.length + parked.length + waiting).toBe(25);
    // Refused in order, one slot apart, all within the grace; the rest parked behind them.
    for (let i = 1; i < refused.length; i++)
      expect(Math.abs(refused[i]! - refused[i - 1]! - slot)).toBeLessThanOrEqual(1);
    expect(refused.at(-1)!).toBeLessThan(LOCAL_CHANGE_GRACE_MS);
    expect(parked.length).toBeGreaterThan(0);
    expect(outcomes.indexOf(parked[0]!)).toBe(waiting + refused.length);
  });

  it('is asked only about the breaker for work the scheduler admitted', () => {
    const admit = jest.fn(() => false);
    const { gate } = setup({ work: 'scheduled', limiter: { admit } });
    expect(gate.blocked('acme', 400)).toBeUndefined();
    expect(admit).not.toHaveBeenCalled();
  });
});

describe('the tenant gate, for the scheduler', () => {
  const BUDGET = 400;
  const SLOT = planPace(BUDGET, WINDOW).intervalMs;

  it('lets it start work up to the longer in-place wait ahead, and tells it when the next place opens', async () => {
    const { gate, limiter, advance } = setup({ work: 'scheduled' });
    const room = gate.capacity('acme', BUDGET).room;
    expect(room).toBeGreaterThanOrEqual(Math.floor(HORIZON / SLOT));
    for (let i = 0; i < room; i++) {
      gate.admit('acme');
      void limiter.acquire('acme', BUDGET, HORIZON); // the admitted work claims its slot
    }
    await settle();
    const full = gate.capacity('acme', BUDGET);
    expect(full).toMatchObject({ room: 0, why: 'rate_limited' });
    expect(full.retryMs).toBeLessThanOrEqual(SLOT);
    advance(full.retryMs);
    expect(gate.capacity('acme', BUDGET).room).toBe(1);
    expect(gate.backlogMs('acme', BUDGET, 10)).toBeGreaterThanOrEqual(10 * SLOT);
  });

  it('gets back the place of work that ended without a call', () => {
    const { gate } = setup({ work: 'scheduled' });
    const before = gate.capacity('acme', BUDGET).room;
    const release = gate.admit('acme');
    expect(gate.capacity('acme', BUDGET).room).toBe(before - 1);
    release();
    expect(gate.capacity('acme', BUDGET).room).toBe(before);
  });
});
