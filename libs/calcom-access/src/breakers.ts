/**
 * One opossum breaker per tenant (SPEC §6.6). It counts only outage-like
 * failures (5xx, timeouts, network): business answers such as "slot taken" pass
 * the errorFilter. While it is open, calls are refused without reaching Cal.com
 * (calcom-sync's workers do not even take the tenant's work, so appointments
 * keep their attempts); the half-open probe is our own cheap read, never an
 * appointment's attempt. The state lives in the process: each service (each
 * replica) learns of an outage from its own failures.
 */
import CircuitBreaker from 'opossum';
import type { Logger } from '@calsync/platform';

export type CircuitState = 'closed' | 'half-open' | 'open';
export const CIRCUIT_STATE_VALUE: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

export class BreakerOpenError extends Error {
  override name = 'BreakerOpenError';
  constructor(readonly retryInMs: number) {
    super('Cal.com circuit is open');
  }
}

/** The numbers of the rule (config); BreakerOptions adds the behaviour. */
export interface BreakerSettings {
  consecutiveFailures: number;
  errorThresholdPercentage: number;
  volumeThreshold: number;
  rollingWindowMs: number;
  resetTimeoutMs: number;
}

export interface BreakerOptions extends BreakerSettings {
  /** True for errors that are NOT an outage (4xx business answers, 429). */
  isBusinessError: (err: unknown) => boolean;
  /** The half-open probe: a cheap read with the tenant's key. */
  probe: (tenantId: string) => Promise<void>;
  onStateChange?: (tenantId: string, state: CircuitState) => void;
  logger: Logger;
}

export interface BreakerRegistry {
  /** Runs a Cal.com call through the tenant's breaker; throws BreakerOpenError when refused. */
  exec<T>(tenantId: string, call: () => Promise<T>): Promise<T>;
  /** 0 when the tenant's work may be taken; otherwise ms until the next probe. */
  refuseForMs(tenantId: string): number;
  state(tenantId: string): CircuitState;
  shutdown(): void;
}

type Action = (call: () => Promise<unknown>) => Promise<unknown>;

interface Entry {
  breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  consecutive: number;
  openedAt: number;
}

export function createBreakerRegistry(opts: BreakerOptions): BreakerRegistry {
  const entries = new Map<string, Entry>();
  let closed = false;

  function entry(tenantId: string): Entry {
    const existing = entries.get(tenantId);
    if (existing) return existing;
    const action: Action = (call) => call();
    const breaker = new CircuitBreaker(action, {
      name: `calcom:${tenantId}`,
      timeout: false, // the client has its own timeout; opossum's would abandon a call whose outcome then is unknown
      resetTimeout: opts.resetTimeoutMs,
      errorThresholdPercentage: opts.errorThresholdPercentage,
      volumeThreshold: opts.volumeThreshold,
      rollingCountTimeout: opts.rollingWindowMs,
      rollingCountBuckets: 10,
      errorFilter: (err: unknown) => opts.isBusinessError(err),
    });
    const e: Entry = { breaker, consecutive: 0, openedAt: 0 };
    breaker.on('success', () => (e.consecutive = 0));
    breaker.on('failure', () => {
      e.consecutive += 1;
      if (e.consecutive >= opts.consecutiveFailures && breaker.closed) breaker.open();
    });
    breaker.on('open', () => {
      e.openedAt = Date.now();
      opts.logger.warn('Cal.com circuit opened', { tenant: tenantId, resetMs: opts.resetTimeoutMs });
      opts.onStateChange?.(tenantId, 'open');
    });
    breaker.on('halfOpen', () => {
      opts.onStateChange?.(tenantId, 'half-open');
      if (closed) return;
      // Our own probe takes the single half-open call; success closes, failure re-opens.
      breaker
        .fire(() => opts.probe(tenantId))
        .catch((err: unknown) => {
          opts.logger.info('Cal.com half-open probe failed', { tenant: tenantId, error: err });
        });
    });
    breaker.on('close', () => {
      e.consecutive = 0;
      opts.logger.info('Cal.com circuit closed', { tenant: tenantId });
      opts.onStateChange?.(tenantId, 'closed');
    });
    entries.set(tenantId, e);
    opts.onStateChange?.(tenantId, 'closed');
    return e;
  }

  function refuseForMs(tenantId: string): number {
    const e = entry(tenantId);
    if (e.breaker.closed) return 0;
    if (e.breaker.opened) return Math.max(250, e.openedAt + opts.resetTimeoutMs - Date.now() + 100);
    return 500; // half-open: the probe is deciding
  }

  return {
    async exec<T>(tenantId: string, call: () => Promise<T>): Promise<T> {
      const e = entry(tenantId);
      try {
        return (await e.breaker.fire(call)) as T;
      } catch (err) {
        if ((err as { code?: string })?.code === 'EOPENBREAKER')
          throw new BreakerOpenError(refuseForMs(tenantId));
        throw err;
      }
    },
    refuseForMs,
    state(tenantId) {
      const b = entry(tenantId).breaker;
      return b.closed ? 'closed' : b.halfOpen ? 'half-open' : 'open';
    },
    shutdown() {
      closed = true;
      for (const e of entries.values()) e.breaker.shutdown();
    },
  };
}
