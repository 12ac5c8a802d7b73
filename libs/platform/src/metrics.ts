/** One prom-client Registry per service, with HTTP RED metrics every service shares. */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestHandler } from 'express';

export interface ServiceMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  httpMiddleware: RequestHandler;
  eventsPublished: Counter<'subject' | 'origin'>;
  eventsConsumed: Counter<'subject' | 'origin'>;
  invalidMessages: Counter<'stream'>;
}

/** Subjects carry ids; metrics get the shape (`appointments.*.*.booked`) to keep cardinality bounded. */
export function subjectLabel(subject: string): string {
  const parts = subject.split('.');
  const i = parts.indexOf('appointments');
  if (i >= 0) return [...parts.slice(0, i + 1), '*', '*', parts.at(-1)].join('.');
  const j = parts.indexOf('inbound');
  if (j >= 0) return [...parts.slice(0, j + 1), '*', parts.at(-1)].join('.');
  const k = parts.indexOf('sync');
  if (k >= 0) return [...parts.slice(0, k + 1), '*', '*', parts.at(-1)].join('.');
  return subject;
}

export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  // prom-client names these gauges *_total, which Prometheus reserves for counters
  // (`promtool check metrics` rejects them); the per-type gauges without the suffix stay.
  for (const name of [
    'nodejs_active_handles_total',
    'nodejs_active_requests_total',
    'nodejs_active_resources_total',
  ]) {
    registry.removeSingleMetric(name);
  }
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const eventsPublished = new Counter({
    name: 'events_published_total',
    help: 'Messages published to JetStream by subject shape and origin',
    labelNames: ['subject', 'origin'] as const,
    registers: [registry],
  });
  const eventsConsumed = new Counter({
    name: 'events_consumed_total',
    help: 'Messages consumed from JetStream by subject shape and origin',
    labelNames: ['subject', 'origin'] as const,
    registers: [registry],
  });
  const invalidMessages = new Counter({
    name: 'events_invalid_total',
    help: 'Messages that failed schema validation and were terminated',
    labelNames: ['stream'] as const,
    registers: [registry],
  });
  const httpMiddleware: RequestHandler = (req, res, next) => {
    const end = httpDuration.startTimer();
    res.on('finish', () => {
      // The matched route pattern, never the raw path (ids would explode cardinality).
      const routePath = (req.route as { path?: string } | undefined)?.path;
      const route = routePath ? `${req.baseUrl}${routePath}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
  return { registry, httpDuration, httpMiddleware, eventsPublished, eventsConsumed, invalidMessages };
}
