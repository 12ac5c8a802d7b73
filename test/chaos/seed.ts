/** One seed: tenants, ~40 operations with faults between them, quiesce, judge. */
import { listAppointments, listReview } from './client';
import { maybeFault, type FaultState } from './faults';
import { newHistory, type History } from './history';
import { judge, type Finding, type TenantState } from './judge';
import { drawOp, runOp, type World } from './ops';
import { quiesce, bringUp } from './quiesce';
import { createRng } from './rng';
import type { ChaosSystem } from './system';
import { createTenants, type Tenant } from './tenants';

export interface SeedResult {
  seed: number;
  history: History;
  tenants: Tenant[];
  findings: Finding[];
  warnings: string[];
  /** What was judged, so a pass says how much it covered. */
  stats: string;
  /** Each review entry and what in the history explains it. */
  reviews: string[];
  ms: number;
}

export interface SeedOptions {
  ops: number;
  /** Faults between operations (off in the cluster scenario, which has its own). */
  faults: boolean;
  replicas?: number;
  /** Called before each operation (the cluster scenario kills a node here). */
  beforeOp?: (n: number, w: World) => Promise<void>;
  /** Bring every NATS node back before judging (false: judge with the node still down). */
  natsBack?: boolean;
  /** How long both sides must stay unchanged before judging (default STABLE_MS). */
  stableMs?: number;
}

/** Sixteen 30-minute slots on two weekdays a few days ahead, inside working hours in any season. */
export function slotsFrom(now: Date): string[] {
  const days: Date[] = [];
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 3));
  while (days.length < 2) {
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) days.push(new Date(d));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  // 09:00–13:00 UTC is 10:00–15:00 in Berlin, summer or winter.
  return days.flatMap((day) =>
    Array.from({ length: 8 }, (_, i) => new Date(day.getTime() + (9 * 60 + 30 * i) * 60_000).toISOString()),
  );
}

export async function runSeed(sys: ChaosSystem, seed: number, opts: SeedOptions): Promise<SeedResult> {
  const t0 = Date.now();
  const rng = createRng(seed);
  const replicas = opts.replicas ?? 2 + rng.int(2);
  const tenantCount = 2 + rng.int(2);
  sys.sb.clearFaults();
  await bringUp(sys, replicas);
  const history = newHistory(seed);
  const tenants = await createTenants(sys, seed, tenantCount);
  const w: World = {
    seed,
    rng,
    sb: sys.sb,
    apiUrl: () => sys.apiUrl,
    tenants,
    slots: slotsFrom(new Date()),
    history,
    known: new Map(),
  };
  const state: FaultState = {};
  for (let n = 1; n <= opts.ops; n++) {
    const d = drawOp(w);
    if (opts.faults) await maybeFault(w, sys, n, state, d.tenant);
    await opts.beforeOp?.(n, w);
    await new Promise((r) => setTimeout(r, d.gapMs));
    history.ops.push(...(await runOp(w, n, d)));
  }
  const opsMs = Date.now() - t0;
  const reviews: string[] = [];
  const verdict = async () => {
    const states: TenantState[] = [];
    const found: Finding[] = [];
    for (const t of tenants) {
      const appointments = await listAppointments(sys.apiUrl, t.id, t.adminToken);
      const review = await listReview(sys.apiUrl, t.id, t.adminToken);
      if (appointments && review) states.push({ tenant: t, appointments, review });
      else
        found.push({ check: '0 converged', tenant: t.id, detail: 'admin API did not answer the final read' });
    }
    reviews.length = 0;
    found.push(...judge(states, sys.sb.bookings(), sys.sb.calls({ kind: 'webhook' }), history, reviews));
    return { states, found };
  };
  const q = await quiesce(w, sys, state, replicas, {
    nats: opts.natsBack,
    stableMs: opts.stableMs,
    clean: async () => (await verdict()).found.length === 0,
  });
  const quiesceMs = Date.now() - t0 - opsMs;
  const { states, found } = await verdict();
  const findings: Finding[] = [...found];
  if (!q.converged)
    findings.push({
      check: '0 converged',
      tenant: '*',
      detail: `still pending after the bound: ${q.pending.join(', ')}`,
    });
  const warnings = sys.services.flatMap((s) => s.unexpectedExits.splice(0));
  const all = states.flatMap((s) => s.appointments);
  const mine = sys.sb.bookings().filter((b) => tenants.some((t) => t.eventTypes.includes(b.eventTypeId)));
  const stats = [
    `${all.filter((a) => a.status === 'booked').length} booked / ${all.filter((a) => a.status === 'cancelled').length} cancelled appointments`,
    `${states.reduce((n, s) => n + s.review.length, 0)} in review`,
    `${mine.filter((b) => b.status === 'accepted' || b.status === 'pending').length} live / ${mine.length} Cal.com bookings`,
    `${history.ops.filter((o) => o.localChange).length} local changes`,
    `${replicas} sync replicas`,
    `operations ${(opsMs / 1000).toFixed(0)} s, quiesce ${(quiesceMs / 1000).toFixed(0)} s`,
  ].join(', ');
  return { seed, history, tenants, findings, warnings, stats, reviews, ms: Date.now() - t0 };
}
