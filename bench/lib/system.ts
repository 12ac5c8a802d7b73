/**
 * The whole system as production runs it: booking-api, webhook-gateway and
 * calcom-sync as child processes against one database and namespace, the
 * Cal.com sandbox in this process with one account per tenant whose webhooks
 * go to the gateway (so every booking we push comes back as an echo, applied
 * by booking-api, as in production).
 */
import { createCalcomSandbox, type CalcomSandbox, type RateLimitOptions } from '@calsync/calcom-sandbox';
import { createLogger } from '@calsync/platform';
import { createHttpClient, type HttpClient, type Send } from './http';
import { freshInfra, OPERATOR_TOKEN, startService, type Cleanup, type Infra, type Service } from './infra';
import { sleep, until } from './stats';
import { addSandboxAccounts, BENCH_CUSTOMER, createTenants, slot, type BenchTenant } from './tenants';

export interface SystemOptions {
  prefix: string;
  tenants: number;
  eventTypesEach: number;
  /** The tenants' Cal.com budget (`calcom.rateLimitPerMinute`). */
  rateLimitPerMinute: number;
  /** The sandbox's per-key throttle; default: so high it never binds. */
  sandboxRateLimit?: RateLimitOptions;
  /** Private servers instead of the shared ones (the cost count). */
  servers?: { databaseUrl: string; natsUrl: string };
  /** Extra environment per service (e.g. its own MySQL user). */
  envFor?: (service: string) => Record<string, string>;
  /** Start calcom-sync later, with `startSync()` (a backlog first). */
  deferSync?: boolean;
  /** How progress is read; default: JetStream API requests on the bench's own connection. */
  probe?: (infra: Infra) => Probe;
}

/** What the bench reads to know how far the system is. */
export interface Probe {
  /** Messages in a stream. */
  messages(stream: string): Promise<number>;
  /** A durable consumer's pending + unacknowledged messages; 0 when it does not exist yet. */
  pending(stream: string, durable: string): Promise<number>;
}

function jetStreamProbe(infra: Infra): Probe {
  return {
    messages: async (stream) => (await infra.nats.jsm.streams.info(stream)).state.messages,
    async pending(stream, durable) {
      try {
        const info = await infra.nats.jsm.consumers.info(stream, durable);
        return info.num_pending + info.num_ack_pending;
      } catch {
        return 0; // not created yet: nothing was consumed, nothing is pending for it
      }
    },
  };
}

export interface Created {
  id: string;
  tenant: BenchTenant;
  createdAtMs: number;
}

export interface System {
  infra: Infra;
  sandbox: CalcomSandbox;
  client: HttpClient;
  tenants: BenchTenant[];
  services(): Service[];
  startSync(): Promise<Service>;
  /**
   * A load-loop `Send`: request i POSTs an appointment for tenant i mod n in
   * that tenant's next free slot; what was created lands in `into`.
   */
  sender(into: Created[]): Send;
  /** The tenant's next free slot (for Retell bookings). */
  nextSlot(t: number): string;
  /** Events in the appointments stream: what the outbox relay has published so far. */
  published(): Promise<number>;
  /**
   * Waits until the relay has published at least `events` (when given), then
   * until calcom-sync and the applier have nothing pending (two polls in a
   * row, 250 ms apart); false on timeout.
   */
  settle(timeoutMs?: number, events?: number): Promise<boolean>;
  /** CPU ms used so far by all service processes, summed. */
  cpuMs(): number;
  release(): Promise<void>;
}

