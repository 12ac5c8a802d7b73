/** A captured delivery replayed later is refused by its age: Cal.com signs no timestamp, only the body. */
export type ReplayVerdict = 'fresh' | 'too_old' | 'in_future' | 'unparseable';

export interface ReplayWindow {
  windowSeconds: number;
  maxFutureSkewSeconds: number;
}

/** ISO 8601 with a zone (`Z` or an offset): what Cal.com sends. Date.parse alone accepts far too much. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

export function checkReplayWindow(createdAt: string, now: Date, window: ReplayWindow): ReplayVerdict {
  if (!ISO_INSTANT.test(createdAt)) return 'unparseable';
  const at = Date.parse(createdAt);
  if (Number.isNaN(at)) return 'unparseable';
  const ageMs = now.getTime() - at;
  if (ageMs > window.windowSeconds * 1000) return 'too_old';
  if (-ageMs > window.maxFutureSkewSeconds * 1000) return 'in_future';
  return 'fresh';
}
