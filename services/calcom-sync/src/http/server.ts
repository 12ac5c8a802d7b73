/** calcom-sync's only HTTP surface: /livez, /readyz, /metrics. */
import express from 'express';
import {
  errorMiddleware,
  healthRouter,
  notFoundHandler,
  type Logger,
  type ServiceMetrics,
} from '@calsync/platform';

export function createHttpApp(deps: {
  logger: Logger;
  metrics: ServiceMetrics;
  ready: () => Promise<boolean>;
}) {
  const app = express();
  app.disable('x-powered-by');
  app.use(deps.metrics.httpMiddleware);
  app.use(healthRouter({ registry: deps.metrics.registry, ready: deps.ready }));
  app.use(notFoundHandler);
  app.use(errorMiddleware(deps.logger));
  return app;
}
