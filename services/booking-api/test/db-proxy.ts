/**
 * A TCP proxy in front of the shared MariaDB that a test can cut: open
 * connections are destroyed and new ones refused, as when MySQL goes away,
 * without touching the server other tests use.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { parseDatabaseUrl } from '@calsync/db';

export interface DbProxy {
  /** DATABASE_URL through the proxy. */
  url: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startDbProxy(databaseUrl: string): Promise<DbProxy> {
  const target = parseDatabaseUrl(databaseUrl);
  const sockets = new Set<Socket>();
  let up = true;
  const server: Server = createServer((client) => {
    if (!up) return client.destroy();
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const u = new URL(databaseUrl);
  u.hostname = '127.0.0.1';
  u.port = String((server.address() as { port: number }).port);
  return {
    url: u.toString(),
    cut() {
      up = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      up = true;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
