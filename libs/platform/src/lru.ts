/**
 * A bounded cache: at most `max` entries, each for at most `ttlMs`. Every cache
 * fed by request input (tenant ids, token hashes, zone names) must be one of
 * these, or unauthenticated requests grow memory without limit.
 */
export interface LruCache<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V, ttlMs?: number): void;
  delete(key: K): void;
  clear(): void;
  readonly size: number;
}

export function createLruCache<K, V>(opts: {
  max: number;
  ttlMs: number;
  now?: () => number;
}): LruCache<K, V> {
  const now = opts.now ?? Date.now;
  // A Map iterates in insertion order: re-inserting on a hit keeps the least recently used first.
  const entries = new Map<K, { value: V; expires: number }>();
  return {
    get(key) {
      const e = entries.get(key);
      if (!e) return undefined;
      entries.delete(key);
      if (e.expires <= now()) return undefined;
      entries.set(key, e);
      return e.value;
    },
    set(key, value, ttlMs = opts.ttlMs) {
      entries.delete(key);
      entries.set(key, { value, expires: now() + ttlMs });
      while (entries.size > opts.max) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
    },
    delete(key) {
      entries.delete(key);
    },
    clear() {
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
