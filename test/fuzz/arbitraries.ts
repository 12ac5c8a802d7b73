/**
 * fast-check building blocks: hostile strings, values of every JSON type, and
 * mutations of a valid body (one field replaced, dropped or added), so most
 * cases get past the first check and exercise the ones behind it.
 */
import fc from 'fast-check';

const SPECIALS = [
  '',
  ' ',
  '\u0000',
  '\uD800', // lone surrogate
  '\u202E', // right-to-left override
  '💥',
  'é',
  'Ω≈ç√',
  '../../etc/passwd',
  '%00',
  '%E0%A4%A',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  'null',
  'NaN',
  '__proto__',
  'constructor',
  '2026-02-30T25:61:00Z',
  '+275760-09-13T00:00:00.000Z',
  'Europe/Berlin',
  'EUROPE/BERLIN',
];

/** Long runs that made regexes and parsers go quadratic elsewhere (issue 9 item 1). */
const longString = fc
  .tuple(
    fc.constantFrom('a', '@', '.', '+1', 'é', '💥', '\\', '%', 'a@b.', ' '),
    fc.integer({ min: 1_000, max: 70_000 }),
  )
  .map(([c, n]) => c.repeat(Math.ceil(n / c.length)));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.constantFrom(...SPECIALS) },
  { weight: 1, arbitrary: longString },
  { weight: 1, arbitrary: fc.emailAddress() },
);

/** Any JSON value, strings hostile. */
export const anyValue: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.constantFrom(0, -1, 2 ** 53 + 1, 1e308, Number.MAX_SAFE_INTEGER, 1.5),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(hostileString, tie('v'), { maxKeys: 4 }),
  ),
})).v;

type Json = Record<string, unknown>;

function paths(v: unknown, prefix: string[] = []): string[][] {
  if (v === null || typeof v !== 'object') return [prefix];
  const entries = Object.entries(v as Json);
  return [prefix, ...entries.flatMap(([k, x]) => paths(x, [...prefix, k]))];
}

function setPath(v: unknown, path: string[], x: unknown, remove = false): unknown {
  if (path.length === 0) return remove ? undefined : x;
  const copy: Json = Array.isArray(v) ? ([...(v as unknown[])] as unknown as Json) : { ...(v as Json) };
  const [k, ...rest] = path as [string, ...string[]];
  if (rest.length === 0 && remove) delete copy[k];
  else copy[k] = setPath(copy[k], rest, x, remove);
  return copy;
}

/** A valid body, or one of its fields replaced by anything, dropped, or an unknown one added. */
export function mutated(valid: fc.Arbitrary<Json>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: valid },
    {
      weight: 5,
      arbitrary: fc.tuple(valid, fc.nat(), anyValue).map(([v, i, x]) => {
        const ps = paths(v).filter((p) => p.length > 0);
        return ps.length ? setPath(v, ps[i % ps.length]!, x) : x;
      }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(valid, fc.nat()).map(([v, i]) => {
        const ps = paths(v).filter((p) => p.length > 0);
        return ps.length ? setPath(v, ps[i % ps.length]!, undefined, true) : v;
      }),
    },
    { weight: 1, arbitrary: fc.tuple(valid, hostileString, anyValue).map(([v, k, x]) => ({ ...v, [k]: x })) },
    { weight: 1, arbitrary: anyValue },
  );
}

/** How a body goes on the wire: JSON mostly, sometimes broken, truncated or oversized. */
export function encoded(body: fc.Arbitrary<unknown>, oversize: number): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: body.map((b) => JSON.stringify(b) ?? '') },
    {
      weight: 1,
      arbitrary: body.chain((b) => fc.nat().map((n) => (JSON.stringify(b) ?? '').slice(0, n % 64))),
    },
    { weight: 1, arbitrary: hostileString },
    { weight: 1, arbitrary: fc.constant(`{"x":"${'a'.repeat(oversize)}"}`) },
  );
}

export const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
      '',
    ),
  },
);

/** A path segment as a client would send it: percent-encoded, or raw garbage encoding. */
export const hostileSegment = fc.oneof(
  hostileString.map((s) => encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, 'x'))),
  fc.constantFrom('%E0%A4%A', '%', '..', '%2e%2e', 'a%2Fb', '%00'),
);

/** Query strings: repeated, nested, hostile keys and values. */
export const queryString = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc
      .array(
        fc.tuple(
          fc.oneof(
            fc.constantFrom('from', 'to', 'status', 'syncStatus', 'limit', 'cursor', 'since', 'a[b]'),
            hostileString,
          ),
          fc.oneof(hostileString, fc.integer().map(String), fc.constantFrom('-1', '0', '201', '1e9', 'true')),
        ),
        { maxLength: 5 },
      )
      .map(
        (kv) =>
          `?${kv.map(([k, v]) => `${encodeURIComponent(stripSurrogates(k))}=${encodeURIComponent(stripSurrogates(v))}`).join('&')}`,
      ),
  },
);

export const stripSurrogates = (s: string) => s.replace(/[\uD800-\uDFFF]/g, 'x');

/** One of many client addresses (the services trust X-Forwarded-For from loopback here). */
export const clientAddress = fc
  .tuple(fc.integer({ min: 1, max: 254 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 254 }))
  .map(([a, b, c]) => `10.${a}.${b}.${c}`);

/** A header value Node's HTTP client accepts (visible ASCII), sometimes long. */
export const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 }),
  fc.integer({ min: 100, max: 8_000 }).map((n) => 'h'.repeat(n)),
);