export async function startSystem(cleanup: Cleanup, opts: SystemOptions): Promise<System> {
  const sandbox = await createCalcomSandbox({
    rateLimit: opts.sandboxRateLimit ?? { limit: 1e9, windowMs: 60_000, blockMs: 60_000 },
    logger: createLogger({ service: 'calcom-sandbox', level: 'error' }),
  });
  const closeSandbox = cleanup.add('Cal.com sandbox', () => sandbox.close());
  const infra = await freshInfra(cleanup, opts.servers);
  const common = { ...infra.env, CALCOM_API_URL: sandbox.url };
  const env = (service: string, own: Record<string, string>) => ({
    ...common,
    ...own,
    ...opts.envFor?.(service),
  });
  const api = await startService(
    cleanup,
    'booking-api',
    env('booking-api', { BOOKING_API_PORT: '0', OPERATOR_TOKEN }),
  );
  const gateway = await startService(
    cleanup,
    'webhook-gateway',
    env('webhook-gateway', { WEBHOOK_GATEWAY_PORT: '0', DB_MIGRATE: 'false' }),
  );
  const client = createHttpClient(api.port, 256);
  const tenants = await createTenants(client, {
    count: opts.tenants,
    eventTypesEach: opts.eventTypesEach,
    prefix: opts.prefix,
    rateLimitPerMinute: opts.rateLimitPerMinute,
  });
  addSandboxAccounts(sandbox, tenants, gateway.port);

  let sync: Service | undefined;
  const startSync = async () =>
    (sync = await startService(
      cleanup,
      'calcom-sync',
      env('calcom-sync', {
        CALCOM_SYNC_PORT: '0',
        DB_MIGRATE: 'false',
        SYNC_WORKER_ID: `bench-${opts.prefix}`,
      }),
    ));
  if (!opts.deferSync) await startSync();

  // One host per tenant: its slots never repeat, whatever event type or channel books them.
  const slots = new Array<number>(tenants.length).fill(0);
  const nextSlot = (t: number) => slot(slots[t]!++);
  const probe = (opts.probe ?? jetStreamProbe)(infra);
  const pending = (c: { stream: string; durable: string }) => probe.pending(c.stream, c.durable);
  const idle = async () =>
    (await pending(infra.nats.topology.consumers.calcomSync)) +
      (await pending(infra.nats.topology.consumers.inboundApplier)) ===
    0;
  const services = () => [api, gateway, ...(sync ? [sync] : [])];
  const published = () => probe.messages(infra.nats.topology.streams.appointments.name);
  const create = async (t: number): Promise<Created | string> => {
    const tenant = tenants[t]!;
    const res = await client.json(
      'POST',
      `/v1/tenants/${tenant.id}/appointments`,
      { eventTypeId: tenant.eventTypeIds[0]!, start: nextSlot(t), customer: BENCH_CUSTOMER },
      { authorization: `Bearer ${tenant.adminToken}` },
    );
    if (res.status !== 201) return `HTTP ${res.status} ${res.body.toString().slice(0, 160)}`;
    const body = JSON.parse(res.body.toString()) as { id: string; createdAt: string };
    return { id: body.id, tenant, createdAtMs: Date.parse(body.createdAt) };
  };

  return {
    infra,
    sandbox,
    client,
    tenants,
    services,
    startSync,
    nextSlot,
    sender: (into) => async (i) => {
      const c = await create(i % tenants.length);
      if (typeof c === 'string') return c;
      into.push(c);
      return true;
    },
    published,
    async settle(timeoutMs = 30_000, events = 0) {
      const deadline = Date.now() + timeoutMs;
      if (!(await until(async () => (await published()) >= events, timeoutMs, 100))) return false;
      return until(
        async () => (await idle()) && (await sleep(250), await idle()),
        deadline - Date.now(),
        100,
      );
    },
    cpuMs: () => services().reduce((sum, s) => sum + s.cpuMs(), 0),
    async release() {
      client.close();
      for (const s of services().reverse()) await s.stop();
      await closeSandbox();
      await infra.release();
    },
  };
}

/** Each appointment's booking in the sandbox (accepted or pending), by appointment id: its createdAt. */
export function bookingsByAppointment(sandbox: CalcomSandbox): Map<string, number> {
  const out = new Map<string, number>();
  for (const b of sandbox.bookings()) {
    const id = b.metadata.appointmentId;
    if (typeof id === 'string' && (b.status === 'accepted' || b.status === 'pending'))
      out.set(id, b.createdAt.getTime());
  }
  return out;
}
