/** The gateway's Express app, built from its dependencies so tests pass real or fake ones. */
import express from 'express';
import type { Topology } from '@calsync/contracts';
import { migrationsDone, type Db } from '@calsync/db';
import {
  errorMiddleware,
  healthRouter,
  natsRoundTrip,
  notFoundHandler,
  requestContext,
  type Clock,
  type Logger,
  type NatsHandle,
} from '@calsync/platform';
import type { WebhookGatewayConfig } from './config';
import { createDeliveriesRepo } from './db/deliveries-repo';
import { createDeliveryRecorder, type DeliveryRecorder } from './db/delivery-recorder';
import { withLastKnownTenants, type GatewayTenants } from './db/last-known-tenants';
import { dedupLookupAgeMs } from './domain/dedup';
import { createWebhookReceiver } from './domain/receiver';
import { webhookRateLimit } from './http/rate-limit';
import { undecodablePathHandler, webhookRouter } from './http/webhooks';
import { createInboundPublisher } from './messaging/publish';
import type { GatewayMetrics } from './metrics';

export interface WebhookGatewayDeps {
  config: Pick<WebhookGatewayConfig, 'webhook'> & Partial<Pick<WebhookGatewayConfig, 'rateLimit'>>;
  logger: Logger;
  db: Db;
  js: NatsHandle['js'];
  /** For readiness only. */
  nc: NatsHandle['nc'];
  topology: Topology;
  tenants: GatewayTenants;
  clock: Clock;
  metrics: GatewayMetrics;
  /**
   * The CALCOM_INBOUND stream's duplicate window (messaging/duplicate-window.ts). Without it,
   * every delivery is looked up in MySQL before it is published, as if the window were 0.
   */
  duplicateWindowMs?: number;
  /**
   * The deliveries table, written behind (db/delivery-recorder.ts); pass one to `stop()` it on
   * shutdown. Without it the app makes its own, flushed by its timer only.
   */
  deliveries?: DeliveryRecorder;
}

export function createWebhookGatewayApp(deps: WebhookGatewayDeps): express.Express {
  const { config, logger, db, metrics } = deps;
  const lookupFromAgeMs = dedupLookupAgeMs({
    duplicateWindowMs: deps.duplicateWindowMs ?? 0,
    maxFutureSkewMs: config.webhook.maxFutureSkewSeconds * 1000,
  });
  logger.info('Webhook de-duplication', {
    duplicateWindowSeconds: (deps.duplicateWindowMs ?? 0) / 1000,
    mysqlLookupFromAgeSeconds: lookupFromAgeMs / 1000,
  });
  const receiver = createWebhookReceiver({
    tenants: withLastKnownTenants(deps.tenants, {
      maxStaleMs: config.webhook.tenantStaleOnOutageMs,
      logger,
      now: () => deps.clock.now().getTime(),
    }),
    deliveries:
      deps.deliveries ??
      createDeliveryRecorder({
        repo: createDeliveriesRepo(db),
        logger,
        metrics,
        ...config.webhook.records,
      }),
    publisher: createInboundPublisher({
      js: deps.js,
      topology: deps.topology,
      timeoutMs: config.webhook.publishTimeoutMs,
      metrics,
    }),
    clock: deps.clock,
    logger,
    window: {
      windowSeconds: config.webhook.replayWindowSeconds,
      maxFutureSkewSeconds: config.webhook.maxFutureSkewSeconds,
    },
    lookupFromAgeMs,
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestContext(logger));
  app.use(metrics.httpMiddleware);
  app.use(
    healthRouter({
      registry: metrics.registry,
      ready: async () => (await natsRoundTrip(deps.nc)) && (await db.ping()) && (await migrationsDone(db)),
    }),
  );
  if (config.rateLimit) {
    app.set('trust proxy', config.rateLimit.trustProxy);
    app.use(webhookRateLimit({ config: config.rateLimit, clock: deps.clock, registry: metrics.registry }));
  }
  app.use(webhookRouter({ receiver, metrics, logger, maxBodyBytes: config.webhook.maxBodyBytes }));
  app.use(notFoundHandler);
  app.use(undecodablePathHandler(metrics));
  app.use(errorMiddleware(logger));
  return app;
}
