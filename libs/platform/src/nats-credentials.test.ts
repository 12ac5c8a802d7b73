import { ConfigError, natsConnection } from './config';

const env = (NATS_URL: string, NATS_USER?: string, NATS_PASSWORD?: string) => ({
  NATS_URL,
  NATS_USER,
  NATS_PASSWORD,
});

describe('NATS credentials', () => {
  it('takes a percent-encoded user and password out of NATS_URL, leaving the URL without them', () => {
    expect(natsConnection(env('nats://booking-api:p%40ss%2Fw@nats:4222'))).toEqual({
      url: 'nats://nats:4222',
      credentials: { user: 'booking-api', pass: 'p@ss/w' },
    });
  });

  it('reads NATS_USER and NATS_PASSWORD, for every server of a list', () => {
    expect(natsConnection(env('nats://a:4222, nats://b:4222', 'calcom-sync', 's3cret'))).toEqual({
      url: 'nats://a:4222,nats://b:4222',
      credentials: { user: 'calcom-sync', pass: 's3cret' },
    });
  });

  it('connects without credentials when none are given', () => {
    expect(natsConnection(env('nats://127.0.0.1:4222'))).toEqual({ url: 'nats://127.0.0.1:4222' });
  });

  it.each([
    ['a user without a password', env('nats://n:4222', 'gw'), 'NATS_PASSWORD'],
    ['a password without a user', env('nats://n:4222', undefined, 'x'), 'NATS_USER'],
    ['credentials twice', env('nats://u:p@n:4222', 'u', 'p'), 'NATS_USER'],
    ['different credentials per server', env('nats://u:p@a:4222,nats://v:p@b:4222'), 'NATS_URL'],
    ['a user that is no subject token', env('nats://a.b:p@n:4222'), 'NATS_URL'],
  ])('refuses %s, naming the variable but never the password', (_what, e, variable) => {
    let error: unknown;
    try {
      natsConnection(e);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).not.toMatch(/:p@|\bp\b@|x$/);
  });
});
