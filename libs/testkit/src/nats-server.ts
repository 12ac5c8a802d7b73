/**
 * A private NATS server this test can stop and start (outage tests), so the
 * shared server is never disturbed. Uses the local nats-server binary, or a
 * container when only Docker is available.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DisposableNats {
  url: string;
  /** What the server wrote (only with `configFile`): permission violations, auth failures. */
  log(): string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

const BINARIES = ['/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/usr/bin/nats-server'];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => (sock.destroy(), resolve(true)));
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Kills a child process (SIGKILL unless told) and waits for its exit; nothing when it is gone. */
export async function killProcess(
  c: ChildProcess | undefined,
  signal: NodeJS.Signals = 'SIGKILL',
): Promise<void> {
  if (!c || c.exitCode !== null || c.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    c.once('exit', () => resolve());
    c.kill(signal);
  });
}

export interface DisposableNatsOptions {
  /** A server config file (e.g. deploy/nats/nats-server.conf); address, ports and store stay private. */
  configFile?: string;
  /** Environment of the server: the `$VAR`s a config file refers to. */
  env?: Record<string, string>;
}

export async function startDisposableNats(opts: DisposableNatsOptions = {}): Promise<DisposableNats> {
  const bin = BINARIES.find((b) => existsSync(b));
  if (!bin) {
    if (opts.configFile) throw new Error('a NATS config file needs the local nats-server binary');
    return startContainerNats();
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'calsync-nats-'));
  let child: ChildProcess | undefined;
  let log = '';
  const start = async () => {
    const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir];
    if (!opts.configFile) {
      child = spawn(bin, args, { stdio: 'ignore' });
    } else {
      // A config file names its own monitoring port: move it to a free one.
      args.push('-c', opts.configFile, '-m', String(await freePort()));
      child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...opts.env } });
      child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    }
    await waitForPort(port).catch((err: Error) => {
      throw new Error(`${err.message}\n${log.slice(-2000)}`);
    });
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    await killProcess(c);
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    log: () => log,
    start,
    stop,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startContainerNats(): Promise<DisposableNats> {
  // Loaded only on this path: most machines running these tests have no Docker.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { NatsContainer } = require('@testcontainers/nats') as typeof import('@testcontainers/nats');
  let container = await new NatsContainer('nats:2.9').withJetStream().start();
  const port = container.getMappedPort(4222);
  return {
    url: `nats://${container.getHost()}:${port}`,
    log: () => '',
    async stop() {
      await container.stop({ remove: false });
    },
    async start() {
      // A restarted container keeps its port mapping only if we ask for it again.
      container = await new NatsContainer('nats:2.9')
        .withJetStream()
        .withExposedPorts({ container: 4222, host: port })
        .start();
    },
    async destroy() {
      await container.stop().catch(() => undefined);
    },
  };
}
