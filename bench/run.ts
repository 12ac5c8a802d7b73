/**
 * `npm run bench [-- <row>...] [--reps N] [--profile DIR]`: the rows of issue
 * 12's table, each project measurement interleaved with the raw limit it is
 * compared with (raw, project, raw, project... N times), printed as one table
 * and written to bench/results/<time>.json. Every load loop is bounded in count
 * and time, everything targets 127.0.0.1, and every database, stream and child
 * process is removed at the end, on failure, on Ctrl-C and at the deadline.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { costSection } from './cost';
import type { Group } from './lib/group';
import { loadAbort } from './lib/http';
import { createCleanup, killAllChildrenNow, setGroup, setProfileDir } from './lib/infra';
import { renderTable, type RowReport } from './lib/table';
import { applierGroup } from './rows/applier';
import { budgetGroup } from './rows/budget';
import { createsGroup } from './rows/creates';
import { rssRow } from './rows/rss';
import { syncGroup } from './rows/sync';
import { webhooksGroup } from './rows/webhooks';

const GROUPS: Group[] = [createsGroup, webhooksGroup, applierGroup, syncGroup, budgetGroup];
const RSS = { id: 7, name: 'rss', describe: 'peak RSS per service, from the processes the other rows ran' };
/** Row 7 alone: the rows that load each service. */
const RSS_ALONE = [1, 2, 4];
/** A safety net for a hung run, far above the ~10 min a whole run takes. */
const DEADLINE_MS = 30 * 60_000;
const RESULTS = resolve(__dirname, 'results');

const log = (line: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

function usage(): string {
  const rows = [...GROUPS.flatMap((g) => g.rows), RSS].sort((a, b) => a.id - b.id);
  return [
    'usage: npm run bench [-- <row> ...] [--reps N] [--profile DIR]',
    ...rows.map((r) => `  ${String(r.id).padEnd(2)} ${r.name.padEnd(10)} ${r.describe}`),
    '  cost          MySQL round trips and NATS operations per appointment, on private servers',
    'rows by number or name; none = all of 1-8. --reps: raw/project pairs per row (default 3, at least 1).',
    '--profile DIR: every service writes a .cpuprofile there (summarise: node --import tsx bench/profile-summary.ts DIR).',
  ].join('\n');
}

interface Args {
  rows: Set<number>;
  cost: boolean;
  reps: number;
  profile?: string;
}

function parseArgs(argv: string[]): Args | string {
  const all = [...GROUPS.flatMap((g) => g.rows), RSS];
  const out: Args = { rows: new Set(), cost: false, reps: 3 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--reps') out.reps = Number(argv[++i]);
    else if (a === '--profile') out.profile = resolve(argv[++i] ?? '');
    else if (a === 'cost') out.cost = true;
    else {
      const row = all.find((r) => r.name === a || String(r.id) === a);
      if (!row) return `unknown row: ${a}`;
      out.rows.add(row.id);
    }
  }
  if (!Number.isInteger(out.reps) || out.reps < 1) return '--reps needs a whole number >= 1';
  if (!out.rows.size && !out.cost) for (const r of all) out.rows.add(r.id);
  if (out.rows.size === 1 && out.rows.has(RSS.id)) for (const id of RSS_ALONE) out.rows.add(id);
  return out;
}

function gitState(): { commit: string; productChanges: string } {
  const git = (...a: string[]) => {
    try {
      return execFileSync('git', a, { encoding: 'utf8', cwd: resolve(__dirname, '..') }).trim();
    } catch {
      return 'unknown';
    }
  };
  const stat = git('diff', '--shortstat', 'HEAD', '--', 'services', 'libs', 'tools');
  return { commit: git('rev-parse', '--short', 'HEAD'), productChanges: stat || 'none' };
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(`${args}\n${usage()}\n`);
    return 2;
  }
  if (args.profile) {
    mkdirSync(args.profile, { recursive: true });
    setProfileDir(args.profile);
  }

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

  const started = new Date();
  const load0 = os.loadavg();
  const git = gitState();
  const cpu = `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}`;
  process.stdout.write(
    `calsync bench: ${started.toISOString()}, node ${process.version}, ${cpu}, load average ${load0.map((l) => l.toFixed(2)).join(' ')}\n` +
      `commit ${git.commit} (uncommitted product changes: ${git.productChanges}); rows ${[...args.rows].sort().join(', ') || '-'}; ${args.reps} repetitions${args.cost ? '; cost count' : ''}\n\n`,
  );
  const reports: RowReport[] = [];
  const failures: string[] = [];
  let cost: unknown;
  try {
    for (const g of GROUPS) {
      const rows = new Set(g.rows.map((r) => r.id).filter((id) => args.rows.has(id)));
      if (!rows.size) continue;
      log(`${g.name}: start (rows ${[...rows].join(', ')})`);
      setGroup(g.name);
      try {
        reports.push(...(await g.run({ cleanup, log, reps: args.reps, rows })));
      } catch (err) {
        failures.push(`${g.name}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
        log(`${g.name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
      // Whatever the group left running (also after a failure) stops before the next one measures.
      await cleanup.run();
    }
    const rss = args.rows.has(RSS.id) ? rssRow() : undefined;
    if (rss) reports.push(rss);
    if (args.cost) {
      setGroup('cost');
      try {
        cost = await costSection({ cleanup, log });
      } catch (err) {
        failures.push(`cost: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
        log(`cost failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    }
  } finally {
    await cleanup.run();
  }
  reports.sort((a, b) => a.id - b.id);
  const load1 = os.loadavg();
  const seconds = (Date.now() - started.getTime()) / 1000;
  if (reports.length)
    process.stdout.write(
      `${renderTable(`issue 12, ${args.reps} repetitions, raw and project interleaved`, reports)}\n\n`,
    );
  for (const f of failures) process.stdout.write(`FAILED ${f}\n`);
  process.stdout.write(
    `total ${seconds.toFixed(0)} s; load average at the end ${load1.map((l) => l.toFixed(2)).join(' ')}\n`,
  );

  mkdirSync(RESULTS, { recursive: true });
  const file = resolve(RESULTS, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  const result = {
    startedAt: started.toISOString(),
    seconds,
    argv,
    reps: args.reps,
    host: { node: process.version, cpus: cpu, loadAverageStart: load0, loadAverageEnd: load1 },
    git,
    rows: reports,
    ...(cost ? { cost } : {}),
    failures,
  };
  // Formatted as the repository's prettier would, so `prettier --check .` stays green with runs lying around.
  const style = (await resolveConfig(file)) ?? {};
  writeFileSync(file, await format(JSON.stringify(result), { ...style, filepath: file }));
  process.stdout.write(`results: ${file}\n`);
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
