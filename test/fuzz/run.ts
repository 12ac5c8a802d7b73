/**
 * `npm run test:fuzz` — property-based fuzzing of every public route of the
 * running services (issue 9). See README.md beside this file.
 *
 *   --cases N      cases per route (default 400: the CI budget, about a minute)
 *   --seed S       fast-check seed (default 1 in CI; a failure prints it)
 *   --route TEXT   only routes whose name contains TEXT
 *   --verbose      print every finding, not the first five per route
 */
import http from 'node:http';
import fc from 'fast-check';
import { send, STALL_MS } from './http';
import { counts, eventLoopLag, judge, parseLag, scanLogs, worse, type Lag } from './oracle';
import { routes, type FuzzContext, type FuzzRequest, type RouteDef } from './routes';
import { startSystem, TENANTS, type FuzzSystem } from './system';

interface RouteReport {
  name: string;
  cases: number;
  statuses: Map<number, number>;
  findings: string[];
  latencies: number[];
  lag: Lag;
}

function parseArgs(argv: string[]) {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    cases: Number(get('--cases') ?? 400),
    seed: Number(get('--seed') ?? 1),
    route: get('--route'),
    verbose: argv.includes('--verbose'),
  };
}

/** A few real appointments per tenant, for the routes that act on one. */
async function seedAppointments(sys: FuzzSystem): Promise<FuzzContext> {
  const api = sys.services['booking-api'].url;
  const appointments: Record<string, string[]> = {};
  for (const t of TENANTS) {
    appointments[t.id] = [];
    for (let i = 0; i < 6; i++) {
      const start = new Date(Date.now() + (70 + i) * 86400_000);
      start.setUTCHours(9, 0, 0, 0);
      const res = await fetch(`${api}/v1/tenants/${t.id}/appointments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          eventTypeId: t.eventTypes[0],
          start: start.toISOString(),
          customer: { name: 'Seed', email: `seed${i}@example.org`, timeZone: 'Europe/Berlin' },
        }),
      });
      if (res.status !== 201) throw new Error(`seed appointment: ${res.status} ${await res.text()}`);
      appointments[t.id]!.push(((await res.json()) as { id: string }).id);
    }
  }
  return { appointments };
}

/** Cases in chunks, so long strings never pile up in memory; the same seed gives the same cases. */
function* cases(route: RouteDef, n: number, seed: number): Generator<FuzzRequest> {
  const CHUNK = 100;
  for (let done = 0, i = 0; done < n; done += CHUNK, i++)
    yield* fc.sample(route.arb, { numRuns: Math.min(CHUNK, n - done), seed: seed + i });
}

async function fuzzRoute(sys: FuzzSystem, route: RouteDef, n: number, seed: number, sentPii: Set<string>) {
  const base = sys.services[route.service].url;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const report: RouteReport = {
    name: route.name,
    cases: 0,
    statuses: new Map(),
    findings: [],
    latencies: [],
    lag: { p99: 0, max: 0 },
  };
  await eventLoopLag(base); // resets the histogram: the figures below are this route's
  let before = await counts(sys);
  let index = 0;
  try {
    for (const req of cases(route, n, seed)) {
      index++;
      for (const p of req.pii) sentPii.add(p);
      const answer = await send(agent, base, req);
      const after = await counts(sys);
      if (route.service === 'webhook-gateway') report.lag = worse(report.lag, after.gatewayLag);
      if ('error' in answer) {
        // The service closing the connection on an oversized body is an answer too; a stall is not.
        if (answer.ms >= STALL_MS || !/socket hang up|ECONNRESET|EPIPE|client:/.test(answer.error))
          report.findings.push(
            `case ${index}: ${answer.error} after ${answer.ms.toFixed(0)} ms — ${describe(req)}`,
          );
        before = after;
        continue;
      }
      report.cases++;
      report.latencies.push(answer.ms);
      report.statuses.set(answer.status, (report.statuses.get(answer.status) ?? 0) + 1);
      // A case that scraped /metrics reset the delay histogram: keep what it saw.
      if (answer.status === 200 && answer.body.includes('nodejs_eventloop_lag_max_seconds'))
        report.lag = worse(report.lag, parseLag(answer.body));
      for (const f of judge(route, req, answer, before, after))
        report.findings.push(`case ${index}: ${f} — ${describe(req)}`);
      before = after;
    }
  } finally {
    agent.destroy();
  }
  report.lag = worse(report.lag, await eventLoopLag(base));
  return report;
}

function describe(req: FuzzRequest): string {
  const headers = Object.entries(req.headers)
    .filter(([k]) => k !== 'X-Forwarded-For')
    .map(([k, v]) => `${k}: ${v.length > 60 ? `${v.slice(0, 60)}…(${v.length})` : v}`)
    .join('; ');
  const body = req.body === undefined ? '' : ` body(${req.body.length}) ${req.body.slice(0, 160)}`;
  return `${req.method} ${req.path.slice(0, 160)}${req.path.length > 160 ? `…(${req.path.length})` : ''} [${headers}]${body}`;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : 0;
};
const ms = (s: number) => `${(s * 1000).toFixed(1)} ms`;

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const sys = await startSystem();
  const out = (s: string) => process.stdout.write(`${s}\n`);
  let failed = false;
  try {
    const ctx = await seedAppointments(sys);
    // Baseline: the event-loop delay of each service answering plain valid requests.
    const baseline: Record<string, Lag> = {};
    for (const [name, s] of Object.entries(sys.services)) {
      await eventLoopLag(s.url);
      for (let i = 0; i < 50; i++) await fetch(`${s.url}/livez`);
      baseline[name] = await eventLoopLag(s.url);
    }
    out(
      `system up in ${((Date.now() - t0) / 1000).toFixed(0)} s; seed ${args.seed}, ${args.cases} cases per route`,
    );
    out(
      `baseline event-loop delay: ${Object.entries(baseline)
        .map(([n, b]) => `${n} p99 ${ms(b.p99)} max ${ms(b.max)}`)
        .join('; ')}`,
    );
    const sentPii = new Set<string>();
    const selected = routes(ctx).filter((r) => !args.route || r.name.includes(args.route));
    for (const route of selected) {
      const r = await fuzzRoute(sys, route, args.cases, args.seed, sentPii);
      // Relative to the baseline only: a request that blocks the loop shows as a delay far above it.
      const base = baseline[route.service]!;
      const limit = Math.max(0.5, 20 * base.max);
      if (r.lag.max > limit)
        r.findings.push(`event loop stalled: max delay ${ms(r.lag.max)} > ${ms(limit)} (20 × baseline max)`);
      const statuses = [...r.statuses.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([s, n]) => `${s}×${n}`)
        .join(' ');
      out(
        `${r.findings.length ? 'FAIL' : 'ok  '} ${route.name.padEnd(20)} ${String(r.cases).padStart(6)} cases  ` +
          `latency p50 ${pct(r.latencies, 50).toFixed(1)} / p99 ${pct(r.latencies, 99).toFixed(1)} / max ${Math.max(0, ...r.latencies).toFixed(0)} ms  ` +
          `loop p99 ${ms(r.lag.p99)} max ${ms(r.lag.max)}  [${statuses}]`,
      );
      for (const f of r.findings.slice(0, args.verbose ? Infinity : 5)) out(`     ${f}`);
      if (r.findings.length > 5 && !args.verbose) out(`     … ${r.findings.length - 5} more (--verbose)`);
      failed ||= r.findings.length > 0;
    }
    const logFindings = Object.entries(sys.services).flatMap(([name, s]) =>
      scanLogs(name, s.proc.output(), sentPii),
    );
    for (const f of logFindings.slice(0, args.verbose ? Infinity : 10)) out(`FAIL logs: ${f}`);
    if (!logFindings.length)
      out(`ok   logs: no secret, no unmasked customer e-mail or phone (${sentPii.size} sent)`);
    failed ||= logFindings.length > 0;
  } finally {
    await sys.close();
  }
  out(
    `\n${failed ? 'FAILED' : 'passed'} in ${((Date.now() - t0) / 1000).toFixed(0)} s (replay: npm run test:fuzz -- --seed ${args.seed} --cases ${args.cases}${args.route ? ` --route '${args.route}'` : ''})`,
  );
  process.exitCode = failed ? 1 : 0;
}

main().catch((err: unknown) => {
  process.stderr.write(
    `fuzz run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 2;
});
