import { createHmac } from 'node:crypto';
import {
  NO_SECRET_PROVIDED,
  PREVIOUS_SECRET_GRACE_MS,
  signBody,
  verifySignature,
  verifyTenantSignature,
} from './signature';

const secret = 'whsec_test_secret';
const body = Buffer.from('{"triggerEvent":"PING","createdAt":"2026-05-24T09:30:00.538Z","payload":{}}');
const good = createHmac('sha256', secret).update(body).digest('hex');

describe('verifySignature', () => {
  it('accepts the lowercase hex HMAC-SHA256 of the raw bytes', () => {
    expect(signBody(secret, body)).toBe(good);
    expect(verifySignature(secret, good, body)).toBe('valid');
  });

  it('rejects a signature of other bytes, even when the JSON means the same', () => {
    const reformatted = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1));
    expect(verifySignature(secret, good, reformatted)).toBe('invalid_signature');
  });

  it('rejects a signature made with another secret', () => {
    expect(verifySignature(secret, signBody('other', body), body)).toBe('invalid_signature');
  });

  it('rejects upper-case hex, a prefix and a truncated signature', () => {
    expect(verifySignature(secret, good.toUpperCase(), body)).toBe('invalid_signature');
    expect(verifySignature(secret, `sha256=${good}`, body)).toBe('invalid_signature');
    expect(verifySignature(secret, good.slice(0, 63), body)).toBe('invalid_signature');
  });

  it('tells a missing header and the no-secret literal apart (for metrics only)', () => {
    expect(verifySignature(secret, undefined, body)).toBe('missing_signature');
    expect(verifySignature(secret, '', body)).toBe('missing_signature');
    expect(verifySignature(secret, NO_SECRET_PROVIDED, body)).toBe('no_secret_signature');
  });

  it('never accepts anything for a tenant without a secret', () => {
    expect(verifySignature(null, good, body)).toBe('secret_not_configured');
    expect(verifySignature('', NO_SECRET_PROVIDED, body)).toBe('secret_not_configured');
    expect(verifySignature(undefined, undefined, body)).toBe('secret_not_configured');
  });
});

describe('verifyTenantSignature (secret rotation)', () => {
  const rotatedAt = new Date('2026-05-24T10:00:00.000Z');
  const tenant = {
    calcomWebhookSecret: 'whsec_new',
    calcomPreviousWebhookSecret: { secret: 'whsec_old', rotatedAt },
  };
  const at = (ms: number) => new Date(rotatedAt.getTime() + ms);

  it('accepts the new secret at any time', () => {
    expect(
      verifyTenantSignature(tenant, signBody('whsec_new', body), body, at(PREVIOUS_SECRET_GRACE_MS * 5)),
    ).toBe('valid');
  });

  it('accepts the previous secret while the rotation is younger than 10 minutes', () => {
    expect(verifyTenantSignature(tenant, signBody('whsec_old', body), body, at(1_000))).toBe('valid');
    expect(
      verifyTenantSignature(tenant, signBody('whsec_old', body), body, at(PREVIOUS_SECRET_GRACE_MS - 1)),
    ).toBe('valid');
  });

  it('refuses the previous secret once the grace period is over', () => {
    expect(
      verifyTenantSignature(tenant, signBody('whsec_old', body), body, at(PREVIOUS_SECRET_GRACE_MS)),
    ).toBe('invalid_signature');
  });

  it('refuses any other secret, and no-secret-provided, during the grace period', () => {
    expect(verifyTenantSignature(tenant, signBody('whsec_other', body), body, at(1_000))).toBe(
      'invalid_signature',
    );
    expect(verifyTenantSignature(tenant, NO_SECRET_PROVIDED, body, at(1_000))).toBe('no_secret_signature');
  });
});
