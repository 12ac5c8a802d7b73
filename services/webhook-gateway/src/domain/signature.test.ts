import { createHmac } from 'node:crypto';
import { NO_SECRET_PROVIDED, signBody, verifySignature } from './signature';

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
