/**
 * `npm run test:chaos` — seeded, randomized, model-based convergence test of the
 * running system (issue 8). See README.md beside this file.
 *
 *   --ci            the fixed CI seeds (default)
 *   --seed K        one seed (a fresh system, as a replay)
 *   --seeds A..B    a range, sharing one system
 *   --ops N         operations per seed (default 40)
 *   --cluster       the three-node NATS cluster scenario instead (seed 7 unless
 *                   --seed/--seeds); --ci runs it after the CI seeds
 *   --verbose       print the history of passing seeds too
 *   --stable-ms N   how long nothing may change before judging (default 12000): is it stuck or slow?
 */
import { rmSync } from 'node:fs';
import { runClusterScenario } from './cluster';
import { report } from './report';
import { runSeed, type SeedResult } from './seed';
import { closeOpenSystems, startSystem } from './system';

export const CI_SEEDS = [1, 2];
const CLUSTER_SEED = 7;

/** Normal seeds run on one shared system; cluster seeds each on their own cluster system. */
function parseArgs(argv: string[]) {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const ops = Number(get('--ops') ?? 40);
  const stableMs = get('--stable-ms') ? Number(get('--stable-ms')) : undefined;
  const one = get('--seed');
  const range = get('--seeds');
  let picked: number[] | undefined;
  if (one) picked = [Number(one)];
  if (range) {
    const [a, b] = range.split('..').map(Number);
    if (!a || !b || b < a) throw new Error(`--seeds wants A..B, got ${range}`);
    picked = Array.from({ length: b - a + 1 }, (_, i) => a + i);
  }
  if (argv.includes('--cluster') && !argv.includes('--ci'))
    return { seeds: [], clusterSeeds: picked ?? [CLUSTER_SEED], ops, stableMs };
  if (picked && !argv.includes('--ci')) return { seeds: picked, clusterSeeds: [], ops, stableMs };
  return { seeds: CI_SEEDS, clusterSeeds: [CLUSTER_SEED], ops, stableMs };
}

/** Service logs are kept only where a seed failed (their path is in its report). */
function dropLogsIfClean(logDir: string, results: SeedResult[]) {
  if (results.every((r) => !r.findings.length)) rmSync(logDir, { recursive: true, force: true });
}

async function main() {
  const args = { ...parseArgs(process.argv.slice(2)), verbose: process.argv.includes('--verbose') };
  const t0 = Date.now();
  const results: SeedResult[] = [];
  if (args.seeds.length) {
    const sys = await startSystem();
    process.stdout.write(`system up in ${((Date.now() - t0) / 1000).toFixed(0)} s; logs in ${sys.logDir}\n`);
    try {
      for (const seed of args.seeds) {
        const r = await runSeed(sys, seed, { ops: args.ops, faults: true, stableMs: args.stableMs });
        results.push(r);
        process.stdout.write(`${report(r, sys.logDir, args.verbose)}\n`);
      }
    } finally {
      await sys.close();
      dropLogsIfClean(sys.logDir, results);
    }
  }
  for (const seed of args.clusterSeeds) {
    const { result, sys } = await runClusterScenario(seed, args.stableMs);
    results.push(result);
    dropLogsIfClean(sys.logDir, [result]);
    process.stdout.write(`[cluster] ${report(result, sys.logDir, args.verbose, '--cluster ')}\n`);
  }
  const failed = results.filter((r) => r.findings.length);
  process.stdout.write(
    `\n${results.length - failed.length}/${results.length} passed in ${((Date.now() - t0) / 1000).toFixed(0)} s${failed.length ? `; failing seeds: ${failed.map((r) => r.seed).join(', ')}` : ''}\n`,
  );
  process.exitCode = failed.length ? 1 : 0;
}

// Ctrl-C or a kill: stop the private MariaDB, NATS and the services before leaving.
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    process.stderr.write(`\n${sig}: closing the chaos system\n`);
    void closeOpenSystems().finally(() => process.exit(130));
  });

main().catch((err: unknown) => {
  process.stderr.write(
    `chaos run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 2;
});
