/** Captures every log line a test produces, so tests can assert nothing secret was logged. */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@calsync/platform';

export interface LogCapture {
  logger(service: string): Logger;
  text(): string;
  lines(): Record<string, unknown>[];
  /** Throws naming the first forbidden string found in the captured output. */
  assertNoneOf(forbidden: string[]): void;
}

export function createLogCapture(level = 'debug'): LogCapture {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  return {
    logger: (service) => createLogger({ service, level, stream }),
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    assertNoneOf(forbidden) {
      const all = chunks.join('');
      for (const f of forbidden) {
        if (f && all.includes(f))
          throw new Error(`log output contains a forbidden value (${f.slice(0, 3)}…)`);
      }
    },
  };
}
