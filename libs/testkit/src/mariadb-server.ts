/**
 * A private MariaDB server a test can crash and restart (MySQL outage tests,
 * the chaos runner), so the shared server is never disturbed. Uses the local
 * mariadbd binary: a fresh data directory from mariadb-install-db, its own
 * port, socket and pid file; root without a password on 127.0.0.1.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, killProcess, waitForPort } from './nats-server';

export interface DisposableMariadb {
  /** `mysql://root@127.0.0.1:<port>` — append `/<database>`. */
  url: string;
  port: number;
  /** SIGKILL (a crash; InnoDB recovers at the next start) or SIGTERM (clean shutdown). */
  stop(signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  start(): Promise<void>;
  running(): boolean;
  destroy(): Promise<void>;
}

const find = (names: string[]) => names.find((b) => existsSync(b));

export function mariadbAvailable(): boolean {
  return !!find(['/usr/sbin/mariadbd', '/usr/bin/mariadbd']) && !!find(['/usr/bin/mariadb-install-db']);
}

export async function startDisposableMariadb(): Promise<DisposableMariadb> {
  const server = find(['/usr/sbin/mariadbd', '/usr/bin/mariadbd']);
  const install = find(['/usr/bin/mariadb-install-db']);
  if (!server || !install) throw new Error('mariadbd / mariadb-install-db not found');
  const dir = mkdtempSync(join(tmpdir(), 'calsync-mariadb-'));
  const data = join(dir, 'data');
  // mariadbd refuses to run as root unless told to; as another user it runs as that user.
  const user = userInfo().username;
  const init = spawnSync(
    install,
    [
      '--no-defaults',
      `--datadir=${data}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      `--user=${user}`,
    ],
    { encoding: 'utf8' },
  );
  if (init.status !== 0) throw new Error(`mariadb-install-db failed: ${init.stderr || init.stdout}`);
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    if (child && child.exitCode === null) return;
    child = spawn(
      server,
      [
        '--no-defaults',
        `--user=${user}`,
        `--datadir=${data}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--socket=${join(dir, 'mysqld.sock')}`,
        `--pid-file=${join(dir, 'mysqld.pid')}`,
        `--log-error=${join(dir, 'error.log')}`,
        '--innodb-buffer-pool-size=64M',
        '--skip-log-bin',
        '--max-connections=500',
      ],
      { stdio: 'ignore' },
    );
    await waitForPort(port, 30_000);
  };
  const stop = async (signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL') => {
    const c = child;
    child = undefined;
    await killProcess(c, signal);
  };
  await start();
  return {
    url: `mysql://root@127.0.0.1:${port}`,
    port,
    start,
    stop,
    running: () => !!child && child.exitCode === null,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
