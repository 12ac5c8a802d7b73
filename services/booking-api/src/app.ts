/**
 * Builds booking-api from its dependencies: repositories, domain services, the
 * outbox relay and the Express app. main.ts wires real ones; tests pass their own.
 */
import express from 'express';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import type { JetStreamClient } from '@nats-io/jetstream';
import {
  createMetrics,
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
import { HEADERS, type Topology } from '@calsync/contracts';
import type { BookingApiConfig } from './config';
import { createAppointmentsRepo } from './db/appointments-repo';
import { createIdempotencyRepo } from './db/idempotency-repo';
import { createOutboxRepo } from './db/outbox-repo';
import { createTenantsRepo } from './db/tenants-repo';
import { createAppointmentsService } from './domain/appointments';
import { createTenantsService } from './domain/tenants';
import { createTenantLifecycle } from './domain/tenant-lifecycle';
import { createParkedService } from './domain/parked';
import { adminAuth } from './http/auth';
import { createAuthThrottle } from './http/auth-throttle';
import { adminRouter } from './http/admin';
import { operatorRouter } from './http/operator';
import { createOutboxRelay } from './messaging/outbox-relay';
import { createInboundRepo } from './db/inbound-repo';
import { createInboundParkedRepo } from './db/inbound-parked-repo';
import { createSyncRepo } from './db/sync-repo';
import { createInboundApplier } from './domain/inbound';
import { createSyncService } from './domain/sync';
import { syncRouter } from './http/sync';
import { createInboundConsumer } from './messaging/inbound-consumer';
import { createInboundMetrics } from './messaging/inbound-metrics';
import { createCalcomSlots } from './calcom/slots';
import { createBookingApiCalcom } from './calcom/access';
import { createRetellFunctions } from './domain/retell';
import { retellRouter } from './http/retell';
import { apiRateLimit } from './http/rate-limit';
import { createLiveEvents } from './domain/live-events';
import { createNatsLiveSource } from './messaging/live-source';
import { eventsRouter } from './http/events';
import { settingsRouter } from './http/settings';
import { consoleRouter } from './http/console';
import { apiDocsRouter } from './http/openapi/router';

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
  const metrics = createMetrics('booking-api');
  const secrets = createSecretBox(config.secretsKey);
  const hashAdminToken = createTokenHasher(config.secretsKey);
  // One failed-authentication budget per client and tenant for admin, operator and Retell.
  const authThrottle = createAuthThrottle({ clock, ...config.authThrottle });
  const tenantReader = createTenantReader({ db, secrets });
  // Every Cal.com call with a tenant's key: one budget (shared with calcom-sync) and breaker per tenant.
  const calcom = createBookingApiCalcom({ config, db, tenants: tenantReader, logger, clock, metrics });
  const tenantsRepo = createTenantsRepo(db);
  const outbox = createOutboxRepo(db);
  const idempotency = createIdempotencyRepo(db);

  const relay = createOutboxRelay({
    db,
    outbox,
    js: deps.js,
    topology: deps.topology,
    logger,
    metrics,
    clock,
    pollMs: config.outboxPollMs,
  });
  const appointments = createAppointmentsService({
    db,
    appointments: createAppointmentsRepo(db),
    outbox,
    clock,
    onCommitted: () => relay.kick(),
  });
  const tenants = createTenantsService({
    repo: tenantsRepo,
    reader: tenantReader,
    secrets,
    hashToken: hashAdminToken,
    clock,
  });
  // Onboarding, rotation and offboarding call Cal.com with the tenant's key: the same budget and breaker.
  const lifecycle = createTenantLifecycle({
    tenants,
    repo: tenantsRepo,
    reader: tenantReader,
    secrets,
    calcomFor: (t) => calcom.clientFor(t),
    publicWebhookBaseUrl: config.publicWebhookBaseUrl,
    clock,
    logger,
  });
  const parkedRepo = createInboundParkedRepo(db);
  const parked = createParkedService({
    repo: parkedRepo,
    publish: async (subject, payload, hdrs) => {
      const h = natsHeaders();
      for (const [k, v] of Object.entries(hdrs)) h.set(k, v);
      await deps.js.publish(subject, payload, { headers: h, msgID: hdrs[HEADERS.msgId] });
    },
    clock,
    logger,
  });
  // Cal.com → local (SPEC §6.2, §6.8) and the admin sync endpoints.
  const inboundRepo = createInboundRepo(db);
  const inboundParts = {
    db,
    appointments: createAppointmentsRepo(db),
    inbound: inboundRepo,
    outbox,
    store: createSyncStateStore(db),
    clock,
    logger,
  };
  const inbound = createInboundConsumer({
    js: deps.js,
    def: deps.topology.consumers.inboundApplier,
    parking: parkedRepo,
    applier: createInboundApplier({
      ...inboundParts,
      tenants: tenantReader,
      metrics: createInboundMetrics(metrics.registry),
      onCommitted: () => relay.kick(),
    }),
    logger,
    metrics,
    clock,
    reorderWindowMs: config.inbound.reorderWindowMs,
  });
  const sync = createSyncService({
    ...inboundParts,
    sync: createSyncRepo(db),
    calcomFor: (t) => calcom.clientFor(t),
    onCommitted: () => relay.kick(),
  });
  const retell = createRetellFunctions({
    db,
    appointments,
    idempotency,
    nc: deps.nc,
    topology: deps.topology,
    slots: createCalcomSlots({ clientFor: calcom.clientFor }),
    calcomTimeoutMs: config.calcom.timeoutMs,
    clock,
    logger,
  });

  // The console's live events: one NATS subscription per tenant with open streams (SPEC §4.6).
  const live = createLiveEvents({
    source: createNatsLiveSource({ nc: deps.nc, topology: deps.topology, logger }),
    logger,
  });

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
    adminAuth({ repo: tenantsRepo, reader: tenantReader, hashToken: hashAdminToken, throttle: authThrottle }),
    adminRouter({ appointments, idempotency, clock }),
    syncRouter({ sync, clock }),
    settingsRouter(),
    eventsRouter({ live, registry: metrics.registry }),
  );
  app.use(notFoundHandler);
  app.use(errorMiddleware(logger));

  const housekeeping = setInterval(() => {
    const now = clock.now();
    void Promise.all([
      idempotency.purgeExpired(now),
      outbox.purgePublished(new Date(now.getTime() - 7 * 24 * 3600_000)),
      inboundRepo.purgeTombstones(new Date(now.getTime() - 30 * 24 * 3600_000)),
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
