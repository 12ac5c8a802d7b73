/**
 * The composition root's first half: reads the config and owns the process's resources —
 * logger, MySQL pool (database created and migrated), NATS connection (streams ensured), the
 * HTTP listener — and on SIGTERM stops them in order. app.ts builds everything else from them.
 */
import { createTopology } from '@calsync/contracts';
import { createDb, ensureDatabase, migrate } from '@calsync/db';
import {
  closeServer,
  connectNats,
  createLogger,
  createShutdown,
  ensureStreams,
  exitOnSignals,
  listen,
  systemClock,
  runMain,
} from '@calsync/platform';
import { createBookingApi } from './app';
import { loadConfig } from './config';

async function main() {
  const config = loadConfig();
  const logger = createLogger({ service: 'booking-api', level: config.logLevel });
  if (config.usingDevSecretsKey)
    logger.warn('SECRETS_KEY is not set: using the development key (never in production)');
  if (config.db.migrate) await ensureDatabase(config.db.url);
  const db = createDb({ url: config.db.url, poolMax: config.db.poolMax, logger });
  if (config.db.migrate) await migrate(db, logger);
  const topology = createTopology(config.nats.namespace);
  const nats = await connectNats({
    url: config.nats.url,
    credentials: config.nats.credentials,
    name: 'booking-api',
    logger,
  });
  await ensureStreams(nats.jsm, topology, { replicas: config.nats.replicas });

  const api = createBookingApi({
    config,
    logger,
    db,
    nc: nats.nc,
    js: nats.js,
    topology,
    clock: systemClock,
  });
  api.start();
  const server = await listen(api.app, config.port, logger, 'booking-api');

  const shutdown = createShutdown(logger);
  // Open event streams first: the server's close waits for every response to end.
  shutdown.add('live events', () => api.live.close());
  shutdown.add('http', () => closeServer(server));
  shutdown.add('workers', () => api.stop());
  shutdown.add('nats', () => nats.nc.drain());
  shutdown.add('mysql', () => db.close());
  exitOnSignals(shutdown);
}

runMain('booking-api', main);
