/**
 * The composition root, in two halves. main.ts reads the config and owns the process's
 * resources: the MySQL pool, the NATS connection, the HTTP listener, signals and the order
 * of shutdown. This file builds everything else from what main.ts (or a test) hands it:
 * the repositories (db/), the messaging and Cal.com adapters (messaging/, calcom/), the
 * domain services, which receive them as the ports they declare (domain/ports.ts), the
 * workers (outbox relay, inbound consumer, housekeeping) and the Express app (http/).
 * Nothing else constructs a repository or an adapter.
 */
import express from 'express';
import type { NatsConnection } from '@nats-io/transport-node';
import type { JetStreamClient } from '@nats-io/jetstream';
import {
  createSecretBox,
  createTokenHasher,
  errorMiddleware,
  healthRouter,
  notFoundHandler,
  requestContext,
  type Clock,
  type Logger,
} from '@calsync/platform';
import { createTenantReader, migrationsDone, type Db } from '@calsync/db';
import { createSyncStateStore } from '@calsync/sync-state';
import type { Topology } from '@calsync/contracts';
import type { BookingApiConfig } from './config';
import { createBookingApiCalcom } from './calcom/access';
import { createCalcomSlots } from './calcom/slots';
import { createAppointmentsRepo } from './db/appointments-repo';
import { createIdempotencyRepo } from './db/idempotency-repo';
import { createInboundParkedRepo } from './db/inbound-parked-repo';
import { createInboundRepo } from './db/inbound-repo';
import { createOutboxRepo } from './db/outbox-repo';
import { createRetellRepo } from './db/retell-repo';
import { createSyncRepo } from './db/sync-repo';
import { createTenantsRepo } from './db/tenants-repo';
import { createAppointmentsService } from './domain/appointments';
import { createInboundApplier } from './domain/inbound';
import { createLiveEvents } from './domain/live-events';
import { createParkedService } from './domain/parked';
import { createRetellFunctions } from './domain/retell';
import { createSyncService } from './domain/sync';
import { createTenantLifecycle } from './domain/tenant-lifecycle';
import { createTenantsService } from './domain/tenants';
import { adminRouter } from './http/admin';
import { adminAuth } from './http/auth';
import { createAuthThrottle } from './http/auth-throttle';
import { consoleRouter } from './http/console';
import { eventsRouter } from './http/events';
import { apiDocsRouter } from './http/openapi/router';
import { operatorRouter } from './http/operator';
import { apiRateLimit } from './http/rate-limit';
import { retellRouter } from './http/retell';
import { settingsRouter } from './http/settings';
import { syncRouter } from './http/sync';
import { createInboundConsumer } from './messaging/inbound-consumer';
import { createNatsLiveSource } from './messaging/live-source';
import { createOutboxRelay } from './messaging/outbox-relay';
import { createRawPublish } from './messaging/raw-publish';
import { createSyncResultWaiter } from './messaging/sync-results';
import { createBookingApiMetrics } from './metrics';

export interface BookingApiDeps {
  config: BookingApiConfig;
  logger: Logger;
  db: Db;
  nc: NatsConnection;
  js: JetStreamClient;
  topology: Topology;
  clock: Clock;
}

