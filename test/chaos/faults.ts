/**
 * Faults between operations: Cal.com 5xx, timeouts before the effect, answers
 * lost after it, 429 bursts and key blocks, lost / duplicated / late / replayed
 * webhooks, SIGKILL of a service, NATS and MariaDB outages. At most one process
 * outage at a time; it ends after a drawn number of operations.
 */
import type { ApiFaultRule, FaultRoute } from '@calsync/calcom-sandbox';
import type { World } from './ops';
import type { ChaosSystem } from './system';

export interface Recovery {
  afterOp: number;
  what: string;
  recover(): Promise<void>;
}

export interface FaultState {
  recovery?: Recovery;
}

const KINDS = [
  ['cal-5xx', 15],
  ['cal-timeout', 10],
  ['cal-drop-after-commit', 12],
  ['cal-429-burst', 8],
  ['cal-key-block', 4],
  ['webhook', 25],
  ['kill-service', 12],
  ['nats-outage', 7],
  ['mysql-restart', 7],
] as const;
type Kind = (typeof KINDS)[number][0];
const WRITE_ROUTES: FaultRoute[] = ['create', 'reschedule', 'cancel'];

/** `next` is the tenant of the coming operation: a Cal.com fault then meets that tenant's work. */
export async function maybeFault(
  w: World,
  sys: ChaosSystem,
  n: number,
  state: FaultState,
  next: World['tenants'][number],
): Promise<void> {
  const { rng } = w;
  // Draws first, in a fixed order, whatever happens next.
  const happens = rng.chance(0.35);
  let r = rng.int(KINDS.reduce((s, [, x]) => s + x, 0));
  const kind: Kind = KINDS.find(([, x]) => (r -= x) < 0)?.[0] ?? 'cal-5xx';
  const tenant = rng.chance(0.7) ? next : rng.pick(w.tenants);
  const route = rng.pick(WRITE_ROUTES);
  const times = 1 + rng.int(3);
  const latencyMs = 500 + rng.int(2500);
  const hookMode = rng.pick(['drop', 'duplicate', 'delay', 'replay'] as const);
  const status = rng.pick([500, 502, 503]);
  const victim = rng.pick(sys.services.map((s) => s.name));
  const lastsOps = rng.int(3);

  if (state.recovery && state.recovery.afterOp <= n) {
    const rec = state.recovery;
    state.recovery = undefined;
    await rec.recover();
    log(w, n, `recovered: ${rec.what}`);
  }
  if (!happens) return;
  const apiKey = tenant.calcomKey;
  const inject = (rule: ApiFaultRule, what: string) => {
    w.sb.injectFault(rule);
    log(w, n, what, tenant.id);
  };
  switch (kind) {
    case 'cal-5xx':
      return inject(
        { route: rng.chance(0.3) ? '*' : route, mode: 'status', status, times, apiKey },
        `Cal.com ${status} ×${times} on ${route}`,
      );
    case 'cal-timeout':
      return inject(
        { route, mode: 'timeout', times: 1, apiKey },
        `Cal.com timeout before the effect on ${route}`,
      );
    case 'cal-drop-after-commit':
      // A third of them (status drew 500) answer 500 after the effect instead; reusing that draw
      // keeps every other draw of a seed where it was.
      if (status === 500)
        return inject(
          { route, mode: 'status-after-commit', status, times: 1, apiKey },
          `Cal.com 500 after the effect on ${route}`,
        );
      return inject(
        { route, mode: 'drop-after-commit', times: 1, apiKey },
        `Cal.com answer lost after the effect on ${route}`,
      );
    case 'cal-429-burst':
      // Announcing a short reset: Cal.com's own 60 s would hold the tenant for a minute every time.
      return inject(
        { route: '*', mode: '429', times: times + 1, apiKey, resetSeconds: 3 },
        `Cal.com 429 ×${times + 1}`,
      );
    case 'cal-key-block': {
      // Spend the key's whole window: the sandbox then blocks it for a few seconds.
      await Promise.all(
        Array.from({ length: 121 }, () =>
          fetch(`${w.sb.url}/v2/bookings?take=1`, {
            headers: { authorization: `Bearer ${apiKey}`, 'cal-api-version': '2024-08-13' },
          }).then((res) => res.arrayBuffer()),
        ),
      );
      return log(w, n, 'Cal.com key blocked (rate limit spent)', tenant.id);
    }
    case 'webhook':
      w.sb.injectFault({ route: 'webhook', mode: hookMode, times, latencyMs, apiKey });
      return log(w, n, `webhook ${hookMode} ×${times} (${latencyMs} ms)`, tenant.id);
    case 'kill-service':
    case 'nats-outage':
    case 'mysql-restart':
      break;
  }
  if (state.recovery) return; // one process outage at a time
  if (kind === 'kill-service') {
    const svc = sys.service(victim);
    if (!svc.running()) return;
    await svc.kill();
    log(w, n, `SIGKILL ${victim}`);
    state.recovery = { afterOp: n + lastsOps, what: `restart ${victim}`, recover: () => svc.start() };
  } else if (kind === 'nats-outage') {
    // The window opens before the kill: whatever races with it counts as during the outage.
    const outage = { what: 'nats', from: Date.now(), to: undefined as number | undefined };
    w.history.outages.push(outage);
    for (const node of sys.nats.nodes) await node.stop();
    log(w, n, 'NATS killed');
    state.recovery = {
      afterOp: n + 1 + lastsOps,
      what: 'NATS restart',
      recover: async () => {
        for (const node of sys.nats.nodes) await node.start();
        outage.to = Date.now();
      },
    };
  } else {
    const outage = { what: 'mysql', from: Date.now(), to: undefined as number | undefined };
    w.history.outages.push(outage);
    await sys.mysql.stop('SIGKILL');
    log(w, n, 'MariaDB killed');
    state.recovery = {
      afterOp: n + lastsOps,
      what: 'MariaDB restart',
      recover: async () => {
        await sys.mysql.start();
        outage.to = Date.now();
      },
    };
  }
}

function log(w: World, n: number, what: string, tenant?: string) {
  w.history.faults.push({ n, at: Date.now(), what, tenant });
}
