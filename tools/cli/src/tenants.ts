/** `calsync tenants add|list|show|rotate|remove` (operator token). */
import { randomBytes } from 'node:crypto';
import { flag, positional, requireFlag, UsageError, type Parsed } from './args';
import { block, table } from './format';
import type { Context } from './context';

/**
 * What the tables read of booking-api's tenant answer (`Tenant` in its GET /openapi.json), in
 * the order they show it; `--json` prints the answer as it came, whatever else it carries.
 */
interface Tenant {
  id: string;
  name: string;
  timeZone: string;
  calcom: {
    webhook?: { id: string };
    webhookSecretSet: boolean;
    rateLimitPerMinute: number;
    eventTypes: EventType[];
  };
  retell: { apiKeySet: boolean };
  createdAt: string;
  updatedAt: string;
}

interface EventType {
  id: number;
  title: string;
  lengthInMinutes: number;
}

const enc = encodeURIComponent;

function showTenant(t: Tenant): string {
  return (
    block([
      ['id', t.id],
      ['name', t.name],
      ['time zone', t.timeZone],
      [
        'webhook',
        t.calcom.webhook
          ? `${t.calcom.webhook.id} (registered)`
          : t.calcom.webhookSecretSet
            ? 'manual secret'
            : null,
      ],
      ['rate limit', `${t.calcom.rateLimitPerMinute}/min`],
      ['retell', t.retell.apiKeySet ? 'key set' : 'not set'],
      ['created', t.createdAt],
      ['updated', t.updatedAt],
    ]) +
    '\n' +
    table(
      ['event type', 'title', 'minutes'],
      t.calcom.eventTypes.map((e) => [e.id, e.title, e.lengthInMinutes]),
    )
  );
}

export async function tenants(ctx: Context, p: Parsed): Promise<void> {
  const sub = positional(p, 1, 'tenants subcommand (add, list, show, rotate, remove)');
  const op = (method: string, path: string, body?: unknown) =>
    ctx.api.call<unknown>(method, path, { token: ctx.operatorToken(), body });

  switch (sub) {
    case 'add': {
      const id = positional(p, 2, 'tenant id');
      const apiKey = flag(p, 'api-key') ?? ctx.env.CALCOM_API_KEY;
      if (!apiKey) throw new UsageError('--api-key (or env CALCOM_API_KEY) is required');
      // The tenant's admin token is only ever shown here: booking-api keeps a hash.
      const given = flag(p, 'new-admin-token');
      const adminToken = given ?? randomBytes(24).toString('base64url');
      const rate = flag(p, 'rate-limit');
      const retell = flag(p, 'retell-api-key');
      const t = (await op('PUT', `/v1/tenants/${enc(id)}`, {
        name: requireFlag(p, 'name'),
        timeZone: requireFlag(p, 'time-zone', ' (an IANA zone, e.g. Europe/Berlin)'),
        adminToken,
        calcom: { apiKey, connect: true, ...(rate ? { rateLimitPerMinute: Number(rate) } : {}) },
        ...(retell ? { retell: { apiKey: retell } } : {}),
      })) as Tenant;
      if (ctx.json) return ctx.print({ ...t, ...(given ? {} : { adminToken }) });
      ctx.out(showTenant(t));
      if (!given) ctx.out(`\nadmin token (shown once, store it now): ${adminToken}\n`);
      return;
    }
    case 'list': {
      const limit = flag(p, 'limit') ?? '50';
      let cursor = flag(p, 'cursor');
      const items: Tenant[] = [];
      let next: string | null = null;
      do {
        const q = new URLSearchParams({ limit, ...(cursor ? { cursor } : {}) });
        const page = (await op('GET', `/v1/tenants?${q.toString()}`)) as {
          items: Tenant[];
          nextCursor: string | null;
        };
        items.push(...page.items);
        next = page.nextCursor;
        cursor = next ?? undefined;
      } while (p.flags.get('all') === true && next);
      if (ctx.json) return ctx.print({ items, nextCursor: next });
      ctx.out(
        table(
          ['id', 'name', 'time zone', 'event types', 'webhook'],
          items.map((t) => [
            t.id,
            t.name,
            t.timeZone,
            t.calcom.eventTypes.map((e) => e.id).join(','),
            t.calcom.webhook ? 'registered' : t.calcom.webhookSecretSet ? 'manual' : 'none',
          ]),
        ),
      );
      if (next) ctx.out(`more: --cursor ${next} (or --all)\n`);
      return;
    }
    case 'show': {
      const t = (await op('GET', `/v1/tenants/${enc(positional(p, 2, 'tenant id'))}`)) as Tenant;
      return ctx.json ? ctx.print(t) : ctx.out(showTenant(t));
    }
    case 'rotate': {
      const r = (await op(
        'POST',
        `/v1/tenants/${enc(positional(p, 2, 'tenant id'))}/calcom/rotate-webhook-secret`,
      )) as {
        webhook: { id: string; rotatedAt: string; previousSecretAcceptedUntil: string };
      };
      if (ctx.json) return ctx.print(r);
      return ctx.out(
        block([
          ['webhook', r.webhook.id],
          ['rotated at', r.webhook.rotatedAt],
          ['old secret accepted until', r.webhook.previousSecretAcceptedUntil],
        ]),
      );
    }
    case 'remove': {
      const id = positional(p, 2, 'tenant id');
      if (p.flags.get('yes') !== true)
        throw new UsageError(`removing ${id} stops its sync and erases its secrets; add --yes to confirm`);
      const r = (await op('DELETE', `/v1/tenants/${enc(id)}`)) as {
        removedAt: string;
        webhook: { id: string; deleted: boolean; reason?: string } | null;
      };
      if (ctx.json) return ctx.print(r);
      return ctx.out(
        block([
          ['removed', id],
          ['at', r.removedAt],
          [
            'webhook',
            r.webhook
              ? r.webhook.deleted
                ? `${r.webhook.id} deleted`
                : `${r.webhook.id} NOT deleted: ${r.webhook.reason ?? ''}`
              : 'none',
          ],
        ]),
      );
    }
    default:
      throw new UsageError(`unknown tenants subcommand "${sub}"`);
  }
}
