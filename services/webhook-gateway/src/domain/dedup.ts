/**
 * Cal.com sends no delivery id; a redelivery (its retry queue, overlapping
 * subscriptions) repeats the body byte for byte, so the body's hash is the id.
 * It is also the Nats-Msg-Id, so JetStream itself refuses a second copy within
 * the stream's duplicate window; the deliveries table covers what is older.
 */
import { sha256Hex } from '@calsync/platform';

export const deliveryIdOf = (raw: Buffer): string => sha256Hex(raw);

export interface DeliveryRecord {
  publishedAt: Date | null;
}

export type DedupDecision = 'duplicate' | 'publish';

/** Only a delivery JetStream acknowledged counts as done; one that failed to publish is tried again. */
export function decideDelivery(existing: DeliveryRecord | null): DedupDecision {
  return existing?.publishedAt ? 'duplicate' : 'publish';
}

/**
 * Slack on top of the future-skew allowance: our replicas' clocks against one another and
 * against the NATS server's, and the time between accepting a delivery and JetStream storing it.
 */
export const DEDUP_LOOKUP_MARGIN_MS = 60_000;

/**
 * The age (now − the delivery's signed `createdAt`) from which a delivery is looked up in the
 * deliveries table before it is published; a younger one skips MySQL and relies on JetStream.
 *
 * JetStream remembers a Nats-Msg-Id for the stream's duplicate window W, counted from when the
 * first copy was stored. The replay check accepted that first copy no earlier than
 * `createdAt − S` (S: how far ahead of our clock `createdAt` may be), so a copy arriving at age
 * `a` comes at most `a + S` after it: below `W − S − margin` it is inside the window, and the
 * publish answers `duplicate` without a second message. With the defaults (W 10 min, S 5 min,
 * margin 1 min) that is 4 min: a first delivery and copies from overlapping subscriptions never
 * touch MySQL; Cal.com's retry queue (about 5 min apart) and later copies are looked up. A window
 * too short for the allowances gives 0: every delivery is looked up.
 */
export function dedupLookupAgeMs(opts: {
  duplicateWindowMs: number;
  maxFutureSkewMs: number;
  marginMs?: number;
}): number {
  return Math.max(
    0,
    opts.duplicateWindowMs - opts.maxFutureSkewMs - (opts.marginMs ?? DEDUP_LOOKUP_MARGIN_MS),
  );
}
