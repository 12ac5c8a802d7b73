import { Writable } from 'node:stream';
import { createLogger, maskEmail, scrubText } from './logger';

/** Smallest of a few runs: the least disturbed by other work on a shared machine. */
function fastest(run: () => void, times = 3): number {
  let best = Infinity;
  for (let i = 0; i < times; i++) {
    const t0 = process.hrtime.bigint();
    run();
    best = Math.min(best, Number(process.hrtime.bigint() - t0));
  }
  return best;
}

function capture(level: string) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  return { logger: createLogger({ service: 'test', level, stream }), lines };
}

describe('masking personal data in log lines', () => {
  it('masks e-mail addresses as before', () => {
    expect(maskEmail('from jane.doe@example.com and x@a.io.')).toBe('from j***@example.com and x***@a.io.');
    expect(maskEmail('a@b.com.x@c.com')).toBe('a***@b.com.***@c.com');
    expect(maskEmail('no@domain and trailing@')).toBe('no@domain and trailing@');
    expect(maskEmail('x@example.com-foo')).toBe('x***@example.com-foo');
  });

  it('a hostile string costs time in proportion to its length, not its square (64 KB vs 16 KB)', () => {
    const hostile = (n: number) => 'a'.repeat(n);
    const small = hostile(16 * 1024);
    const large = hostile(64 * 1024);
    scrubText(small); // warm up
    const ratio = fastest(() => scrubText(large)) / fastest(() => scrubText(small));
    // Linear is 4 (1 once the examined length is capped); quadratic is 16.
    expect(ratio).toBeLessThan(8);
  });

  it('a long value is clipped, never logged whole, and a cut-off e-mail address does not leak', () => {
    const { logger, lines } = capture('info');
    logger.info('x', { path: `${'b'.repeat(20_000)} jane.doe@example.com` });
    const line = JSON.parse(lines[0]!) as { path: string };
    expect(line.path.length).toBeLessThan(5_000);
    expect(line.path).toContain('clipped');
    const cut = `${'c '.repeat(2_040)}jane.doe@example.com ${'d'.repeat(5_000)}`;
    logger.info('y', { cut });
    expect(lines.join('')).not.toContain('jane.doe');
  });

  it('a line below the level does no masking work at all', () => {
    const { logger, lines } = capture('info');
    let reads = 0;
    const nested = {
      get email() {
        reads++;
        return 'jane.doe@example.com';
      },
    };
    logger.debug('not wanted', { customer: nested });
    expect(lines).toEqual([]);
    expect(reads).toBe(0);
    logger.info('wanted', { customer: nested });
    expect(reads).toBe(1);
    expect(lines.join('')).toContain('j***@example.com');
  });
});
