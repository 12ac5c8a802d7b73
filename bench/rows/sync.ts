/**
 * Rows 4, 5 and 8 on one running system (lib/system.ts): commit -> booking in
 * Cal.com at 100 appointments/s offered with the sandbox answering at once
 * (4) and in 150 ms (5), and the phone agent's book_appointment at 10 calls/s
 * with the sandbox at 150 ms (8). Each project measurement follows a raw one:
 * the same offered rate of bookings sent straight to the sandbox, which is
 * Cal.com's own time with nothing of ours in between. Per repetition the rows
 * take turns, so a slow minute of the shared machine hits all of them.
 */
import { rawSandbox, type RawRun } from '../raw-limits';
import type { Group } from '../lib/group';
import { profileFromNow } from '../lib/infra';
import { ratios, stat } from '../lib/stats';
import { startSystem } from '../lib/system';
import { fig, type RowReport } from '../lib/table';
import type { BenchTenant } from '../lib/tenants';
import { pushPhase, type PushRun } from './push';
import { retellPhase, type RetellRun } from './retell';

const PUSH_PER_SEC = 100;
const PUSH_MS = 6_000;
const RETELL_PER_SEC = 10;
const RETELL_MS = 10_000;
const RAW_MS = 4_000;
const SLOW_MS = 150;
const TENANTS = 4;

const RAW_ACCOUNT: BenchTenant = {
  id: 'raw',
  adminToken: '',
  calcomApiKey: 'cal_live_bench_raw_9999',
  webhookSecret: '',
  retellApiKey: '',
  eventTypeIds: [990_000],
};

type Raw = RawRun & { cpuMsEach: number };

function pushRow(id: 4 | 5, runs: { raw: Raw; project: PushRun }[], latencyMs: number): RowReport {
  const sustained = ratios(
    runs.map((x) => x.project.sustainedPerSec),
    runs.map((x) => x.raw.rate),
  );
  const overhead = stat(runs.map((x) => x.project.overhead.p99));
  const cpu = stat(runs.map((x) => x.project.cpuMsEach));
  const rate = stat(runs.map((x) => x.project.sustainedPerSec));
  const at = latencyMs ? `Cal.com answering in ${latencyMs} ms` : 'Cal.com answering at once';
  return {
    id,
    name: id === 4 ? 'sync' : 'sync-slow',
    title: `commit -> booking in Cal.com at ${PUSH_PER_SEC} appointments/s, ${at}`,
    lines: [
      {
        measure: `commit -> booking in Cal.com, ${PUSH_PER_SEC}/s offered, ${at}: sustained/s`,
        project: fig(rate, '/s'),
        raw: fig(stat(runs.map((x) => x.raw.rate)), '/s', 'straight to the sandbox'),
        ratio: sustained,
        goal: id === 4 ? `${PUSH_PER_SEC}/s (>= ${PUSH_PER_SEC * 0.95}/s)` : '-',
        met: id === 4 ? rate.median >= PUSH_PER_SEC * 0.95 : null,
      },
      {
        measure: "our overhead p99 (commit -> booking minus Cal.com's time)",
        project: fig(overhead, ' ms'),
        raw: fig(stat(runs.map((x) => x.raw.latency.p99)), ' ms', "Cal.com's own p99"),
        goal: '<= 100 ms',
        met: overhead.median <= 100,
      },
      {
        measure: "commit -> booking p99 (Cal.com's time included)",
        project: fig(stat(runs.map((x) => x.project.commitToBooking.p99)), ' ms'),
        raw: '-',
        goal: '-',
        met: null,
      },
      {
        measure: 'CPU per appointment, all service processes',
        project: fig(cpu, ' ms CPU'),
        raw: fig(stat(runs.map((x) => x.raw.cpuMsEach)), ' ms CPU', 'client + sandbox per call'),
        goal: id === 4 ? '<= 5 ms' : '-',
        met: id === 4 ? cpu.median <= 5 : null,
      },
    ],
    notes: [
      `${TENANTS} tenants, ${PUSH_MS / 1000} s offered per measurement (raw ${RAW_MS / 1000} s); overhead = booking createdAt - appointment createdAt - ${latencyMs} ms; CPU = utime+stime of booking-api, webhook-gateway and calcom-sync from the first create until idle (echoes applied)`,
      `synced / created: ${runs.map((x) => `${x.project.synced}/${x.project.created}`).join(', ')}; creates failed: ${runs.reduce((n, x) => n + x.project.failed, 0)}${runs.every((x) => x.project.settled) ? '' : '; NOT idle within 60 s in some repetitions'}`,
    ],
  };
}

