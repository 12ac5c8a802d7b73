/** Composition of the sandbox: state, webhooks, throttling, faults, HTTP. */
import type { Server } from 'node:http';
import express, { type ErrorRequestHandler, type Response } from 'express';
import { createLogger, listen, portOf, systemClock, type Clock, type Logger } from '@calsync/platform';
import type {
  AccountInput,
  FaultRule,
  RateLimitOptions,
  RecordedCall,
  SandboxBooking,
  WebhookConfig,
  WebhookSubscription,
} from './types';
import { Store } from './store';
import { createWebhookSender } from './webhooks';
import { createBookingService } from './bookings';
import { createRateLimiter } from './ratelimit';
import { createFaults } from './faults';
import { gate, recorder, type GateDeps } from './gate';
import { apiRouter } from './api';
import { subscriptionsRouter } from './subscriptions';
import { controlRouter } from './control';
import { errorBody, SandboxHttpError, notFound } from './errors';
import { createBookingSchema, parseBody, type CreateBookingBody } from './validation';

export interface CalcomSandboxOptions {
  /** 0 = any free port. Default 0. */
  port?: number;
  rateLimit?: RateLimitOptions;
  logger?: Logger;
  clock?: Clock;
  /** Added to every /v2 call. */
  latencyMs?: number;
  /** How long a webhook delivery may take before it counts as failed. Default 10 s. */
  webhookTimeoutMs?: number;
}

export interface CalcomSandbox {
  url: string;
  port: number;
  close(): Promise<void>;
  addAccount(a: AccountInput): void;
  setWebhook(apiKey: string, hook: WebhookConfig | null): void;
  /** Subscriptions registered through `/v2/webhooks` (all accounts, or one key's). */
  webhooks(filter?: { apiKey?: string }): WebhookSubscription[];
  bookings(filter?: { apiKey?: string }): SandboxBooking[];
  calls(filter?: { kind?: 'api' | 'webhook'; route?: string }): RecordedCall[];
  resetCalls(): void;
  injectFault(rule: FaultRule): void;
  faults(): FaultRule[];
  clearFaults(): void;
  setLatency(ms: number): void;
  ping(apiKey: string): Promise<void>;
  /** Clears bookings, calls, faults, throttling and latency; accounts too with `{accounts: true}`. */
  reset(opts?: { accounts?: boolean }): void;
  /** What a customer does on the Cal.com booking page: state changes and the webhook goes out. */
  customer: {
    book(apiKey: string, input: CreateBookingBody): Promise<SandboxBooking>;
    cancel(uid: string, reason?: string): Promise<SandboxBooking>;
    reschedule(uid: string, start: string, reason?: string): Promise<SandboxBooking>;
  };
  /** What the host does in the Cal.com UI for event types that need confirmation. */
  host: {
    confirm(uid: string): Promise<SandboxBooking>;
    reject(uid: string, reason?: string): Promise<SandboxBooking>;
  };
}

const copy = (b: SandboxBooking): SandboxBooking => ({
  ...b,
  attendees: b.attendees.map((a) => ({ ...a })),
  metadata: { ...b.metadata },
});

