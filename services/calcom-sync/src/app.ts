/**
 * Builds calcom-sync from its dependencies: the worker (consume loop → sync
 * rules → Cal.com), the health/metrics server, the gauges and the reconciler.
 * main.ts owns the connections; tests pass their own.
 */
import type { Server } from 'node:http';
import { createTenantReader, migrationsDone, type Db } from '@calsync/db';
import { createTopology } from '@calsync/contracts';
import {
  closeServer,
  createMetrics,
  createSecretBox,
  ensureConsumer,
  ensureStreams,
  listen,
  portOf,
  type Clock,
  type Logger,
  type NatsHandle,
} from '@calsync/platform';
import { createSyncStateStore } from '@calsync/sync-state';
import {
  CIRCUIT_STATE_VALUE,
  createBreakerRegistry,
  createRateLimiter,
  createRateUsageStore,
  createSharedBudget,
  isBusinessError,
} from '@calsync/calcom-access';
import type { CalcomSyncConfig } from './config';
import { createGatewayFactory } from './calcom/gateway';
import { createAttemptsRepo } from './db/attempts-repo';
import { createReconcileRepo } from './db/reconcile-repo';
import { createReviewQueueRepo } from './db/review-queue-repo';
import { createAppointmentSyncer } from './domain/sync-appointment';
import { createReconciler } from './domain/reconcile';
import { createScheduler } from './domain/scheduler';
import { createTenantGate } from './domain/tenant-gate';
import { startAuditRetention } from './db/audit-retention';
import { createHttpApp } from './http/server';
import { createSyncMetrics } from './metrics';
import { startConsumer, type RunningConsumer } from './messaging/consumer';
import { createRepairPublisher } from './messaging/repairs';
import { createResultPublisher } from './messaging/results';

export interface CalcomSyncAppDeps {
  config: CalcomSyncConfig;
  logger: Logger;
  db: Db;
  nats: NatsHandle;
  clock: Clock;
  fetchImpl?: typeof fetch;
}

