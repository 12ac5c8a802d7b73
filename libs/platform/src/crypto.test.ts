import { createCipheriv, randomBytes } from 'node:crypto';
import { createSecretBox, createTokenHasher, hashToken } from './crypto';

const KEY = Buffer.alloc(32, 3);
const box = createSecretBox(KEY.toString('base64'));
const A_KEY = { tenantId: 'tenant-a', column: 'calcom_api_key_enc' };

/** A secret as the first release sealed it: no associated data. */
function sealLegacy(plain: string, tagBytes = 16): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', KEY, iv);
  const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  const tag = c.getAuthTag().subarray(0, tagBytes);
  return ['v1', iv.toString('base64'), tag.toString('base64'), ct.toString('base64')].join(':');
}

describe('secrets at rest', () => {
  it('a sealed secret opens only as the tenant and column it was sealed for', () => {
    const sealed = box.seal('cal_live_secret', A_KEY);
    expect(box.open(sealed, A_KEY)).toBe('cal_live_secret');
    expect(() => box.open(sealed, { ...A_KEY, tenantId: 'tenant-b' })).toThrow();
    expect(() => box.open(sealed, { ...A_KEY, column: 'retell_api_key_enc' })).toThrow();
  });

  it('still opens secrets sealed before associated data existed', () => {
    expect(box.open(sealLegacy('old-secret'), A_KEY)).toBe('old-secret');
  });

  it('refuses a shortened authentication tag (the tag length is pinned to 16 bytes)', () => {
    expect(() => box.open(sealLegacy('old-secret', 4), A_KEY)).toThrow();
    const [v, iv, tag, ct] = box.seal('x', A_KEY).split(':');
    const short = [v, iv, Buffer.from(tag!, 'base64').subarray(0, 8).toString('base64'), ct].join(':');
    expect(() => box.open(short, A_KEY)).toThrow();
  });
});

describe('admin token hashes', () => {
  it('are keyed: not the plain SHA-256, and different under another server key', () => {
    const token = 'admin-token-0123456789abcdefghij';
    const hash = createTokenHasher(KEY.toString('base64'));
    expect(hash(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hash(token)).toBe(hash(token));
    expect(hash(token)).not.toBe(hashToken(token));
    expect(createTokenHasher(Buffer.alloc(32, 4).toString('base64'))(token)).not.toBe(hash(token));
  });
});
