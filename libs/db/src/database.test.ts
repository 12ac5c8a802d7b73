import { serverConnectionOptions } from './database';

describe('serverConnectionOptions', () => {
  it('names the server and user of the URL, not its database, and no password when it has none', () => {
    expect(serverConnectionOptions('mysql://root@127.0.0.1:3306/calcom_sync')).toEqual({
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      password: undefined,
    });
  });

  it('decodes a percent-encoded user and password, and defaults the port and user', () => {
    expect(serverConnectionOptions('mysql://app:p%40ss@db/x')).toMatchObject({
      port: 3306,
      user: 'app',
      password: 'p@ss',
    });
    expect(serverConnectionOptions('mysql://db/x')).toMatchObject({ user: 'root', password: undefined });
  });
});