export function createBookingApi(deps: BookingApiDeps) {
  const { config, logger, db, clock } = deps;
  const metrics = createBookingApiMetrics();
  const secrets = createSecretBox(config.secretsKey);
  const hashAdminToken = createTokenHasher(config.secretsKey);
  // One failed-authentication budget per client and tenant for admin, operator and Retell.
  const authThrottle = createAuthThrottle({ clock, ...config.authThrottle });
  const tenantReader = createTenantReader({ db, secrets });
  // Every Cal.com call with a tenant's key: one budget (shared with calcom-sync) and breaker per tenant.
  const calcom = createBookingApiCalcom({ config, db, tenants: tenantReader, logger, clock, metrics });
  const calcomFor = calcom.clientFor;

  // The only code with SQL; the sync columns change through @calsync/sync-state's store.
  const repos = {
    appointments: createAppointmentsRepo(db),
    outbox: createOutboxRepo(db),
    inbound: createInboundRepo(db),
    parked: createInboundParkedRepo(db),
    sync: createSyncRepo(db),
    tenants: createTenantsRepo(db),
    idempotency: createIdempotencyRepo(db),
    retell: createRetellRepo(db),
  };
  const store = createSyncStateStore(db);

  const relay = createOutboxRelay({
    db,
    outbox: repos.outbox,
    js: deps.js,
    topology: deps.topology,
    logger,
    metrics,
    clock,
    pollMs: config.outboxPollMs,
  });
  // After a commit that wrote outbox rows: wake the relay.
  const onCommitted = () => relay.kick();

  const appointments = createAppointmentsService({
    db,
    appointments: repos.appointments,
    outbox: repos.outbox,
    clock,
    onCommitted,
  });
  const tenants = createTenantsService({
    repo: repos.tenants,
    reader: tenantReader,
    secrets,
    hashToken: hashAdminToken,
    clock,
  });
  // Onboarding, rotation and offboarding call Cal.com with the tenant's key: the same budget and breaker.
  const lifecycle = createTenantLifecycle({
    tenants,
    repo: repos.tenants,
    reader: tenantReader,
    secrets,
    calcomFor,
    publicWebhookBaseUrl: config.publicWebhookBaseUrl,
    clock,
    logger,
  });
  const parked = createParkedService({
    repo: repos.parked,
    publish: createRawPublish(deps.js),
    clock,
    logger,
  });
  // Cal.com → local (SPEC §6.2, §6.8) and the admin sync endpoints.
  const changeParts = {
    db,
    appointments: repos.appointments,
    outbox: repos.outbox,
    store,
    clock,
    logger,
    onCommitted,
  };
  const inbound = createInboundConsumer({
    js: deps.js,
    def: deps.topology.consumers.inboundApplier,
    parking: repos.parked,
    applier: createInboundApplier({
      ...changeParts,
      inbound: repos.inbound,
      tenants: tenantReader,
      metrics,
    }),
    logger,
    metrics,
    clock,
    reorderWindowMs: config.inbound.reorderWindowMs,
  });
  const sync = createSyncService({ ...changeParts, sync: repos.sync, calcomFor });
  const retell = createRetellFunctions({
    appointments,
    appointmentsRepo: repos.appointments,
    retellRepo: repos.retell,
    idempotency: repos.idempotency,
    waitForSync: createSyncResultWaiter({ nc: deps.nc, topology: deps.topology, clock }),
    slots: createCalcomSlots({ clientFor: calcomFor }),
    calcomTimeoutMs: config.calcom.timeoutMs,
    clock,
    logger,
  });

  // The console's live events: one NATS subscription per tenant with open streams (SPEC §4.6).
  const live = createLiveEvents({
    source: createNatsLiveSource({ nc: deps.nc, topology: deps.topology, logger }),
    logger,
  });
  // Gauges read at each scrape.
  metrics.outboxPending.readFrom(() => repos.outbox.pendingCount().catch(() => -1));
  metrics.liveConnections.readFrom(() => live.connections());

  let migrated = false;
  const ready = async () => {
    if (deps.nc.isClosed()) return false;
    await Promise.race([
      deps.nc.flush(),
      new Promise((_, rej) => setTimeout(() => rej(new Error('nats timeout')), 1_000).unref()),
    ]);
    await db.ping();
    migrated ||= await migrationsDone(db);
    return migrated;
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(requestContext(logger));
  app.use(metrics.httpMiddleware);
  app.use(healthRouter({ registry: metrics.registry, ready }));
  app.use(apiDocsRouter());
  app.set('trust proxy', config.rateLimit.trustProxy);
  app.use(apiRateLimit({ config: config.rateLimit, clock, registry: metrics.registry }));
  // Before the JSON parser: Retell signs the raw bytes, which this router reads itself.
  app.use(
    '/v1/tenants/:tenantId/retell/functions',
    retellRouter({
      tenants: tenantReader,
      retell,
      throttle: authThrottle,
      clock,
      logger,
      confirmTimeoutMs: config.retell.confirmTimeoutMs,
    }),
  );
  app.use(consoleRouter({ logger }));
  app.use(express.json({ limit: '1mb', type: 'application/json' }));
  app.use(
    operatorRouter({
      tenants,
      lifecycle,
      parked,
      appointments,
      operatorToken: config.operatorToken,
      throttle: authThrottle,
    }),
  );
  app.use(
    '/v1/tenants/:tenantId',
    adminAuth({
      repo: repos.tenants,
      reader: tenantReader,
      hashToken: hashAdminToken,
      throttle: authThrottle,
    }),
    adminRouter({ appointments, idempotency: repos.idempotency, clock }),
    syncRouter({ sync, clock }),
    settingsRouter(),
    eventsRouter({ live }),
  );
  app.use(notFoundHandler);
  app.use(errorMiddleware(logger));

  const housekeeping = setInterval(() => {
    const now = clock.now();
    void Promise.all([
      repos.idempotency.purgeExpired(now),
      repos.outbox.purgePublished(new Date(now.getTime() - 7 * 24 * 3600_000)),
      repos.inbound.purgeTombstones(new Date(now.getTime() - 30 * 24 * 3600_000)),
    ]).catch((err: unknown) => logger.warn('Housekeeping failed', { error: err }));
  }, 10 * 60_000);
  housekeeping.unref();

  return {
    app,
    metrics,
    relay,
    live,
    services: { appointments, tenants, sync },
    start() {
      relay.start();
      inbound.start();
    },
    async stop() {
      await live.close();
      clearInterval(housekeeping);
      calcom.shutdown();
      await inbound.stop();
      await relay.stop();
    },
  };
}
export type BookingApi = ReturnType<typeof createBookingApi>;
