/**
 * What a row runs on: its own MySQL database and NATS namespace (dropped
 * and deleted afterwards, also on failure), services as child processes so the
 * load generator never shares their event loop, and one cleanup stack that the
 * runner empties on success, failure, Ctrl-C and the overall deadline.
 */
import { join, resolve } from 'node:path';
import {
  createTestDb,
  createTestNats,
  spawnService,
  type SpawnedService,
  type TestDb,
  type TestNats,
} from '@calsync/testkit';
import { cpuMsOf, memoryOf } from './proc';

/** Bench-only key and token: the services under test run with NODE_ENV=production, which requires a key. */
export const SECRETS_KEY = 'b'.repeat(64);
export const OPERATOR_TOKEN = 'bench-operator-token-0123456789';

export interface Cleanup {
  /**
   * Registers a release; returns it, to be called as soon as the resource is
   * no longer needed. Each release runs at most once and never throws.
   */
  add(what: string, fn: () => Promise<unknown>): () => Promise<void>;
  /** Runs every release not yet run, newest first. */
  run(): Promise<void>;
}

export function createCleanup(log: (line: string) => void): Cleanup {
  const stack: (() => Promise<void>)[] = [];
  // Releases already started; run() waits for them too, so nobody exits while a drop is under way.
  const running = new Set<Promise<void>>();
  return {
    add(what, fn) {
      let done: Promise<void> | undefined;
      const release = () => {
        if (done) return done;
        const at = stack.indexOf(release);
        if (at !== -1) stack.splice(at, 1);
        const p = (async () => {
          try {
            await fn();
          } catch (err) {
            log(`cleanup of ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
          }
        })();
        done = p;
        running.add(p);
        void p.finally(() => running.delete(p));
        return p;
      };
      stack.push(release);
      return release;
    },
    async run() {
      while (stack.length) await stack[stack.length - 1]!();
      await Promise.all([...running]);
    },
  };
}

export interface Infra {
  nats: TestNats;
  /** Environment every service of this group shares. */
  env: Record<string, string>;
  /** Drops the database and deletes the streams. */
  release(): Promise<void>;
}

/**
 * A fresh, migrated database and a fresh namespace with the three streams, on
 * the shared servers (DATABASE_URL, NATS_URL) or on private ones, where the
 * database named in `databaseUrl` is created by booking-api at its start.
 */
export async function freshInfra(
  cleanup: Cleanup,
  servers?: { databaseUrl: string; natsUrl: string },
): Promise<Infra> {
  let databaseUrl = servers?.databaseUrl;
  let dropDb = () => Promise.resolve();
  if (!databaseUrl) {
    const db: TestDb = await createTestDb();
    dropDb = cleanup.add(`database ${db.url}`, () => db.drop());
    databaseUrl = db.url;
  }
  const nats = await createTestNats(servers?.natsUrl);
  const deleteStreams = cleanup.add(`NATS namespace ${nats.namespace}`, () => nats.close());
  return {
    nats,
    async release() {
      await deleteStreams();
      await dropDb();
    },
    env: {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      SECRETS_KEY,
      DATABASE_URL: databaseUrl,
      NATS_URL: nats.url,
      NATS_NAMESPACE: nats.namespace,
      // The load generator is one client sending far more than a client's budget (issue 9).
      RATE_LIMIT_CLIENT_PER_MINUTE: '0',
      RATE_LIMIT_TENANT_PER_MINUTE: '0',
    },
  };
}

export interface Service {
  name: string;
  port: number;
  pid: number;
  proc: SpawnedService;
  /** CPU time (user + system) the process has used so far, in ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

const children = new Set<SpawnedService>();

/** Last resort when the runner exits abruptly: no child outlives it. */
export function killAllChildrenNow(): void {
  for (const c of children) c.kill('SIGKILL');
}

/** Peak RSS (VmHWM) of every process started, read just before it is stopped (row 7). */
export interface PeakRss {
  service: string;
  group: string;
  peakMb: number;
}
export const peakRss: PeakRss[] = [];

const PROFILE_HOOK = resolve(__dirname, 'cpu-profile-hook.js');
let profileDir: string | undefined;
let group = 'bench';
/** Processes that carry the profiling hook; only they may get SIGUSR2 (it ends any other node process). */
const profiled = new Set<SpawnedService>();
let measuring = false;

/** `--profile DIR`: every service writes DIR/<group>-<service>-<n>.cpuprofile when it stops. */
export function setProfileDir(dir: string): void {
  profileDir = dir;
}
/** Names what runs now, for the peak RSS records and the profile file names. */
export function setGroup(name: string): void {
  group = name;
  measuring = false;
}

/**
 * With --profile: the services running now start sampling (start-up and warm-up
 * stay out of the profile), and so does every service started later in this group.
 */
export function profileFromNow(): void {
  measuring = true;
  for (const p of profiled) p.kill('SIGUSR2');
}

export async function startService(
  cleanup: Cleanup,
  name: string,
  env: Record<string, string>,
  entry?: string,
): Promise<Service> {
  const profile = profileDir ? join(profileDir, `${group}-${name}-${Date.now()}.cpuprofile`) : undefined;
  const proc = await spawnService(
    name,
    profile ? { ...env, NODE_OPTIONS: `--require ${PROFILE_HOOK}`, BENCH_CPU_PROFILE: profile } : env,
    // Built code, as the container image runs it (see spawnService's `compiled`).
    { timeoutMs: 60_000, compiled: true, ...(entry ? { entry } : {}) },
  );
  children.add(proc);
  if (profile) {
    profiled.add(proc);
    if (measuring) proc.kill('SIGUSR2');
  }
  const pid = proc.proc.pid ?? -1;
  const startedIn = group;
  const stop = cleanup.add(`${name} process`, async () => {
    if (proc.proc.exitCode === null && proc.proc.signalCode === null) {
      const { peakMb } = memoryOf(pid);
      if (Number.isFinite(peakMb)) peakRss.push({ service: name, group: startedIn, peakMb });
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 12_000);
      await proc.exited;
      clearTimeout(timer);
    }
    children.delete(proc);
    profiled.delete(proc);
  });
  return { name, port: proc.port, pid, proc, cpuMs: () => cpuMsOf(pid), stop };
}