function retellRow(runs: { raw: Raw; project: RetellRun }[]): RowReport {
  const p99 = stat(runs.map((x) => x.project.latency.p99));
  const statuses: Record<string, number> = {};
  for (const x of runs)
    for (const [k, v] of Object.entries(x.project.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  return {
    id: 8,
    name: 'retell',
    title: `phone agent's book_appointment at ${RETELL_PER_SEC} calls/s, Cal.com at ${SLOW_MS} ms`,
    lines: [
      {
        measure: `book_appointment answer p99 at ${RETELL_PER_SEC} calls/s, Cal.com ${SLOW_MS} ms`,
        project: fig(p99, ' ms'),
        raw: fig(stat(runs.map((x) => x.raw.latency.p99)), ' ms', "Cal.com's own p99"),
        ratio: ratios(
          runs.map((x) => x.project.latency.p99),
          runs.map((x) => x.raw.latency.p99),
        ),
        goal: `<= ${SLOW_MS + 100} ms`,
        met: p99.median <= SLOW_MS + 100,
      },
      {
        measure: 'book_appointment answer p50',
        project: fig(stat(runs.map((x) => x.project.latency.p50)), ' ms'),
        raw: fig(stat(runs.map((x) => x.raw.latency.p50)), ' ms', "Cal.com's own p50"),
        goal: '-',
        met: null,
      },
    ],
    notes: [
      `${RETELL_MS / 1000} s per measurement (raw ${RAW_MS / 1000} s); answers by status: ${Object.entries(
        statuses,
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}; not answered 200: ${runs.reduce((n, x) => n + x.project.failed, 0)}`,
    ],
  };
}

export const syncGroup: Group = {
  name: 'sync',
  rows: [
    {
      id: 4,
      name: 'sync',
      describe: `commit -> Cal.com at ${PUSH_PER_SEC}/s, Cal.com at once: rate, overhead p99, CPU`,
    },
    { id: 5, name: 'sync-slow', describe: `the same with Cal.com answering in ${SLOW_MS} ms: overhead p99` },
    {
      id: 8,
      name: 'retell',
      describe: `book_appointment answer p50/p99 at ${RETELL_PER_SEC}/s, Cal.com ${SLOW_MS} ms`,
    },
  ],
  async run({ cleanup, log, reps, rows }) {
    log('sync: starting booking-api, webhook-gateway, calcom-sync and the sandbox');
    const sys = await startSystem(cleanup, {
      prefix: 'cs',
      tenants: TENANTS,
      eventTypesEach: 1,
      rateLimitPerMinute: 100_000,
    });
    const raw = rawSandbox(sys.sandbox, RAW_ACCOUNT);
    try {
      log('sync: warming up (50/s for 3 s, not reported)');
      await raw.measure(PUSH_PER_SEC, 1_000);
      await pushPhase(sys, { latencyMs: 0, perSec: 50, ms: 3_000 });
      profileFromNow();
      const fast: { raw: Raw; project: PushRun }[] = [];
      const slow: { raw: Raw; project: PushRun }[] = [];
      const phone: { raw: Raw; project: RetellRun }[] = [];
      for (let rep = 1; rep <= reps; rep++) {
        if (rows.has(4)) {
          log(`sync: rep ${rep}/${reps}: row 4, ${PUSH_PER_SEC}/s, Cal.com at once`);
          sys.sandbox.setLatency(0);
          const r = await raw.measure(PUSH_PER_SEC, RAW_MS);
          fast.push({
            raw: r,
            project: await pushPhase(sys, { latencyMs: 0, perSec: PUSH_PER_SEC, ms: PUSH_MS }),
          });
        }
        if (rows.has(5)) {
          log(`sync: rep ${rep}/${reps}: row 5, ${PUSH_PER_SEC}/s, Cal.com ${SLOW_MS} ms`);
          sys.sandbox.setLatency(SLOW_MS);
          const r = await raw.measure(PUSH_PER_SEC, RAW_MS);
          slow.push({
            raw: r,
            project: await pushPhase(sys, { latencyMs: SLOW_MS, perSec: PUSH_PER_SEC, ms: PUSH_MS }),
          });
        }
        if (rows.has(8)) {
          log(
            `sync: rep ${rep}/${reps}: row 8, book_appointment at ${RETELL_PER_SEC}/s, Cal.com ${SLOW_MS} ms`,
          );
          sys.sandbox.setLatency(SLOW_MS);
          const r = await raw.measure(RETELL_PER_SEC, RAW_MS);
          const p = await retellPhase(sys, { perSec: RETELL_PER_SEC, ms: RETELL_MS });
          await sys.settle();
          phone.push({ raw: r, project: p });
        }
      }
      return [
        ...(fast.length ? [pushRow(4, fast, 0)] : []),
        ...(slow.length ? [pushRow(5, slow, SLOW_MS)] : []),
        ...(phone.length ? [retellRow(phone)] : []),
      ];
    } finally {
      raw.release();
      await sys.release();
    }
  },
};
