/**
 * Retell retries a function call (up to twice) when it sees no answer in time:
 * each call id + function + arguments runs once, and a repeat gets the first
 * answer. A repeat that arrives while the first still runs waits for it (up to
 * the caller's deadline) and never starts a second booking.
 */
import { sleep, type Clock } from '@calsync/platform';
import type { IdempotencyRepo } from '../../db/idempotency-repo';
import type { RetellAnswer } from './context';

const POLL_MS = 50;

export const STILL_WORKING: RetellAnswer = {
  result: 'I am still working on that request. Please give me a moment and ask me again.',
  status: 'in_progress',
};

export function createRetellOnce(deps: { repo: IdempotencyRepo; clock: Clock }) {
  return async function once(
    key: { tenantId: string; scope: string; key: string; hash: string },
    deadline: number,
    run: () => Promise<RetellAnswer>,
  ): Promise<{ answer: RetellAnswer; replayed: boolean }> {
    for (;;) {
      const claim = await deps.repo.claim(key.tenantId, key.scope, key.key, key.hash, deps.clock.now());
      switch (claim.kind) {
        case 'claimed': {
          let answer: RetellAnswer;
          try {
            answer = await run();
          } catch (err) {
            await deps.repo.release(key.tenantId, key.scope, key.key).catch(() => undefined);
            throw err;
          }
          // The change is committed whatever happens here: MySQL gone now must not turn the truthful
          // answer into an error. The key then stays claimed until the takeover (60 s).
          await deps.repo
            .complete(key.tenantId, key.scope, key.key, 200, JSON.stringify(answer))
            .catch(() => undefined);
          return { answer, replayed: false };
        }
        case 'replay':
          return { answer: JSON.parse(claim.body) as RetellAnswer, replayed: true };
        case 'in_progress':
        case 'mismatch': // the key embeds the hash of the arguments: cannot happen; treat as busy
          if (Date.now() + POLL_MS > deadline) return { answer: STILL_WORKING, replayed: false };
          await sleep(POLL_MS);
      }
    }
  };
}
