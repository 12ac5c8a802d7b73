/** `calsync parked list|redrive`: inbound Cal.com deliveries booking-api set aside (operator token). */
import { flag, positional, UsageError, type Parsed } from './args';
import { table } from './format';
import type { Context } from './context';

interface Parked {
  id: number;
  tenantId: string | null;
  trigger: string | null;
  error: string;
  deliveries: number;
  parkedAt: string;
  redrivenAt: string | null;
  redriveCount: number;
}

const row = (x: Parked) => [
  x.id,
  x.tenantId,
  x.trigger,
  x.deliveries,
  x.parkedAt,
  x.redrivenAt,
  x.error.slice(0, 80),
];
const HEAD = ['id', 'tenant', 'trigger', 'deliveries', 'parked', 're-driven', 'error'];

export async function parked(ctx: Context, p: Parsed): Promise<void> {
  const sub = positional(p, 1, 'parked subcommand (list, redrive)');
  const token = ctx.operatorToken();
  switch (sub) {
    case 'list': {
      const tenant = flag(p, 'tenant');
      const q = new URLSearchParams({
        limit: flag(p, 'limit') ?? '50',
        ...(tenant ? { tenantId: tenant } : {}),
        ...(p.flags.get('all') === true ? { all: 'true' } : {}),
      });
      const r = await ctx.api.call<{ items: Parked[] }>('GET', `/v1/parked?${q.toString()}`, { token });
      return ctx.json ? ctx.print(r) : ctx.out(table(HEAD, r.items.map(row)));
    }
    case 'redrive': {
      const id = positional(p, 2, 'parked delivery id');
      const r = await ctx.api.call<Parked>('POST', `/v1/parked/${encodeURIComponent(id)}/redrive`, { token });
      return ctx.json
        ? ctx.print(r)
        : ctx.out(`re-drove parked delivery ${r.id} (${r.redriveCount} time(s))\n`);
    }
    default:
      throw new UsageError(`unknown parked subcommand "${sub}"`);
  }
}
