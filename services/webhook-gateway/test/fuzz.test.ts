/**
 * ≥ 10,000 random and mutated deliveries: no answer is ever a 5xx, and every
 * message that reaches CALCOM_INBOUND is a body that was validly signed with the
 * secret of the tenant in its path (unique per delivery).
 */
import { BOOKING_TRIGGERS } from '@calsync/contracts';
import { hmacSha256Hex, sha256Hex } from '@calsync/platform';
import { createLogCapture, createTestNats, type TestNats } from '@calsync/testkit';
import { CUSTOMER_EMAIL, TRIGGER_OVERRIDES, bookingPayload, webhookBody } from './fixtures';
import {
  createClient,
  createTestDb,
  insertTenant,
  startGateway,
  streamMessages,
  webhookPath,
  type Client,
  type GatewayUnderTest,
} from './harness';

const TENANTS = [
  { id: 'fuzz-a', webhookSecret: 'whsec_fuzz_a_0123456789', eventTypeIds: [5101, 5102] },
  { id: 'fuzz-b', webhookSecret: 'whsec_fuzz_b_9876543210', eventTypeIds: [5201] },
  { id: 'fuzz-nosecret', webhookSecret: null, eventTypeIds: [5301] },
];
const CASES = 10_000;
const CONCURRENCY = 32;

/** Seeded, so a failure can be replayed with FUZZ_SEED. */
function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const rand = mulberry32(seed);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
const chance = (p: number) => rand() < p;

const STRANGE_STRINGS = [
  '',
  ' ',
  '\u0000',
  '💥',
  'é',
  '\uD800',
  'a'.repeat(5000),
  '../../etc',
  '${x}',
  '<script>',
  'null',
];
const STRANGE_NUMBERS = [0, -1, 1e308, -1e308, 2 ** 53 + 1, 1.5, Number.MAX_SAFE_INTEGER, 5101.0000001];

function randomJson(depth = 0): unknown {
  switch (int(depth > 3 ? 5 : 7)) {
    case 0:
      return pick(STRANGE_NUMBERS);
    case 1:
      return pick(STRANGE_STRINGS);
    case 2:
      return pick([true, false, null]);
    case 3:
      return int(1e6);
    case 4:
      return Array.from({ length: 32 + int(64) }, () => String.fromCodePoint(int(0x2ffff))).join('');
    case 5:
      return Array.from({ length: int(5) }, () => randomJson(depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = int(6); i > 0; i--)
        o[
          pick([
            'uid',
            'eventTypeId',
            'payload',
            'triggerEvent',
            'createdAt',
            '__proto__',
            'constructor',
            String(int(100)),
          ])
        ] = randomJson(depth + 1);
      return o;
    }
  }
}

interface Case {
  path: string;
  body: Buffer;
  headers: Record<string, string>;
  /** Set when the body is validly signed for the tenant in the path: it may be published. */
  signedFor?: string;
}

const tenantOf = () => pick(TENANTS);
const sign = (secret: string | null, body: Buffer) =>
  secret ? hmacSha256Hex(secret, body) : 'no-secret-provided';
const validDelivery = (t: (typeof TENANTS)[number]) => {
  const trigger = pick(BOOKING_TRIGGERS);
  return Buffer.from(webhookBody(trigger, bookingPayload(pick(t.eventTypeIds), TRIGGER_OVERRIDES[trigger])));
};
const REPLAYS: Buffer[] = [];

/** The tenant a path names, as the router reads it (a trailing slash and a query string do not change it). */
function tenantInPath(path: string): string | undefined {
  const m = /^\/v1\/webhooks\/calcom\/([^/]+)\/?$/.exec(new URL(path, 'http://x').pathname);
  try {
    return m?.[1] === undefined ? undefined : decodeURIComponent(m[1]);
  } catch {
    return undefined;
  }
}

