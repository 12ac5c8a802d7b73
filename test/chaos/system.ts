/**
 * The system as production runs it: booking-api, webhook-gateway and calcom-sync
 * replicas as child processes, against a private MariaDB and a private NATS
 * (single server or a cluster) that the run may kill, and the Cal.com sandbox
 * in-process. Ports are fixed per run so a restarted service is found again.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCalcomSandbox, type CalcomSandbox } from '@calsync/calcom-sandbox';
import { createLogger } from '@calsync/platform';
import {
  freePort,
  spawnService,
  startDisposableMariadb,
  startDisposableNats,
  startNatsCluster,
  uniqueSuffix,
  type DisposableMariadb,
  type SpawnedService,
} from '@calsync/testkit';

export const OPERATOR_TOKEN = 'chaos-operator-token-0000000000';
export const MAX_REPLICAS = 3;

export interface ManagedService {
  name: string;
  running(): boolean;
  kill(): Promise<void>;
  start(): Promise<void>;
  /** Exits nobody asked for (a crash on its own), with the tail of its output. */
  unexpectedExits: string[];
}

export interface NatsControl {
  url: string;
  /** Nodes that can be stopped one by one (one for a single server). */
  nodes: { name: string; stop(): Promise<void>; start(): Promise<void> }[];
  destroy(): Promise<void>;
}

export interface ChaosSystem {
  sb: CalcomSandbox;
  apiUrl: string;
  gatewayUrl: string;
  mysql: DisposableMariadb;
  nats: NatsControl;
  services: ManagedService[];
  service(name: string): ManagedService;
  syncReplicas(): ManagedService[];
  logDir: string;
  close(): Promise<void>;
}

export async function startSystem(opts: { cluster?: boolean } = {}): Promise<ChaosSystem> {
  const run = uniqueSuffix();
  const logDir = join(tmpdir(), `calsync-chaos-${run}`);
  mkdirSync(logDir, { recursive: true });
  const mysql = await startDisposableMariadb();
  const nats = opts.cluster ? await clusterNats() : await singleNats();
  // Webhook deliveries to a killed gateway fail fast; a slow one must not stall the run.
  const sb = await createCalcomSandbox({
    port: 0,
    // Failed deliveries are expected here (killed gateway); the call log keeps them.
    logger: createLogger({ service: 'calcom-sandbox', level: 'error' }),
    webhookTimeoutMs: 5_000,
    // Cal.com's 120 per minute, compressed to 10 s: a spent window (the key-block fault) then
    // holds a key for seconds, not for the rest of a minute that would dominate every seed.
    rateLimit: { limit: 120, windowMs: 10_000, blockMs: 3_000 },
  });
  const [apiPort, gatewayPort] = [await freePort(), await freePort()];
  const common = {
    DATABASE_URL: `${mysql.url}/chaos`,
    NATS_URL: nats.url,
    NATS_NAMESPACE: `chaos${run}`,
    NATS_STREAM_REPLICAS: opts.cluster ? '3' : '1',
    CALCOM_API_URL: sb.url,
    LOG_LEVEL: 'info',
  };
  const envs: Record<string, { service: string; env: Record<string, string> }> = {
    'booking-api': {
      service: 'booking-api',
      env: {
        ...common,
        BOOKING_API_PORT: String(apiPort),
        OPERATOR_TOKEN,
        RETELL_CONFIRM_TIMEOUT_MS: '1500',
        CALCOM_TIMEOUT_MS: '2000',
      },
    },
    'webhook-gateway': {
      service: 'webhook-gateway',
      env: { ...common, WEBHOOK_GATEWAY_PORT: String(gatewayPort), WEBHOOK_PUBLISH_TIMEOUT_MS: '1500' },
    },
  };
  for (let i = 1; i <= MAX_REPLICAS; i++)
    envs[`calcom-sync-${i}`] = {
      service: 'calcom-sync',
      env: {
        ...common,
        CALCOM_SYNC_PORT: '0',
        SYNC_WORKER_ID: `chaos-sync-${i}`,
        RECONCILE_INTERVAL_SECONDS: '5',
        SYNC_RETRY_DELAYS_MS: '200,500,1000',
        CALCOM_TIMEOUT_MS: '2000',
        CALCOM_BREAKER_RESET_MS: '1000',
        // A killed replica's messages come back after this, not after the default minute.
        SYNC_ACK_WAIT_SECONDS: '5',
        SYNC_LOCK_SECONDS: '5',
      },
    };
  const services = Object.entries(envs).map(([name, { service, env }]) =>
    managed(name, service, env, logDir),
  );
  const byName = (name: string) => {
    const s = services.find((x) => x.name === name);
    if (!s) throw new Error(`no service ${name}`);
    return s;
  };
  const close = async () => {
    await Promise.all(services.map((s) => s.kill()));
    await sb.close();
    await nats.destroy();
    await mysql.destroy();
  };
  try {
    // booking-api first: it creates and migrates the database.
    await byName('booking-api').start();
    await Promise.all(services.filter((s) => s.name !== 'booking-api').map((s) => s.start()));
  } catch (err) {
    // A service that did not start must not leave the rest running.
    await close().catch(() => undefined);
    throw err;
  }
  const sys: ChaosSystem = {
    sb,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
    mysql,
    nats,
    services,
    service: byName,
    syncReplicas: () => services.filter((s) => s.name.startsWith('calcom-sync')),
    logDir,
    async close() {
      open.delete(sys);
      await close();
    },
  };
  open.add(sys);
  return sys;
}

