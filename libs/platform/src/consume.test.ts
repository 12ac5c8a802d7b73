import type { JsMsg } from '@nats-io/jetstream';
import { runBoundedLoop } from './consume';

/** Stand-ins: the loop only passes messages through, so a tagged object will do. */
const msgs = (keys: string[]) => keys.map((key, seq) => ({ key, seq }) as unknown as JsMsg);
const tag = (m: JsMsg) => m as unknown as { key: string; seq: number };
async function* iterate<T>(items: T[]) {
  for (const i of items) yield await Promise.resolve(i);
}

describe('runBoundedLoop', () => {
  it('never holds more than `concurrency` messages, and handles one key in stream order while others overlap', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    let inHand = 0;
    let most = 0;
    const loop = runBoundedLoop(iterate(msgs(['a', 'b', 'a', 'c', 'a', 'b', 'd', 'e'])), {
      concurrency: 3,
      prepare: (m) => tag(m),
      keyOf: (t) => t.key,
      async handle(_m, t) {
        started.push(t.seq);
        inHand += 1;
        most = Math.max(most, inHand);
        // Earlier messages take longer: without the per-key chain, a later 'a' would finish first.
        await new Promise((r) => setTimeout(r, 40 - t.seq * 4));
        inHand -= 1;
        finished.push(t.seq);
      },
      onError: () => undefined,
    });
    await loop.done;
    await loop.settle();
    expect(finished.sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBeLessThanOrEqual(3);
    expect(most).toBeGreaterThan(1);
    expect(started.filter((s) => [0, 2, 4].includes(s))).toEqual([0, 2, 4]);
    expect(finished.indexOf(0)).toBeLessThan(finished.indexOf(2));
    expect(finished.indexOf(2)).toBeLessThan(finished.indexOf(4));
    expect(finished.indexOf(1)).toBeLessThan(finished.indexOf(5));
  });

  it('reports a failing handler and carries on with the rest, the same key included', async () => {
    const errors: number[] = [];
    const done: number[] = [];
    const loop = runBoundedLoop(iterate(msgs(['a', 'a', 'a'])), {
      concurrency: 2,
      prepare: (m) => tag(m),
      keyOf: (t) => t.key,
      async handle(_m, t) {
        await Promise.resolve();
        if (t.seq === 1) throw new Error('boom');
        done.push(t.seq);
      },
      onError: (_err, m) => errors.push(tag(m).seq),
    });
    await loop.done;
    await loop.settle();
    expect(errors).toEqual([1]);
    expect(done).toEqual([0, 2]);
  });
});
