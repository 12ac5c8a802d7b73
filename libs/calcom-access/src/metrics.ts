/** The breaker and budget metrics (SPEC §7), for a service's own registry. */
import { Counter, Gauge, type Registry } from 'prom-client';

export function createAccessMetrics(registry: Registry) {
  const registers = [registry];
  return {
    circuitState: new Gauge({
      name: 'calcom_circuit_state',
      help: 'Cal.com circuit breaker per tenant: 0 closed, 1 half-open, 2 open',
      labelNames: ['tenant'] as const,
      registers,
    }),
    rateLimitWaits: new Counter({
      name: 'calcom_rate_limit_waits_total',
      help: 'Times a Cal.com call waited for the tenant budget or a 429 reset',
      labelNames: ['tenant'] as const,
      registers,
    }),
  };
}
export type AccessMetrics = ReturnType<typeof createAccessMetrics>;
