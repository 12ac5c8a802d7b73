/**
 * The one bounded-concurrency loop over a JetStream pull subscription that both
 * durable consumers use: at most `concurrency` messages in hand at once, and,
 * when `keyOf` names a key, messages with the same key handled one after
 * another in stream order (a cancel must not overtake its booking) while other
 * keys run side by side.
 */
import type { JsMsg } from '@nats-io/jetstream';

export interface BoundedLoopOptions<T> {
  concurrency: number;
  /** Read once per message (e.g. decoded); what `keyOf` and `handle` receive. */
  prepare(m: JsMsg): T;
  /** Messages with the same key are handled in order; undefined: no ordering. */
  keyOf?(prepared: T): string | undefined;
  /** Must end the message (ack, nak or term); a throw is reported to onError. */
  handle(m: JsMsg, prepared: T): Promise<void>;
  onError(err: unknown, m: JsMsg): void;
}

export interface BoundedLoop {
  /** Resolves when the subscription ends (closed or failed: the error is thrown). */
  readonly done: Promise<void>;
  /** Waits for the messages in hand. */
  settle(): Promise<void>;
}

export function runBoundedLoop<T>(messages: AsyncIterable<JsMsg>, opts: BoundedLoopOptions<T>): BoundedLoop {
  const inFlight = new Set<Promise<void>>();
  const chains = new Map<string, Promise<void>>();
  let slotFreed: (() => void) | undefined;

  const done = (async () => {
    for await (const m of messages) {
      while (inFlight.size >= opts.concurrency) await new Promise<void>((r) => (slotFreed = r));
      const prepared = opts.prepare(m);
      const key = opts.keyOf?.(prepared);
      const before = key === undefined ? undefined : chains.get(key);
      const p: Promise<void> = (before ?? Promise.resolve())
        .then(() => opts.handle(m, prepared))
        .catch((err: unknown) => opts.onError(err, m))
        .finally(() => {
          inFlight.delete(p);
          if (key !== undefined && chains.get(key) === p) chains.delete(key);
          const f = slotFreed;
          slotFreed = undefined;
          f?.();
        });
      if (key !== undefined) chains.set(key, p);
      inFlight.add(p);
    }
  })();

  return {
    done,
    async settle() {
      await Promise.allSettled([...inFlight]);
    },
  };
}
