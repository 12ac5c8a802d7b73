/**
 * Cal.com sends no delivery id; a redelivery (its retry queue, overlapping
 * subscriptions) repeats the body byte for byte, so the body's hash is the id.
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
