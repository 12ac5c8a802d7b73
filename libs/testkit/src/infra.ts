/**
 * Where tests find MySQL and NATS. Order: NATS_URL / DATABASE_URL when set;
 * otherwise containers (testcontainers, started once in jest's global setup)
 * when a Docker engine answers; otherwise the local services. Every test file
 * gets its own database and NATS namespace so runs never collide.
 */
import { randomBytes } from 'node:crypto';
import { connectNats, createLogger, ensureStreams, type NatsHandle } from '@calsync/platform';
import { createDb, ensureDatabase, migrate, serverConnectionOptions, type Db } from '@calsync/db';
import { createTopology, type Topology } from '@calsync/contracts';
import { createConnection } from 'mysql2/promise';

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
export const DEFAULT_DATABASE_URL = 'mysql://root@127.0.0.1:3306/calcom_sync';

export function natsUrl(): string {
  return process.env.NATS_URL || DEFAULT_NATS_URL;
}

export function baseDatabaseUrl(): string {
  return process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
}

export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export function databaseUrlFor(name: string): string {
  const u = new URL(baseDatabaseUrl());
  u.pathname = `/${name}`;
  return u.toString();
}

export interface TestDb {
  db: Db;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file. */
export async function createTestDb(): Promise<TestDb> {
  const name = `calsync_t_${uniqueSuffix()}`;
  const url = databaseUrlFor(name);
  await ensureDatabase(url);
  const db = createDb({ url, poolMax: 30 });
  await migrate(db);
  return {
    db,
    url,
    async drop() {
      await db.close();
      const conn = await createConnection(serverConnectionOptions(url));
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
    },
  };
}

export interface TestNats extends NatsHandle {
  url: string;
  namespace: string;
  topology: Topology;
  close(): Promise<void>;
}

/** A connection plus this file's own streams; close() deletes them. */
export async function createTestNats(url = natsUrl()): Promise<TestNats> {
  const namespace = `t${uniqueSuffix()}`;
  const topology = createTopology(namespace);
  const logger = createLogger({ service: 'test', level: 'error' });
  const handle = await connectNats({ url, name: 'test', logger });
  await ensureStreams(handle.jsm, topology, { replicas: 1 });
  return {
    ...handle,
    url,
    namespace,
    topology,
    async close() {
      for (const s of Object.values(topology.streams))
        await handle.jsm.streams.delete(s.name).catch(() => undefined);
      await handle.nc.drain().catch(() => undefined);
    },
  };
}
