/** Tenants for a scenario, created the way an operator does: through booking-api's operator API. */
import type { HttpClient } from './http';
import { OPERATOR_TOKEN } from './infra';

export interface BenchTenant {
  id: string;
  adminToken: string;
  calcomApiKey: string;
  webhookSecret: string;
  eventTypeIds: number[];
}

export async function createTenants(
  api: HttpClient,
  opts: { count: number; eventTypesEach: number; prefix: string; rateLimitPerMinute?: number },
): Promise<BenchTenant[]> {
  const out: BenchTenant[] = [];
  for (let t = 0; t < opts.count; t++) {
    const id = `${opts.prefix}-${t}`;
    const tenant: BenchTenant = {
      id,
      adminToken: `bench-admin-token-${id}-0123456789`,
      calcomApiKey: `cal_live_bench_${id.replace(/-/g, '')}`,
      webhookSecret: `whsec-bench-${id}`,
      // Event type ids are unique across tenants (a Cal.com event type belongs to one tenant).
      eventTypeIds: Array.from({ length: opts.eventTypesEach }, (_, j) => 500_000 + t * 100 + j),
    };
    const res = await api.json(
      'PUT',
      `/v1/tenants/${id}`,
      {
        name: `Bench ${id}`,
        timeZone: 'Europe/Berlin',
        adminToken: tenant.adminToken,
        calcom: {
          apiKey: tenant.calcomApiKey,
          webhookSecret: tenant.webhookSecret,
          eventTypes: tenant.eventTypeIds.map((e) => ({ id: e, title: `Type ${e}`, lengthInMinutes: 30 })),
          ...(opts.rateLimitPerMinute ? { rateLimitPerMinute: opts.rateLimitPerMinute } : {}),
        },
      },
      { authorization: `Bearer ${OPERATOR_TOKEN}` },
    );
    if (res.status !== 201) throw new Error(`creating tenant ${id}: ${res.status} ${res.body.toString()}`);
    out.push(tenant);
  }
  return out;
}

/** Half-hour slot n of a far-future calendar (2040 onwards, UTC): never in the past, never overlapping. */
export function slot(n: number): string {
  return new Date(Date.UTC(2040, 0, 1) + n * 30 * 60_000).toISOString();
}

export const BENCH_CUSTOMER = {
  name: 'Bench Customer',
  email: 'bench.customer@example.com',
  timeZone: 'Europe/Berlin',
};
