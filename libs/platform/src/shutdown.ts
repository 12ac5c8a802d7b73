/**
 * One graceful-shutdown helper. Steps run in registration order (stop taking
 * work → finish in-flight → drain NATS → close MySQL); stop() is idempotent and
 * bounded by a deadline.
 */
import { redact, type Logger } from './logger';

export interface Shutdown {
  /** Adds a step; steps run in the order they were added. */
  add(name: string, step: () => Promise<void> | void): void;
  stop(reason: string): Promise<void>;
  readonly stopping: boolean;
}

export function createShutdown(logger: Logger, deadlineMs = 9_000): Shutdown {
  const steps: { name: string; step: () => Promise<void> | void }[] = [];
  let running: Promise<void> | undefined;
  return {
    add(name, step) {
      steps.push({ name, step });
    },
    get stopping() {
      return running !== undefined;
    },
    stop(reason) {
      running ??= (async () => {
        logger.info('Shutting down', { reason });
        const deadline = Date.now() + deadlineMs;
        for (const { name, step } of steps) {
          const left = deadline - Date.now();
          try {
            await Promise.race([
              Promise.resolve().then(step),
              new Promise((_, rej) =>
                setTimeout(() => rej(new Error('deadline')), Math.max(left, 1)).unref(),
              ),
            ]);
          } catch (err) {
            logger.warn('Shutdown step failed', { step: name, error: err });
          }
        }
        logger.info('Shutdown complete');
      })();
      return running;
    },
  };
}

/** SIGTERM/SIGINT → stop() → exit 0. */
export function exitOnSignals(shutdown: Shutdown): void {
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => {
      void shutdown.stop(sig).then(() => process.exit(0));
    });
  }
}

/**
 * Runs a service's main and, if start-up fails (a bad config, an unreachable dependency), writes
 * one JSON line as the logger would, redacted (a ConfigError's message names the variable, never
 * its value), and exits 1. Every service reports a failed start the same way.
 */
export function runMain(service: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    // Written synchronously (stderr is a pipe or a file), so the line is out before exit.
    process.stderr.write(
      `${JSON.stringify({ level: 'error', service, message: `${service} failed to start`, error: redact(err) })}\n`,
    );
    process.exit(1);
  });
}
