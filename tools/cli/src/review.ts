/** `calsync review list|retry|resolve` and `calsync sync status` (the tenant's admin token). */
import { flag, positional, UsageError, type Parsed } from './args';
import { block, table } from './format';
import type { Context } from './context';

interface ReviewItem {
  appointment: {
    id: string;
    start: string;
    status: string;
    customer: { name: string };
    sync: { errorCode: string | null };
  };
  calcom: { uid: string; status: string } | null;
  reason: string;
  flaggedAt: string | null;
}

const RESOLUTIONS = ['keep-local', 'keep-calcom', 'dismiss'];
const enc = encodeURIComponent;

export async function review(ctx: Context, p: Parsed): Promise<void> {
  const sub = positional(p, 1, 'review subcommand (list, retry, resolve)');
  const tenant = enc(positional(p, 2, 'tenant id'));
  const admin = (method: string, path: string, body?: unknown) =>
    ctx.api.call<unknown>(method, `/v1/tenants/${tenant}${path}`, { token: ctx.adminToken(), body });

  switch (sub) {
    case 'list': {
      const r = (await admin('GET', '/sync/review')) as { items: ReviewItem[] };
      if (ctx.json) return ctx.print(r);
      return ctx.out(
        table(
          ['appointment', 'start', 'status', 'customer', 'reason', 'cal.com', 'flagged'],
          r.items.map((i) => [
            i.appointment.id,
            i.appointment.start,
            i.appointment.status,
            i.appointment.customer.name,
            i.reason,
            i.calcom ? `${i.calcom.uid} (${i.calcom.status})` : null,
            i.flaggedAt,
          ]),
        ),
      );
    }
    case 'retry': {
      const id = enc(positional(p, 3, 'appointment id'));
      const r = await admin('POST', `/appointments/${id}/sync/retry`);
      return ctx.json ? ctx.print(r ?? { ok: true }) : ctx.out(`retry of ${decodeURIComponent(id)} queued\n`);
    }
    case 'resolve': {
      const id = enc(positional(p, 3, 'appointment id'));
      const resolution = positional(p, 4, `resolution (${RESOLUTIONS.join(' | ')})`);
      if (!RESOLUTIONS.includes(resolution))
        throw new UsageError(`resolution must be one of ${RESOLUTIONS.join(', ')}`);
      const r = (await admin('POST', `/appointments/${id}/sync/resolve`, { resolution })) as {
        id: string;
        status: string;
        sync: { status: string };
      };
      if (ctx.json) return ctx.print(r);
      return ctx.out(
        block([
          ['appointment', r.id],
          ['status', r.status],
          ['sync', r.sync.status],
          ['resolution', resolution],
        ]),
      );
    }
    default:
      throw new UsageError(`unknown review subcommand "${sub}"`);
  }
}

type Counts = Record<'pending' | 'synced' | 'failed' | 'skipped', number>;

export async function sync(ctx: Context, p: Parsed): Promise<void> {
  const sub = positional(p, 1, 'sync subcommand (status)');
  if (sub !== 'status') throw new UsageError(`unknown sync subcommand "${sub}"`);
  const tenant = enc(positional(p, 2, 'tenant id'));
  const since = flag(p, 'since');
  const q = since ? `?since=${enc(since)}` : '';
  const r = await ctx.api.call<{
    since: string;
    total: number;
    successRate: number | null;
    byOrigin: Record<string, Counts>;
    reviewQueue: number;
  }>('GET', `/v1/tenants/${tenant}/sync/status${q}`, { token: ctx.adminToken() });
  if (ctx.json) return ctx.print(r);
  ctx.out(
    block([
      ['since', r.since],
      ['total', r.total],
      ['success rate', r.successRate === null ? null : `${(r.successRate * 100).toFixed(1)} %`],
      ['review queue', r.reviewQueue],
    ]) + '\n',
  );
  ctx.out(
    table(
      ['origin', 'pending', 'synced', 'failed', 'skipped'],
      Object.entries(r.byOrigin).map(([o, c]) => [o, c.pending, c.synced, c.failed, c.skipped]),
    ),
  );
}
