/**
 * End of the storm: clear Cal.com faults, bring every process back, then wait
 * until nothing is pending, no JetStream consumer holds a message (a delivery
 * waiting for redelivery changes state later, unseen by the API), and neither
 * side changed for a few reconciliation rounds (RECONCILE_INTERVAL_SECONDS=5),
 * or give up after a bound.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { listAppointments } from './client';
import type { FaultState } from './faults';
import type { World } from './ops';
import type { ChaosSystem } from './system';

/** More than two reconciliation rounds (5 s each) without a change on either side. */
export const STABLE_MS = 12_000;
/**
 * How long a state the judge rejects must hold still before it is final: work can sit
 * unseen in JetStream (a consumer resumes ~30 s after its NATS node died).
 */
export const STUCK_MS = 45_000;

export async function bringUp(
  sys: ChaosSystem,
  replicas: number,
  opts: { nats?: boolean } = {},
): Promise<void> {
  if (!sys.mysql.running()) await sys.mysql.start();
  if (opts.nats !== false) for (const node of sys.nats.nodes) await node.start();
  const wanted = sys.services.filter(
    (s) => !s.name.startsWith('calcom-sync') || Number(s.name.split('-')[2]) <= replicas,
  );
  await Promise.all(wanted.map((s) => s.start()));
  await Promise.all(
    sys
      .syncReplicas()
      .filter((s) => !wanted.includes(s))
      .map((s) => s.kill()),
  );
}

export async function quiesce(
  w: World,
  sys: ChaosSystem,
  state: FaultState,
  replicas: number,
  opts: { timeoutMs?: number; nats?: boolean; stableMs?: number; clean?: () => Promise<boolean> } = {},
): Promise<{ converged: boolean; pending: string[] }> {
  w.sb.clearFaults();
  if (state.recovery) {
    const rec = state.recovery;
    state.recovery = undefined;
    await rec.recover();
    w.history.faults.push({ n: w.history.ops.length, at: Date.now(), what: `recovered: ${rec.what}` });
  }
  await bringUp(sys, replicas, opts);
  const nc = await connect({ servers: sys.nats.url, maxReconnectAttempts: -1 }).catch(() => undefined);
  try {
    return await settle(w, opts, nc);
  } finally {
    await nc?.close();
  }
}

/** Messages JetStream consumers have not finished (unread, or delivered and not acked yet); undefined: cannot tell. */
async function jetstreamBacklog(nc: NatsConnection | undefined): Promise<number | undefined> {
  if (!nc) return undefined;
  try {
    const jsm = await jetstreamManager(nc, { timeout: 2_000 });
    let n = 0;
    for await (const s of jsm.streams.list())
      for await (const c of jsm.consumers.list(s.config.name)) n += c.num_pending + c.num_ack_pending;
    return n;
  } catch {
    return undefined;
  }
}

async function settle(
  w: World,
  opts: { timeoutMs?: number; stableMs?: number; clean?: () => Promise<boolean> },
  nc: NatsConnection | undefined,
): Promise<{ converged: boolean; pending: string[] }> {
  const until = Date.now() + Math.max(opts.timeoutMs ?? 120_000, 2 * (opts.stableMs ?? 0));
  let last = '';
  let since = Date.now();
  let pending: string[] = ['(not read yet)'];
  while (Date.now() < until) {
    const lists = await Promise.all(w.tenants.map((t) => listAppointments(w.apiUrl(), t.id, t.adminToken)));
    const sbState = w.sb
      .bookings()
      .map((b) => `${b.uid}:${b.status}:${b.start.toISOString()}`)
      .sort();
    if (lists.every((l) => l !== undefined)) {
      const all = lists.flat();
      pending = all
        .filter((a) => a.sync.status === 'pending' && !a.sync.requiresManualReview)
        .map((a) => a.id);
      const print = JSON.stringify([
        all.map((a) => [
          a.id,
          a.status,
          a.start,
          a.sync.status,
          a.sync.calcomBookingUid,
          a.sync.requiresManualReview,
        ]),
        sbState,
      ]);
      // Work still in JetStream counts as a change: the state is not final yet.
      const backlog = await jetstreamBacklog(nc);
      if (print !== last || backlog !== 0) {
        last = print;
        since = Date.now();
      } else if (pending.length === 0 && Date.now() - since >= (opts.stableMs ?? STABLE_MS)) {
        // Stable and acceptable, or stable for so long that the judge's verdict is final.
        if (Date.now() - since >= STUCK_MS || !opts.clean || (await opts.clean()))
          return { converged: true, pending };
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  const backlog = await jetstreamBacklog(nc);
  return {
    converged: false,
    pending: backlog ? [...pending, `${backlog} JetStream messages unfinished`] : pending,
  };
}
