/**
 * Authentication hardening (issue 9, item 7): keyed admin-token hashes (old
 * unkeyed ones accepted once and rehashed), rotation that takes effect at once,
 * and a throttle on failed admin, operator and Retell authentication.
 */
import { hashToken } from '@calsync/platform';
import { signRetell } from '../src/domain/retell/signature';
import { createTenant, OPERATOR_TOKEN, startBookingApi, type Harness, type TestTenant } from './harness';
import { movableClock } from './movable-clock';

const clock = movableClock();
let h: Harness;
let t: TestTenant;

beforeAll(async () => {
  h = await startBookingApi({ clock });
  t = await createTenant(h);
});
/** Each test starts with a fresh throttle window. */
afterEach(() => {
  clock.advance(10 * 60_000);
});
afterAll(() => h.close());

const list = (tenant: TestTenant, token: string) =>
  h.http('GET', `/v1/tenants/${tenant.id}/appointments`, { token });
const storedHash = async (id: string) =>
  (
    await h.testDb.db.query<{ admin_token_hash: string }>(
      'SELECT admin_token_hash FROM tenants WHERE id = ?',
      [id],
    )
  )[0]!.admin_token_hash;

describe('admin tokens', () => {
  it('are stored as a keyed hash, not the plain SHA-256 of the token', async () => {
    expect(await storedHash(t.id)).not.toBe(hashToken(t.adminToken));
    expect((await list(t, t.adminToken)).status).toBe(200);
  });

  it('stored under the old unkeyed SHA-256 still work, and are rehashed on first use', async () => {
    const legacy = await createTenant(h);
    await h.testDb.db.execute('UPDATE tenants SET admin_token_hash = ? WHERE id = ?', [
      hashToken(legacy.adminToken),
      legacy.id,
    ]);
    expect((await list(legacy, legacy.adminToken)).status).toBe(200);
    expect(await storedHash(legacy.id)).not.toBe(hashToken(legacy.adminToken));
    expect((await list(legacy, legacy.adminToken)).status).toBe(200);
  });

  it('a rotated token stops working at once on the replica that rotated it', async () => {
    const r = await createTenant(h);
    expect((await list(r, r.adminToken)).status).toBe(200); // now in every cache
    const rotated = `${r.adminToken}-rotated`;
    const put = await h.http('PUT', `/v1/tenants/${r.id}`, {
      token: OPERATOR_TOKEN,
      body: {
        name: 'Rotated',
        timeZone: 'Europe/Berlin',
        adminToken: rotated,
        calcom: {
          apiKey: r.calcomApiKey,
          eventTypes: [{ id: r.eventTypeId, title: 'B', lengthInMinutes: 30 }],
        },
      },
    });
    expect(put.status).toBe(200);
    expect((await list(r, r.adminToken)).status).toBe(401);
    expect((await list(r, rotated)).status).toBe(200);
  });
});

describe('failed authentication is throttled per client', () => {
  it('admin: after 10 wrong tokens the client gets 429 with Retry-After, even with the right token', async () => {
    for (let i = 0; i < 10; i++)
      expect((await list(t, `wrong-token-${i}-0123456789abcdef`)).status).toBe(401);
    const limited = await list(t, 'wrong-token-x-0123456789abcdef');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await list(t, t.adminToken)).status).toBe(429);
    clock.advance(61_000); // the window has passed
    expect((await list(t, t.adminToken)).status).toBe(200);
  });

  it('operator: after 10 wrong operator tokens, 429', async () => {
    const get = (token: string) => h.http('GET', `/v1/tenants/${t.id}`, { token });
    for (let i = 0; i < 10; i++) expect((await get(`wrong-operator-${i}-0123456789abcdef`)).status).toBe(401);
    expect((await get(OPERATOR_TOKEN)).status).toBe(429);
  });

  it('Retell: after 10 bad signatures, 429', async () => {
    const raw = JSON.stringify({ name: 'check_availability', args: { date: '2050-09-05' } });
    const call = (key: string) =>
      h.http('POST', `/v1/tenants/${t.id}/retell/functions/check_availability`, {
        raw,
        headers: {
          'content-type': 'application/json',
          'x-retell-signature': signRetell(raw, key, clock.now().getTime()),
        },
      });
    for (let i = 0; i < 10; i++) expect((await call(`wrong-key-${i}`)).status).toBe(401);
    expect((await call(t.retellApiKey)).status).toBe(429);
  });
});
