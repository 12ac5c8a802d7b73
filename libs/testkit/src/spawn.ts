/**
 * Runs a service's main.ts as a real child process (kill tests, SIGTERM drain
 * tests). Waits for its "listening" log line and reads the port from it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export interface SpawnedService {
  proc: ChildProcess;
  port: number;
  output(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): void;
}

const ROOT = resolve(__dirname, '../../..');

export interface SpawnOptions {
  timeoutMs?: number;
  /** The script to run instead of the service's main (a .ts file runs through tsx, a .js one as is). */
  entry?: string;
  /**
   * Run the built `dist/main.js` the way the container image does (`node --enable-source-maps`),
   * not the sources through tsx: what the benchmark measures. Needs `npm run build`.
   */
  compiled?: boolean;
}

export async function spawnService(
  service: string,
  env: Record<string, string>,
  opts: SpawnOptions = {},
): Promise<SpawnedService> {
  const entry =
    opts.entry ??
    resolve(ROOT, 'services', service, ...(opts.compiled ? ['dist', 'main.js'] : ['src', 'main.ts']));
  const args = entry.endsWith('.ts') ? ['--import', 'tsx', entry] : ['--enable-source-maps', entry];
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', TZ: 'UTC', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((res) =>
    proc.once('exit', (code, sig) => res(code ?? sig ?? -1)),
  );
  const port = await new Promise<number>((res, rej) => {
    const timer = setTimeout(() => {
      // Nobody will hold it once start-up failed: it must not outlive the caller.
      proc.kill('SIGKILL');
      rej(new Error(`${service} did not start:\n${out.slice(-2000)}`));
    }, opts.timeoutMs ?? 30_000);
    const check = () => {
      const m = /"message":"[^"]*listening"[^\n]*"port":(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.stdout.off('data', check);
        res(Number(m[1]));
      }
    };
    proc.stdout.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`${service} exited (${code}) before listening:\n${out.slice(-2000)}`));
    });
  });
  return { proc, port, output: () => out, exited, kill: (s = 'SIGTERM') => proc.kill(s) };
}
