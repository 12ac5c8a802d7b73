/**
 * Test runs that were killed leave their database and streams behind. Their
 * names carry their creation time (uniqueSuffix: base36 ms + 6 hex), so the
 * global setup removes those older than `maxAgeMs`, never a running neighbour's.
 */
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { createConnection } from 'mysql2/promise';
import { serverConnectionOptions } from '@calsync/db';

/** Creation time encoded in a test resource suffix, or null when the name is not one of ours. */
export function createdAtOf(suffix: string): number | null {
  const m = /^([0-9a-z]{8,9})[0-9a-f]{6}$/.exec(suffix.toLowerCase());
  if (!m) return null;
  const ms = parseInt(m[1]!, 36);
  return ms > Date.UTC(2024, 0, 1) && ms < Date.now() + 86_400_000 ? ms : null;
}

export async function sweepStaleTestResources(opts: {
  natsUrl: string;
  databaseUrl: string;
  maxAgeMs: number;
}): Promise<number> {
  const cutoff = Date.now() - opts.maxAgeMs;
  const stale = (suffix: string) => {
    const at = createdAtOf(suffix);
    return at !== null && at < cutoff;
  };
  let removed = 0;
  const conn = await createConnection(serverConnectionOptions(opts.databaseUrl));
  try {
    const [rows] = await conn.query("SHOW DATABASES LIKE 'calsync\\_t\\_%'");
    for (const row of rows as Record<string, string>[]) {
      const name = Object.values(row)[0]!;
      if (stale(name.slice('calsync_t_'.length))) {
        await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
        removed++;
      }
    }
  } finally {
    await conn.end();
  }
  const nc = await connect({ servers: opts.natsUrl, maxReconnectAttempts: 0 });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const s of jsm.streams.list()) {
      const m = /^[TPSB]([0-9A-Z]+)_(APPOINTMENTS|CALCOM_INBOUND|SYNC_RESULTS)$/.exec(s.config.name);
      if (m && stale(m[1]!)) {
        await jsm.streams.delete(s.config.name);
        removed++;
      }
    }
  } finally {
    await nc.close();
  }
  return removed;
}