function makeCase(): Case {
  const t = tenantOf();
  const base = chance(0.05) && REPLAYS.length ? pick(REPLAYS) : validDelivery(t);
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  let body = base;
  let path = webhookPath(t.id);
  let signature = sign(t.webhookSecret, base);
  switch (int(12)) {
    case 0: {
      // a byte flipped after signing
      body = Buffer.from(base);
      const i = int(body.length);
      body[i] = body[i]! ^ (1 + int(255));
      break;
    }
    case 1: // truncated after signing
      body = base.subarray(0, int(base.length));
      break;
    case 2: // another tenant's path with this tenant's signature
      path = webhookPath(pick(TENANTS.filter((o) => o.id !== t.id)).id);
      break;
    case 3: // header games
      signature = pick([
        signature.toUpperCase(),
        `sha256=${signature}`,
        signature.slice(1),
        '',
        'no-secret-provided',
        signature + ' ',
        'x'.repeat(64),
      ]);
      break;
    case 4: // random JSON, correctly signed
      body = Buffer.from(
        JSON.stringify(
          chance(0.5)
            ? randomJson()
            : {
                triggerEvent: pick([...BOOKING_TRIGGERS, 'PING', 'X']),
                createdAt: pick([new Date().toISOString(), '💥', 5]),
                payload: randomJson(),
              },
        ),
      );
      signature = sign(t.webhookSecret, body);
      break;
    case 5: // random bytes, sometimes signed
      body = Buffer.from(Array.from({ length: int(2048) }, () => int(256)));
      if (chance(0.5)) signature = sign(t.webhookSecret, body);
      break;
    case 6: {
      // a valid delivery with huge numbers / unicode in the fields we read, signed
      const p = bookingPayload(pick([...t.eventTypeIds, ...STRANGE_NUMBERS]), {
        uid: pick(STRANGE_STRINGS),
        title: '∑ unicode ✓ 日本',
      });
      body = Buffer.from(
        webhookBody(
          pick(BOOKING_TRIGGERS),
          p,
          pick([new Date().toISOString(), '2026-02-30T25:61:00Z', '+275760-09-13T00:00:00.000Z']),
        ),
      );
      signature = sign(t.webhookSecret, body);
      break;
    }
    case 7: // content type and encoding games
      headers['Content-Type'] = pick([
        'text/plain',
        'application/json; charset=latin1',
        'application/jsonx',
        'APPLICATION/JSON',
        '',
        'multipart/form-data',
      ]);
      if (chance(0.3)) headers['Content-Encoding'] = pick(['gzip', 'br', 'identity']);
      break;
    case 8: // odd tenant paths
      path = pick([
        webhookPath(pick(STRANGE_STRINGS.filter((s) => !s.includes('\uD800')))),
        '/v1/webhooks/calcom/%E0%A4%A',
        '/v1/webhooks/calcom/a%2Fb',
        `/v1/webhooks/calcom/${'a'.repeat(300)}`,
        `/v1/webhooks/calcom/${t.id.toUpperCase()}`,
        `/v1/webhooks/calcom/${t.id}/`,
        `/v1/webhooks/calcom/${t.id}?x=1&x=2`,
      ]);
      break;
    case 9: // oversized
      if (chance(0.1)) body = Buffer.alloc(256 * 1024 + 1 + int(100_000), 0x20);
      break;
    default: // untouched: validly signed (may be published)
      break;
  }
  if (signature !== '' || chance(0.5)) headers['X-Cal-Signature-256'] = signature;
  if (chance(0.05))
    headers[`X-Random-${int(100)}`] = (JSON.stringify(randomJson()) ?? '')
      .slice(0, 100)
      .replace(/[^\x20-\x7e]/g, '?');
  const c: Case = { path, body, headers };
  if (
    t.webhookSecret &&
    tenantInPath(path) === t.id &&
    // HTTP trims the whitespace around a header value: a trailing space is still the signature.
    headers['X-Cal-Signature-256']?.trim() === hmacSha256Hex(t.webhookSecret, body)
  ) {
    c.signedFor = t.id;
    if (REPLAYS.length < 50 && body === base) REPLAYS.push(base);
  }
  return c;
}

const logs = createLogCapture('info');
let testDb: Awaited<ReturnType<typeof createTestDb>>;
let nats: TestNats;
let gw: GatewayUnderTest;
let client: Client;

beforeAll(async () => {
  [testDb, nats] = await Promise.all([createTestDb(), createTestNats()]);
  for (const t of TENANTS) await insertTenant(testDb.db, t);
  gw = await startGateway({
    db: testDb.db,
    nats,
    topology: nats.topology,
    logger: logs.logger('webhook-gateway'),
  });
  client = createClient(gw.url, CONCURRENCY);
});

afterAll(async () => {
  client?.close();
  await gw?.close();
  await nats?.close();
  await testDb?.drop();
});

it(`survives ${CASES} random and mutated deliveries: no 5xx, nothing unsigned published (seed ${seed})`, async () => {
  const signed = new Map<string, Set<string>>(); // deliveryId → tenants it was validly signed for
  const statuses = new Map<number, number>();
  const fivexx: string[] = [];
  let next = 0;
  async function worker() {
    while (next < CASES) {
      next++;
      const c = makeCase();
      if (c.signedFor) {
        const id = sha256Hex(c.body);
        signed.set(id, (signed.get(id) ?? new Set()).add(c.signedFor));
      }
      let status: number;
      try {
        status = (await client.request('POST', c.path, c.body, c.headers)).status;
      } catch (err) {
        // The gateway closes the connection on an oversized body; the client may still be writing it.
        if (c.body.length > 256 * 1024) continue;
        throw err;
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500)
        fivexx.push(`${status} ${c.path} ${JSON.stringify(c.headers)} ${c.body.subarray(0, 200).toString()}`);
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));

  expect(fivexx.slice(0, 5)).toEqual([]);
  expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(CASES * 0.99);
  const published = await streamMessages(nats, nats.topology);
  const ids = new Set<string>();
  for (const m of published) {
    expect(m.decoded.ok).toBe(true);
    if (!m.decoded.ok) continue;
    const { deliveryId, tenantId } = m.decoded.value;
    expect(signed.get(deliveryId)?.has(tenantId)).toBe(true);
    expect(m.meta.origin).toBe('calcom');
    expect(ids.has(deliveryId)).toBe(false);
    ids.add(deliveryId);
  }
  expect(published.length).toBeGreaterThan(100);
  expect(statuses.get(401)).toBeGreaterThan(100);
  logs.assertNoneOf([...TENANTS.map((t) => t.webhookSecret ?? ''), CUSTOMER_EMAIL]);
}, 120_000);
