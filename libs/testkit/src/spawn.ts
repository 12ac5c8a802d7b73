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

export async function spawnService(
  service: string,
  env: Record<string, string>,
  opts: { timeoutMs?: number; entry?: string } = {},
): Promise<SpawnedService> {
  const entry = opts.entry ?? resolve(ROOT, 'services', service, 'src', 'main.ts');
  const proc = spawn(process.execPath, ['--import', 'tsx', entry], {
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
