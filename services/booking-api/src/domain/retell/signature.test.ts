import { signRetell, verifyRetellSignature } from './signature';

const body = '{"event":"call_ended"}';
const at = (ms: number) => new Date(ms);

describe('Retell signature', () => {
  it('matches the test vector from the Retell SDK', () => {
    expect(signRetell(body, 'test-api-key', 1700000000000)).toBe(
      'v=1700000000000,d=07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e',
    );
    expect(
      verifyRetellSignature({
        header: 'v=1700000000000,d=07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e',
        rawBody: Buffer.from(body),
        apiKey: 'test-api-key',
        now: at(1700000000000 + 1000),
      }),
    ).toEqual({ ok: true });
  });

  it('accepts a timestamp up to 5 minutes either side of our clock and refuses one beyond', () => {
    const ts = 1700000000000;
    const header = signRetell(body, 'k', ts);
    const check = (now: number) =>
      verifyRetellSignature({ header, rawBody: body, apiKey: 'k', now: at(now) });
    expect(check(ts + 5 * 60_000)).toEqual({ ok: true });
    expect(check(ts - 5 * 60_000)).toEqual({ ok: true });
    expect(check(ts + 5 * 60_000 + 1)).toEqual({ ok: false, reason: 'stale' });
    expect(check(ts - 5 * 60_000 - 1)).toEqual({ ok: false, reason: 'stale' });
  });

  it('refuses a missing or malformed header, another key, and a body changed by one byte', () => {
    const ts = Date.now();
    const header = signRetell(body, 'k', ts);
    const now = at(ts);
    expect(verifyRetellSignature({ header: undefined, rawBody: body, apiKey: 'k', now })).toEqual({
      ok: false,
      reason: 'missing',
    });
    for (const bad of ['', 'v=1,d=ab', `d=${'a'.repeat(64)},v=${ts}`, `v=${ts},d=${'z'.repeat(64)}`]) {
      expect(verifyRetellSignature({ header: bad, rawBody: body, apiKey: 'k', now }).ok).toBe(false);
    }
    expect(verifyRetellSignature({ header, rawBody: body, apiKey: 'other', now })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(
      verifyRetellSignature({ header, rawBody: body.replace('ended', 'endeD'), apiKey: 'k', now }),
    ).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('signs the exact bytes: re-serialised JSON with other spacing does not verify', () => {
    const ts = Date.now();
    const header = signRetell('{"a": 1}', 'k', ts);
    expect(verifyRetellSignature({ header, rawBody: '{"a":1}', apiKey: 'k', now: at(ts) }).ok).toBe(false);
  });
});
