/**
 * Retell retries a function call (up to twice) when it sees no answer in time.
 * Idempotency is for those retries only, never for a later, deliberate repeat
 * (SPEC §4.3): "book 10:00, cancel it, book 10:00" in one call must book again.
 *
 * So each call's state-changing requests are numbered in order (one key per
 * request, scope = the call). A request is a retry when it is identical
 * (function + arguments) to the call's latest one and arrives within
 * RETELL_REPLAY_WINDOW_MS of it: it then waits for or replays that answer.
 * Anything else becomes the call's next request and runs. A replay is also
 * refused when what it said is no longer true (the booking it confirmed has
 * been cancelled since); the request then runs as a new one.
 */
import { sha256Hex, sleep, type Clock } from '@calsync/platform';
import type { IdempotencyRepo } from '../ports';
import type { RetellAnswer } from './context';

const POLL_MS = 50;
/**
 * How long after a request an identical one counts as Retell's retry of it. We
 * answer every function within RETELL_CONFIRM_TIMEOUT_MS, so Retell's retries
 * (after its timeout, 2 minutes by default) come well inside this.
 */
export const RETELL_REPLAY_WINDOW_MS = 2 * 60_000;

export const STILL_WORKING: RetellAnswer = {
  result: 'I am still working on that request. Please give me a moment and ask me again.',
  status: 'in_progress',
};

export interface OnceRequest {
  tenantId: string;
  /** The call id, or (no call id) something that never spans two callers. */
  call: string;
  /** Function name + argument hash. */
  hash: string;
}

/** Sequence numbers as keys that sort as text: `latest` is the highest. */
const seqKey = (n: number) => String(n).padStart(8, '0');

export function createRetellOnce(deps: {
  repo: IdempotencyRepo;
  clock: Clock;
  /** Whether a stored answer still describes the world (false: do not replay it). */
  stillTrue: (tenantId: string, answer: RetellAnswer) => Promise<boolean>;
}) {
  return async function once(
    req: OnceRequest,
    deadline: number,
    run: () => Promise<RetellAnswer>,
  ): Promise<{ answer: RetellAnswer; replayed: boolean }> {
    const { tenantId, hash } = req;
    // Call ids are up to 128 characters; the scope column holds 128.
    const scope = `retell-call:${sha256Hex(req.call).slice(0, 40)}`;
    let mayReplay = true;
    for (;;) {
      const now = deps.clock.now();
      const latest = await deps.repo.latest(tenantId, scope);
      const isRetry =
        mayReplay &&
        latest !== null &&
        latest.requestHash === hash &&
        now.getTime() - latest.createdAt.getTime() < RETELL_REPLAY_WINDOW_MS;
      const key = isRetry ? latest.key : seqKey(latest ? Number(latest.key) + 1 : 1);
      const claim = await deps.repo.claim(tenantId, scope, key, hash, now);
      switch (claim.kind) {
        case 'claimed': {
          let answer: RetellAnswer;
          try {
            answer = await run();
          } catch (err) {
            await deps.repo.release(tenantId, scope, key).catch(() => undefined);
            throw err;
          }
          // The change is committed whatever happens here: MySQL gone now must not turn the truthful
          // answer into an error. The key then stays claimed until the takeover (60 s).
          await deps.repo.complete(tenantId, scope, key, 200, JSON.stringify(answer)).catch(() => undefined);
          return { answer, replayed: false };
        }
        case 'replay': {
          const answer = JSON.parse(claim.body) as RetellAnswer;
          if (await deps.stillTrue(tenantId, answer)) return { answer, replayed: true };
          mayReplay = false; // the state it answered about changed: act again, as the next request
          break;
        }
        case 'mismatch': // another request of the call took this number a moment ago: look again
          break;
        case 'in_progress':
          if (deps.clock.now().getTime() + POLL_MS > deadline)
            return { answer: STILL_WORKING, replayed: false };
          await sleep(POLL_MS);
      }
    }
  };
}
