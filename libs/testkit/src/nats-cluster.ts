/**
 * A local JetStream cluster of `size` nats-server processes joined by routes,
 * so a test can lose one node and keep a quorum (R3 streams). Each node can be
 * killed and restarted with its own store directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, killProcess, waitForPort } from './nats-server';

export interface ClusterNode {
  name: string;
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export interface NatsCluster {
  /** All client URLs comma-separated, as `NATS_URL` takes them. */
  url: string;
  nodes: ClusterNode[];
  destroy(): Promise<void>;
}

const BINARIES = ['/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/usr/bin/nats-server'];

export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const bin = BINARIES.find((b) => existsSync(b));
  if (!bin) throw new Error('nats-server binary not found');
  const dir = mkdtempSync(join(tmpdir(), 'calsync-nats-cluster-'));
  const ports = await Promise.all(Array.from({ length: size }, () => freePort()));
  const routePorts = await Promise.all(Array.from({ length: size }, () => freePort()));
  const routes = routePorts.map((p) => `nats://127.0.0.1:${p}`).join(',');
  const nodes = ports.map((port, i): ClusterNode => {
    const name = `n${i + 1}`;
    const store = join(dir, name);
    mkdirSync(store);
    let child: ChildProcess | undefined;
    return {
      name,
      url: `nats://127.0.0.1:${port}`,
      async start() {
        if (child && child.exitCode === null) return;
        child = spawn(
          bin,
          [
            ...['-a', '127.0.0.1', '-p', String(port), '-n', name, '-js', '-sd', store],
            ...[
              '--cluster_name',
              'chaos',
              '--cluster',
              `nats://127.0.0.1:${routePorts[i]}`,
              '--routes',
              routes,
            ],
          ],
          { stdio: 'ignore' },
        );
        await waitForPort(port);
      },
      async stop() {
        const c = child;
        child = undefined;
        await killProcess(c);
      },
    };
  });
  await Promise.all(nodes.map((n) => n.start()));
  return {
    url: nodes.map((n) => n.url).join(','),
    nodes,
    async destroy() {
      await Promise.all(nodes.map((n) => n.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