export async function createCalcomSandbox(opts: CalcomSandboxOptions = {}): Promise<CalcomSandbox> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger({ service: 'calcom-sandbox', level: 'warn' });
  const store = new Store();
  let callLog: RecordedCall[] = [];
  const record = (c: RecordedCall) => {
    callLog.push(c);
    if (callLog.length > 10_000) callLog = callLog.slice(-5_000);
  };
  const faults = createFaults();
  const webhooks = createWebhookSender({
    clock,
    logger,
    record,
    timeoutMs: opts.webhookTimeoutMs,
    takeFault: (apiKey) => faults.takeWebhook(apiKey),
    // The control API's webhook, then every active subscription listening for the trigger (PING: all active).
    targetsOf: (account, trigger) => [
      ...(account.webhook ? [account.webhook] : []),
      ...store
        .subscriptionsOf(account.id)
        .filter((s) => s.active && (trigger === 'PING' || s.triggers.includes(trigger)))
        .map((s) => ({ url: s.subscriberUrl, secret: s.secret })),
    ],
  });
  const bookings = createBookingService({ store, webhooks, clock });
  const limiter = createRateLimiter(
    opts.rateLimit ?? { limit: 120, windowMs: 60_000, blockMs: 60_000 },
    clock,
  );
  let latency = opts.latencyMs ?? 0;
  const held = new Set<Response>();
  const gateDeps: GateDeps = { store, limiter, faults, clock, record, latencyMs: () => latency, held };

  const accountOfBooking = (uid: string) => {
    const b = store.get(uid);
    const account = b && store.accountById(b.accountId);
    if (!account) throw notFound(`Booking with uid=${uid} not found`);
    return account;
  };
  const accountByKey = (apiKey: string) => {
    const a = store.account(apiKey);
    if (!a) throw notFound('Unknown sandbox account');
    return a;
  };

  const sandbox: Omit<CalcomSandbox, 'url' | 'port' | 'close'> = {
    addAccount: (a) => void store.addAccount(a),
    setWebhook: (k, h) => store.setWebhook(k, h),
    webhooks: (f) => {
      const id = f?.apiKey ? store.account(f.apiKey)?.id : undefined;
      return [...store.subscriptions.values()]
        .filter((s) => id === undefined || s.accountId === id)
        .map((s) => ({ ...s, triggers: [...s.triggers] }));
    },
    bookings: (f) => {
      const id = f?.apiKey ? store.account(f.apiKey)?.id : undefined;
      return store
        .all()
        .filter((b) => id === undefined || b.accountId === id)
        .map(copy);
    },
    calls: (f) =>
      callLog.filter((c) => (!f?.kind || c.kind === f.kind) && (!f?.route || c.route === f.route)),
    resetCalls: () => void (callLog = []),
    injectFault: (r) => faults.add(r),
    faults: () => faults.list(),
    clearFaults: () => faults.clear(),
    setLatency: (ms) => void (latency = ms),
    ping: async (apiKey) => {
      const a = accountByKey(apiKey);
      await webhooks.send(a, 'PING', { triggerEvent: 'PING', createdAt: clock.now().toISOString() });
    },
    reset: (o) => {
      if (o?.accounts) store.reset();
      else for (const b of store.all()) store.delete(b.uid);
      callLog = [];
      faults.clear();
      webhooks.cancelPending();
      limiter.reset();
      latency = opts.latencyMs ?? 0;
    },
    customer: {
      book: async (apiKey, input) =>
        copy(await bookings.create(accountByKey(apiKey), parseBody(createBookingSchema, input), 'customer')),
      cancel: async (uid, reason) =>
        copy(await bookings.cancel(accountOfBooking(uid), uid, reason, 'customer')),
      reschedule: async (uid, start, reason) =>
        copy(
          await bookings.reschedule(
            accountOfBooking(uid),
            uid,
            { start, reschedulingReason: reason },
            'customer',
          ),
        ),
    },
    host: {
      confirm: async (uid) => copy(await bookings.confirm(accountOfBooking(uid), uid)),
      reject: async (uid, reason) => copy(await bookings.reject(accountOfBooking(uid), uid, reason)),
    },
  };

  const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof SandboxHttpError) {
      res
        .status(err.status)
        .json(errorBody(err.status, err.message, err.shape, req.originalUrl, err.details));
      return;
    }
    const e = err as { type?: string; status?: number };
    if (typeof e?.type === 'string' && (e.status ?? 500) < 500) {
      const status = e.status ?? 400;
      res
        .status(status)
        .json(errorBody(status, 'Request body could not be parsed', 'envelope', req.originalUrl));
      return;
    }
    logger.error('Sandbox internal error', { error: err, path: req.path });
    res.status(500).json(errorBody(500, 'Internal server error', 'envelope', req.originalUrl));
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));
  // Liveness for docker compose / Kubernetes probes (not part of Cal.com's API).
  app.get('/livez', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use('/_sandbox', controlRouter(sandbox as CalcomSandbox));
  app.use(
    '/v2',
    recorder(gateDeps),
    gate(gateDeps),
    apiRouter({ store, bookings, clock }),
    subscriptionsRouter({ store }),
  );
  app.use((req, res) => {
    res.status(404).json(errorBody(404, `Cannot ${req.method} ${req.path}`, 'envelope', req.originalUrl));
  });
  app.use(onError);

  const server: Server = await listen(app, opts.port ?? 0, logger, 'Cal.com sandbox');
  const port = portOf(server);
  let closing: Promise<void> | undefined;
  return Object.assign(sandbox, {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        webhooks.cancelPending();
        for (const res of held) res.socket?.destroy();
        held.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  });
}
