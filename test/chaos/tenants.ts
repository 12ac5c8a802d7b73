/** Tenants of one seed: each with its own sandbox account, event types, webhook secret and Retell key. */
import type { CalcomSandbox } from '@calsync/calcom-sandbox';
import { call } from './client';
import { OPERATOR_TOKEN } from './system';

export interface Tenant {
  id: string;
  adminToken: string;
  calcomKey: string;
  retellKey: string;
  /** Cal.com's host: who cancels and reschedules through our API key. */
  hostEmail: string;
  eventTypes: number[];
}

export async function createTenants(
  sys: { sb: CalcomSandbox; apiUrl: string; gatewayUrl: string },
  seed: number,
  count: number,
): Promise<Tenant[]> {
  const tenants: Tenant[] = [];
  for (let i = 0; i < count; i++) {
    const tag = `${seed}t${i}`;
    const t: Tenant = {
      id: `chaos-${tag}`,
      adminToken: `chaos-admin-token-${tag}-000000000000`,
      calcomKey: `cal_chaos_${tag}`,
      retellKey: `key_chaos_${tag}`,
      hostEmail: `host-${tag}@chaos.test`,
      // Unique per run: an event type belongs to one tenant.
      eventTypes: [seed * 100 + i * 10 + 1, seed * 100 + i * 10 + 2],
    };
    const secret = `whsec-${tag}`;
    // Budget 600/min (the sandbox allows 120 per 10 s): with reconciliation every 5 s on each
    // replica a 100/min budget is spent by reconciliation alone and syncs wait half a minute.
    const eventTypes = t.eventTypes.map((id) => ({ id, title: `Chaos ${id}`, lengthInMinutes: 30 }));
    sys.sb.addAccount({
      apiKey: t.calcomKey,
      eventTypes,
      webhook: { url: `${sys.gatewayUrl}/v1/webhooks/calcom/${t.id}`, secret },
      timeZone: 'Europe/Berlin',
      email: t.hostEmail,
    });
    const res = await call(`${sys.apiUrl}/v1/tenants/${t.id}`, {
      method: 'PUT',
      token: OPERATOR_TOKEN,
      body: {
        name: `Chaos ${tag}`,
        timeZone: 'Europe/Berlin',
        adminToken: t.adminToken,
        calcom: { apiKey: t.calcomKey, webhookSecret: secret, eventTypes, rateLimitPerMinute: 600 },
        retell: { apiKey: t.retellKey },
      },
    });
    if (res.status !== 201 && res.status !== 200)
      throw new Error(`tenant ${t.id}: ${res.status} ${JSON.stringify(res.body)}`);
    tenants.push(t);
  }
  return tenants;
}
