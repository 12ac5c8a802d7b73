/** Composition root: config → logger → MySQL → NATS → HTTP; SIGTERM drains within 10 s. */
import { createTopology } from '@calsync/contracts';
import { createDb, createTenantReader, ensureDatabase, migrate } from '@calsync/db';
import {
  closeServer,
  connectNats,
  createLogger,
  createSecretBox,
  createShutdown,
  ensureStreams,
  exitOnSignals,
  listen,
  systemClock as clock,
  runMain,
} from '@calsync/platform';
import { createWebhookGatewayApp } from './app';
import { loadConfig } from './config';
import { createDeliveriesRepo } from './db/deliveries-repo';
import { createDeliveryRecorder } from './db/delivery-recorder';
import { createDeliveryPurger } from './db/purger';
import { readDuplicateWindowMs } from './messaging/duplicate-window';
import { createGatewayMetrics } from './metrics';

async function main() {
  const config = loadConfig();
  const logger = createLogger({ service: 'webhook-gateway', level: config.logLevel });
  if (config.usingDevSecretsKey) logger.warn('SECRETS_KEY is not set: using the fixed development key');
  const shutdown = createShutdown(logger);
  exitOnSignals(shutdown);

  if (config.db.migrate) await ensureDatabase(config.db.url);
  const db = createDb({ url: config.db.url, poolMax: config.db.poolMax, logger });
  if (config.db.migrate) await migrate(db, logger);
  const topology = createTopology(config.nats.namespace);
  const { nc, js, jsm } = await connectNats({
    url: config.nats.url,
    credentials: config.nats.credentials,
    name: 'webhook-gateway',
    logger,
  });
  await ensureStreams(jsm, topology, { replicas: config.nats.replicas });

  const tenants = createTenantReader({ db, secrets: createSecretBox(config.secretsKey) });
  const metrics = createGatewayMetrics();
  const deliveriesTable = createDeliveriesRepo(db);
  const deliveries = createDeliveryRecorder({
    repo: deliveriesTable,
    logger,
    metrics,
    ...config.webhook.records,
  });
  const duplicateWindowMs = await readDuplicateWindowMs(jsm, topology);
  const app = createWebhookGatewayApp({
    config,
    logger,
    db,
    js,
    nc,
    topology,
    tenants,
    clock,
    metrics,
    duplicateWindowMs,
    deliveries,
  });
  const purger = createDeliveryPurger({
    deliveries: deliveriesTable,
    clock,
    logger,
    retentionMs: config.webhook.dedupRetentionMs,
    intervalMs: config.webhook.purgeIntervalMs,
  });
  const server = await listen(app, config.port, logger, 'webhook-gateway');
  purger.start();

  // Stop taking deliveries, let in-flight ones finish, write their records, then drain NATS and close MySQL.
  shutdown.add('http', () => closeServer(server));
  shutdown.add('delivery records', () => deliveries.stop());
  shutdown.add('purger', () => purger.stop());
  shutdown.add('nats', () => nc.drain());
  shutdown.add('mysql', () => db.close());
}

runMain('webhook-gateway', main);
