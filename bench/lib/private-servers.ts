/**
 * Servers of our own for the cost count, so that MariaDB's global counters and
 * NATS's per-connection counters hold nothing but the bench's traffic: a
 * disposable MariaDB (testkit's) with one MySQL user per service, and a
 * nats-server with JetStream and its monitoring endpoint.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, type Connection } from 'mysql2/promise';
import { freePort, killProcess, startDisposableMariadb, waitForPort } from '@calsync/testkit';
import type { Cleanup } from './infra';

export interface PrivateMysql {
  port: number;
  /** A connection as root, for the counters and the general log. */
  root: Connection;
  /** DATABASE_URL of `database` for the given user. */
  urlFor(user: string, database: string): string;
}

/** A private MariaDB with a user per name in `users` (all privileges; the name tells the services apart). */
export async function privateMysql(cleanup: Cleanup, users: string[]): Promise<PrivateMysql> {
  const server = await startDisposableMariadb();
  cleanup.add('private MariaDB', () => server.destroy());
  const root = await createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
  cleanup.add('private MariaDB connection', () => root.end());
  for (const u of users)
    for (const host of ['%', 'localhost', '127.0.0.1']) {
      await root.query(`CREATE USER IF NOT EXISTS '${u}'@'${host}'`);
      await root.query(`GRANT ALL PRIVILEGES ON *.* TO '${u}'@'${host}'`);
    }
  return { port: server.port, root, urlFor: (user, db) => `mysql://${user}@127.0.0.1:${server.port}/${db}` };
}

export interface PrivateNats {
  url: string;
  /** The monitoring endpoint, e.g. `${monitor}/connz`. */
  monitor: string;
}

const NATS_BINARIES = ['/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/usr/bin/nats-server'];

export async function privateNats(cleanup: Cleanup): Promise<PrivateNats> {
  const bin = NATS_BINARIES.find((b) => existsSync(b));
  if (!bin) throw new Error('the cost count needs a local nats-server binary');
  const [port, mport] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'calsync-bench-nats-'));
  const child = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-m', String(mport), '-js', '-sd', dir], {
    stdio: 'ignore',
  });
  cleanup.add('private nats-server', async () => {
    await killProcess(child);
    rmSync(dir, { recursive: true, force: true });
  });
  await waitForPort(port);
  await waitForPort(mport);
  return { url: `nats://127.0.0.1:${port}`, monitor: `http://127.0.0.1:${mport}` };
}
