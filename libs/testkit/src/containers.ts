/**
 * testcontainers path for developers who have Docker and no local services:
 * jest's globalSetup calls startContainersIfNeeded(); it exports NATS_URL and
 * DATABASE_URL for the workers. Pinned to testcontainers 11.x (12.1+ needs Node 22).
 */
import { execFileSync } from 'node:child_process';

type Stoppable = { stop(): Promise<unknown> };
const started: Stoppable[] = [];

function dockerAnswers(): boolean {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

/** Returns what it decided, for the test log. */
export async function startContainersIfNeeded(): Promise<'env' | 'containers' | 'local'> {
  if (process.env.NATS_URL || process.env.DATABASE_URL) return 'env';
  if (process.env.TESTCONTAINERS !== '1' && !dockerAnswers()) return 'local';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { MySqlContainer } = require('@testcontainers/mysql') as typeof import('@testcontainers/mysql');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { NatsContainer } = require('@testcontainers/nats') as typeof import('@testcontainers/nats');
  const [mysql, nats] = await Promise.all([
    new MySqlContainer('mysql:8.4').withRootPassword('test').start(),
    new NatsContainer('nats:2.10').withJetStream().start(),
  ]);
  started.push(mysql, nats);
  process.env.DATABASE_URL = `mysql://root:test@${mysql.getHost()}:${mysql.getPort()}/calcom_sync`;
  process.env.NATS_URL = `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`;
  return 'containers';
}

export async function stopContainers(): Promise<void> {
  await Promise.all(started.splice(0).map((c) => c.stop().catch(() => undefined)));
}
