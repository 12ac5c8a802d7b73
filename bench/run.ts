/**
 * `npm run bench [-- <name>...]`: runs the raw limits and the scenarios (or the
 * named ones) one after another and prints one table per section. Every load
 * loop is bounded in count and time, everything targets 127.0.0.1, and every
 * database, stream and child process is removed at the end, on failure, on
 * Ctrl-C and when the overall deadline passes.
 */
import os from 'node:os';
import { createRawLimits, rawSection } from './raw-limits';
import { loadAbort } from './lib/http';
import { createCleanup, killAllChildrenNow } from './lib/infra';
import type { Scenario } from './lib/scenario';
import { renderSection, type Section } from './lib/table';
import { bookingApiScenario } from './scenarios/booking-api';
import { calcomSyncScenario } from './scenarios/calcom-sync';
import { webhookGatewayScenario } from './scenarios/webhook-gateway';

/** Seconds each raw limit is measured for. */
const RAW_SECONDS = 4;
/** The whole run is abandoned (and cleaned up) after this long. */
const DEADLINE_MS = 6 * 60_000;

const rawLimitsSection: Scenario = {
  name: 'raw',
  describe:
    'raw JetStream publish (1 and 256 in flight), raw MySQL two-insert tx, bare Express + JSON + HMAC',
  run: ({ limits }) => rawSection(limits),
};
const SCENARIOS: Scenario[] = [
  rawLimitsSection,
  bookingApiScenario,
  calcomSyncScenario,
  webhookGatewayScenario,
];

const log = (line: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

function usage(): string {
  return [
    'usage: npm run bench [-- <name> ...]',
    ...SCENARIOS.map((s) => `  ${s.name.padEnd(16)} ${s.describe}`),
    'with no name, all of them run in this order.',
  ].join('\n');
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('-h') || args.includes('--help')) {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  const unknown = args.filter((a) => !SCENARIOS.some((s) => s.name === a));
  if (unknown.length) {
    process.stderr.write(`unknown scenario: ${unknown.join(', ')}\n${usage()}\n`);
    return 2;
  }
  const selected = args.length ? SCENARIOS.filter((s) => args.includes(s.name)) : SCENARIOS;

  const cleanup = createCleanup(log);
  let exiting = false;
  const abort = (why: string, code: number) => {
    if (exiting) return;
    exiting = true;
    log(`${why}: cleaning up`);
    loadAbort.abort();
    void cleanup.run().finally(() => process.exit(code));
  };
  process.once('SIGINT', () => abort('interrupted', 130));
  process.once('SIGTERM', () => abort('terminated', 143));
  process.once('exit', killAllChildrenNow);
  setTimeout(() => abort(`deadline of ${DEADLINE_MS / 60_000} min passed`, 1), DEADLINE_MS).unref();

  const limits = createRawLimits({ cleanup, log, seconds: RAW_SECONDS });
  const started = Date.now();
  process.stdout.write(
    `calsync bench: ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ` +
      `scenarios: ${selected.map((s) => s.name).join(', ')}\n\n`,
  );
  let failed = 0;
  try {
    for (const s of selected) {
      log(`${s.name}: start`);
      let section: Section;
      try {
        section = await s.run({ cleanup, limits, log });
      } catch (err) {
        failed++;
        log(`${s.name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        section = {
          title: s.name,
          rows: [],
          notes: [`FAILED: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`],
        };
      }
      process.stdout.write(`${renderSection(section)}\n\n`);
    }
  } finally {
    await cleanup.run();
  }
  process.stdout.write(`total ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