/** Systems not closed yet: a run stopped by a signal closes them, so no server or service outlives it. */
const open = new Set<ChaosSystem>();

export async function closeOpenSystems(): Promise<void> {
  await Promise.allSettled([...open].map((s) => s.close()));
}

function managed(name: string, service: string, env: Record<string, string>, logDir: string): ManagedService {
  let current: SpawnedService | undefined;
  let generation = 0;
  const unexpectedExits: string[] = [];
  // Streamed to a file as it comes, so a live process's story can be read during the run.
  const tee = (s: SpawnedService, gen: number) => {
    const file = createWriteStream(join(logDir, `${name}.${gen}.log`));
    file.write(s.output());
    s.proc.stdout?.on('data', (d: Buffer) => file.write(d));
    s.proc.stderr?.on('data', (d: Buffer) => file.write(d));
    void s.exited.then(() => file.end());
  };
  return {
    name,
    unexpectedExits,
    running: () => !!current && current.proc.exitCode === null && current.proc.signalCode === null,
    async kill() {
      const s = current;
      current = undefined;
      if (!s || s.proc.exitCode !== null || s.proc.signalCode !== null) return;
      s.kill('SIGKILL');
      await s.exited;
    },
    async start() {
      if (current && current.proc.exitCode === null && current.proc.signalCode === null) return;
      const gen = ++generation;
      const s = await spawnService(service, env, { timeoutMs: 60_000 });
      current = s;
      tee(s, gen);
      void s.exited.then((code) => {
        if (current === s) {
          current = undefined;
          unexpectedExits.push(`${name} exited (${code}): ${s.output().slice(-600)}`);
        }
      });
    },
  };
}

async function singleNats(): Promise<NatsControl> {
  const n = await startDisposableNats();
  // Its start() spawns a second server when one runs already: only start what was stopped.
  let up = true;
  const node = {
    name: 'nats',
    stop: async () => {
      up = false;
      await n.stop();
    },
    start: async () => {
      if (up) return;
      await n.start();
      up = true;
    },
  };
  return { url: n.url, nodes: [node], destroy: () => n.destroy() };
}

async function clusterNats(): Promise<NatsControl> {
  const c = await startNatsCluster(3);
  return { url: c.url, nodes: c.nodes, destroy: () => c.destroy() };
}