export function createCalcomSyncApp(deps: CalcomSyncAppDeps) {
  const { config, logger, db, nats, clock } = deps;
  const serviceMetrics = createMetrics('calcom-sync');
  const metrics = createSyncMetrics(serviceMetrics.registry);
  const topology = createTopology(config.nats.namespace);
  const consumerDef = {
    ...topology.consumers.calcomSync,
    ...(config.sync.ackWaitMs ? { ackWaitMs: config.sync.ackWaitMs } : {}),
  };
  const tenants = createTenantReader({ db, secrets: createSecretBox(config.secretsKey) });
  const reviewQueue = createReviewQueueRepo(db);
  const store = createSyncStateStore(db);

  const sharedBudget = createSharedBudget({
    store: createRateUsageStore(db),
    windowMs: config.rateLimit.windowMs,
    clock,
  });
  // The tenant's pacing: every call claims its slot in the budget shared with the other replicas and booking-api.
  const limiter = createRateLimiter({
    windowMs: config.rateLimit.windowMs,
    clock,
    shared: sharedBudget,
    onWait: (tenant) => metrics.rateLimitWaits.inc({ tenant }),
  });
  // The probe needs the gateway factory and the factory needs the breakers: tie the knot lazily.
  let probe: (tenantId: string) => Promise<void> = () => Promise.resolve();
  const breakers = createBreakerRegistry({
    ...config.breaker,
    isBusinessError,
    probe: (tenantId) => probe(tenantId),
    onStateChange: (tenant, state) => metrics.circuitState.set({ tenant }, CIRCUIT_STATE_VALUE[state]),
    logger,
  });
  const gatewayOptions = {
    apiUrl: config.calcom.apiUrl,
    timeoutMs: config.calcom.timeoutMs,
    limiter,
    breakers,
    ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
  };
  // The scheduler (and the reconciler) start work up to this far ahead of its slot; the call waits out the rest.
  const gateways = createGatewayFactory({ ...gatewayOptions, maxInPlaceWaitMs: config.sync.scheduleAheadMs });
  // An event's call waits in place only briefly (it holds a consumer slot); a later slot parks its work.
  const eventInPlaceWaitMs = config.rateLimit.maxInPlaceWaitMs / 2;
  const eventGateways = createGatewayFactory({ ...gatewayOptions, maxInPlaceWaitMs: eventInPlaceWaitMs });
  probe = async (tenantId) => {
    const tenant = await tenants.get(tenantId);
    if (tenant) await gateways.probe(tenant);
  };

  const publishResult = createResultPublisher({ js: nats.js, topology, clock, logger, serviceMetrics });
  const gateDeps = {
    breakers,
    limiter,
    maxInPlaceRateWaitMs: config.sync.scheduleAheadMs,
    eventInPlaceWaitMs,
  };
  const gate = createTenantGate(gateDeps);
  const syncerDeps = {
    store,
    attempts: createAttemptsRepo(db),
    tenants,
    gatewayFor: gateways.gatewayFor,
    limiter,
    publishResult,
    metrics,
    logger,
    clock,
    workerId: config.workerId,
    retryDelaysMs: config.sync.retryDelaysMs,
    lockSeconds: config.sync.lockSeconds,
    ...(config.failpoint === 'after-create-response'
      ? {
          afterCreateAnswered: () => {
            logger.warn('Failpoint after-create-response: killing the process');
            process.kill(process.pid, 'SIGKILL');
          },
        }
      : {}),
  };
  const syncer = createAppointmentSyncer({ ...syncerDeps, gatewayFor: eventGateways.gatewayFor, gate });
  // The scheduler admits what it starts (its tenants' lines, at their budgets' pace): its runs ask only the breaker.
  const scheduledSyncer = createAppointmentSyncer({
    ...syncerDeps,
    gate: createTenantGate({ ...gateDeps, work: 'scheduled' }),
  });
  const scheduler = createScheduler({
    store,
    syncer: scheduledSyncer,
    tenants,
    gate,
    clock,
    logger,
    intervalMs: config.sync.scheduleIntervalMs,
    concurrency: config.sync.scheduleConcurrency,
  });
  const reconciler = createReconciler({
    repo: createReconcileRepo(db),
    store,
    tenants,
    gatewayFor: gateways.gatewayFor,
    publishRepair: createRepairPublisher({ js: nats.js, topology, clock, serviceMetrics }),
    metrics,
    logger,
    clock,
  });

  let consumer: RunningConsumer | undefined;
  let server: Server | undefined;
  const timers: NodeJS.Timeout[] = [];
  let auditRetention: { stop(): Promise<void> } | undefined;

  async function refreshGauges() {
    try {
      const sizes = await reviewQueue.sizes();
      metrics.reviewQueue.reset();
      for (const s of sizes) metrics.reviewQueue.set({ tenant: s.tenant_id }, s.n);
      if (consumer) {
        const lag = await consumer.lag();
        metrics.consumerPending.set(lag.pending);
        metrics.consumerAckPending.set(lag.ackPending);
      }
    } catch (err) {
      logger.debug('Gauge refresh failed', { error: err });
    }
  }

  let reconciling: Promise<void> | undefined;
  function reconcileSoon() {
    reconciling ??= reconciler
      .runOnce()
      .then(() => undefined)
      .catch((err: unknown) => void logger.warn('Reconciliation failed', { error: err }))
      .finally(() => (reconciling = undefined));
  }

  return {
    metrics: serviceMetrics,
    syncMetrics: metrics,
    topology,
    reconciler,
    scheduler,
    get port() {
      return server ? portOf(server) : undefined;
    },
    async start() {
      await ensureStreams(nats.jsm, topology, { replicas: config.nats.replicas });
      await ensureConsumer(nats.jsm, consumerDef);
      scheduler.start();
      consumer = await startConsumer({
        js: nats.js,
        def: consumerDef,
        syncer,
        concurrency: config.sync.concurrency,
        logger,
        metrics,
        serviceMetrics,
      });
      const ready = async () => !nats.nc.isClosed() && (await db.ping()) && (await migrationsDone(db));
      server = await listen(
        createHttpApp({ logger, metrics: serviceMetrics, ready }),
        config.port,
        logger,
        'calcom-sync',
      );
      timers.push(setInterval(() => void refreshGauges(), config.metricsRefreshMs));
      if (config.reconcileIntervalSeconds > 0) {
        timers.push(setInterval(reconcileSoon, config.reconcileIntervalSeconds * 1000));
      }
      for (const t of timers) t.unref();
      auditRetention = startAuditRetention({ db, retentionDays: config.auditRetentionDays, clock, logger });
      logger.info('calcom-sync started', {
        stream: consumerDef.stream,
        durable: consumerDef.durable,
        concurrency: config.sync.concurrency,
        worker: config.workerId,
      });
    },
    /** Stops taking work and finishes what is in flight; the caller then drains NATS and closes MySQL. */
    async stop() {
      for (const t of timers.splice(0)) clearInterval(t);
      await auditRetention?.stop();
      await consumer?.stop();
      consumer = undefined;
      await scheduler.stop();
      await reconciling;
      breakers.shutdown();
      if (server) await closeServer(server);
      server = undefined;
    },
  };
}

export type CalcomSyncApp = ReturnType<typeof createCalcomSyncApp>;
