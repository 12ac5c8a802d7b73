import { planBatch, type PublishOutcome } from './outbox-batch';

const rows = (...attempts: number[]) => attempts.map((a, i) => ({ seq: i + 1, publish_attempts: a }));
const ok: PublishOutcome = { kind: 'published' };
const invalid: PublishOutcome = { kind: 'invalid', error: new SyntaxError('Unexpected token') };
const refused: PublishOutcome = { kind: 'failed', error: new Error('message too large'), outage: false };
const outage: PublishOutcome = { kind: 'failed', error: new Error('disconnected'), outage: true };

describe('planBatch: one bad outbox row never stops the others', () => {
  it('an unencodable row is parked at once and the rows around it are published', () => {
    const plan = planBatch(rows(0, 0, 0), [ok, invalid, ok], 5);
    expect(plan.published).toEqual([1, 3]);
    expect(plan.parked).toEqual([{ seq: 2, reason: 'invalid', error: 'SyntaxError: Unexpected token' }]);
    expect(plan.retryBecause).toBeUndefined();
  });

  it('a refused row is retried (holding later rows for the re-send) until its last refusal parks it', () => {
    const early = planBatch(rows(0, 3, 0), [ok, refused, ok], 5);
    expect(early).toMatchObject({ published: [1], parked: [], failed: [2] });
    expect(early.retryBecause).toBeDefined();
    const last = planBatch(rows(0, 4, 0), [ok, refused, ok], 5);
    expect(last).toMatchObject({ published: [1, 3], failed: [2] });
    expect(last.parked).toEqual([{ seq: 2, reason: 'rejected', error: 'Error: message too large' }]);
    expect(last.retryBecause).toBeUndefined();
  });

  it('while NATS is away nothing is parked; every row is kept for the retry', () => {
    const plan = planBatch(rows(4, 4, 0, 0), [ok, invalid, refused, outage], 5);
    expect(plan.published).toEqual([1]);
    expect(plan.parked).toEqual([]);
    expect(plan.failed).toEqual([3]);
    expect(plan.retryBecause).toBe((outage as { error: unknown }).error);
  });
});
