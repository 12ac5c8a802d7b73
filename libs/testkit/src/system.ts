/**
 * The whole system as production runs it: booking-api, webhook-gateway and
 * calcom-sync as child processes (spawnService) against a scratch database
 * (createTestDb) and a private NATS namespace (createTestNats), talking to
 * whatever Cal.com `calcomApiUrl` names (the sandbox). Used by the end-to-end
 * tier (test/e2e) and the fuzzer; nothing here imports a service.
 */
import { createTestDb, createTestNats, type TestDb, type TestNats } from './infra';
import { freePort } from './nats-server';
import { spawnService, type SpawnedService } from './spawn';

export const SERVICE_NAMES = ['booking-api', 'webhook-gateway', 'calcom-sync'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface ServicesOptions {
  /** Where every service reaches Cal.com (a service's own `CALCOM_API_URL` in `serviceEnv` wins). */
  calcomApiUrl: string;
  /** Environment for all three, over the defaults (database, NATS namespace, ports, `LOG_LEVEL=info`). */
  env?: Record<string, string>;
  /** Environment for one service, over `env`. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Run the built `dist/main.js` as the container image does (needs `npm run build`); default: the sources through tsx. */
  compiled?: boolean;
  /** How long one service may take to start listening (default 60 s: the machine may be loaded). */
  startTimeoutMs?: number;
}

export interface RunningServices {
  url: Record<ServiceName, string>;
  proc: Record<ServiceName, SpawnedService>;
  /** The scratch database the services share; tests read it, only the services write it. */
  db: TestDb;
  nats: TestNats;
  /** Every service's output so far, each line block headed by its name (for a failing test's message). */
  output(): string;
  /** SIGTERM to all three (SIGKILL after `drainMs`), then the namespace and the database are removed. */
  close(drainMs?: number): Promise<void>;
}

export async function startServices(o: ServicesOptions): Promise<RunningServices> {
  const [db, nats] = await Promise.all([createTestDb(), createTestNats()]);
  // booking-api registers Cal.com webhooks at the gateway's address, so that port is chosen first.
  const gatewayPort = await freePort();
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const common = {
    DATABASE_URL: db.url,
    NATS_URL: nats.url,
    NATS_NAMESPACE: nats.namespace,
    CALCOM_API_URL: o.calcomApiUrl,
    LOG_LEVEL: 'info',
    BOOKING_API_PORT: '0',
    WEBHOOK_GATEWAY_PORT: String(gatewayPort),
    CALCOM_SYNC_PORT: '0',
    ...o.env,
  };
  const own: Record<ServiceName, Record<string, string>> = {
    'booking-api': { PUBLIC_WEBHOOK_BASE_URL: gatewayUrl },
    'webhook-gateway': {},
    'calcom-sync': {},
  };
  const started = new Map<ServiceName, SpawnedService>();
  const stop = async (drainMs: number) => {
    await Promise.all([...started.values()].map((s) => stopProcess(s, drainMs)));
    await nats.close();
    await db.drop();
  };
  try {
    // The database is migrated and the streams exist already: the three start side by side.
    await Promise.all(
      SERVICE_NAMES.map(async (name) => {
        const env = { ...common, ...own[name], ...o.serviceEnv?.[name] };
        const s = await spawnService(name, env, {
          compiled: o.compiled,
          timeoutMs: o.startTimeoutMs ?? 60_000,
        });
        started.set(name, s);
      }),
    );
  } catch (err) {
    await stop(0);
    throw err;
  }
  const proc = Object.fromEntries(started) as Record<ServiceName, SpawnedService>;
  const url = Object.fromEntries(SERVICE_NAMES.map((n) => [n, `http://127.0.0.1:${proc[n].port}`])) as Record<
    ServiceName,
    string
  >;
  return {
    url,
    proc,
    db,
    nats,
    output: () => SERVICE_NAMES.map((n) => `--- ${n}\n${proc[n].output()}`).join('\n'),
    close: (drainMs = 15_000) => stop(drainMs),
  };
}

/** SIGTERM, and SIGKILL if it has not exited after `drainMs` (0: at once). */
async function stopProcess(s: SpawnedService, drainMs: number): Promise<void> {
  if (s.proc.exitCode !== null || s.proc.signalCode !== null) return;
  if (drainMs <= 0) {
    s.kill('SIGKILL');
    await s.exited;
    return;
  }
  s.kill('SIGTERM');
  const timer = setTimeout(() => s.kill('SIGKILL'), drainMs);
  await s.exited;
  clearTimeout(timer);
}
