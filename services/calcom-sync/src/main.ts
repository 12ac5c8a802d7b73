/** Composition root: config → logger → MySQL → NATS → app; SIGTERM drains and exits 0. */
import { createDb, ensureDatabase, migrate } from '@calsync/db';
import {
  connectNats,
  createLogger,
  createShutdown,
  exitOnSignals,
  systemClock,
  runMain,
} from '@calsync/platform';
import { createCalcomSyncApp } from './app';
import { loadConfig } from './config';

async function main() {
  const config = loadConfig();
  const logger = createLogger({ service: 'calcom-sync', level: config.logLevel });
  if (config.usingDevSecretsKey)
    logger.warn('SECRETS_KEY not set: using the development key (never in production)');
  if (config.db.migrate) await ensureDatabase(config.db.url);
  const db = createDb({ url: config.db.url, poolMax: config.db.poolMax, logger });
  if (config.db.migrate) await migrate(db, logger);
  const nats = await connectNats({
    url: config.nats.url,
    credentials: config.nats.credentials,
    name: `calcom-sync:${config.workerId}`,
    logger,
  });
  const app = createCalcomSyncApp({ config, logger, db, nats, clock: systemClock });

  const shutdown = createShutdown(logger);
  shutdown.add('stop consuming and finish in-flight work', () => app.stop());
  shutdown.add('drain NATS', () => nats.nc.drain());
  shutdown.add('close MySQL', () => db.close());
  exitOnSignals(shutdown);
  await app.start();
}

runMain('calcom-sync', main);
