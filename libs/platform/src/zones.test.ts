import { createLruCache } from './lru';
import { canonicalTimeZone } from './zones';

describe('canonicalTimeZone', () => {
  it('turns any spelling of a zone into its canonical IANA name', () => {
    expect(canonicalTimeZone('EUROPE/BERLIN')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('utc')).toBe('UTC');
  });

  it('refuses what is no zone', () => {
    for (const z of ['Mars/Olympus', '', '../etc/passwd', 'Europe/Berlin\n', 'x'.repeat(65)])
      expect(canonicalTimeZone(z)).toBeNull();
  });
});

describe('the bounded LRU cache', () => {
  it('keeps at most max entries, dropping the least recently used', () => {
    const c = createLruCache<string, number>({ max: 3, ttlMs: 60_000 });
    for (let i = 0; i < 200_000; i++) c.set(`k${i}`, i);
    expect(c.size).toBe(3);
    c.set('a', 1);
    c.set('b', 2);
    c.set('c', 3);
    c.get('a'); // now the most recent
    c.set('d', 4);
    expect([c.get('a'), c.get('b'), c.get('c'), c.get('d')]).toEqual([1, undefined, 3, 4]);
  });

  it('forgets an entry once its time to live has passed', () => {
    let now = 0;
    const c = createLruCache<string, number>({ max: 10, ttlMs: 1_000, now: () => now });
    c.set('a', 1);
    c.set('b', 2, 100);
    now = 500;
    expect([c.get('a'), c.get('b')]).toEqual([1, undefined]);
    now = 1_000;
    expect(c.get('a')).toBeUndefined();
    expect(c.size).toBe(0);
  });
});
