/** Tenants for a row, created the way an operator does: through booking-api's operator API. */
import type { Availability, CalcomSandbox } from '@calsync/calcom-sandbox';
import type { HttpClient } from './http';
import { OPERATOR_TOKEN } from './infra';

export interface BenchTenant {
  id: string;
  adminToken: string;
  /** Ends in four digits unique among a row's tenants: the sandbox's call log shows only the last four. */
  calcomApiKey: string;
  webhookSecret: string;
  retellApiKey: string;
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
      calcomApiKey: `cal_live_bench_${opts.prefix.replace(/-/g, '')}_${String(t).padStart(4, '0')}`,
      webhookSecret: `whsec-bench-${id}`,
      retellApiKey: `key_bench_${id.replace(/-/g, '')}`,
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
        retell: { apiKey: tenant.retellApiKey },
      },
      { authorization: `Bearer ${OPERATOR_TOKEN}` },
    );
    if (res.status !== 201) throw new Error(`creating tenant ${id}: ${res.status} ${res.body.toString()}`);
    out.push(tenant);
  }
  return out;
}

const ALL_DAY = [{ start: '00:00', end: '24:00' }];
const EVERY_DAY: Availability = {
  mon: ALL_DAY,
  tue: ALL_DAY,
  wed: ALL_DAY,
  thu: ALL_DAY,
  fri: ALL_DAY,
  sat: ALL_DAY,
  sun: ALL_DAY,
};

/**
 * Each tenant's Cal.com account in the sandbox, open around the clock (one host
 * per account: a tenant's bookings must not overlap across its event types).
 * With `gatewayPort`, every booking's webhook goes to webhook-gateway, as in
 * production: the echo of our own change is part of what an appointment costs.
 */
export function addSandboxAccounts(sandbox: CalcomSandbox, tenants: BenchTenant[], gatewayPort?: number) {
  for (const t of tenants)
    sandbox.addAccount({
      apiKey: t.calcomApiKey,
      eventTypes: t.eventTypeIds.map((id) => ({ id, title: `Type ${id}`, lengthInMinutes: 30 })),
      timeZone: 'UTC',
      availability: EVERY_DAY,
      ...(gatewayPort
        ? {
            webhook: {
              url: `http://127.0.0.1:${gatewayPort}/v1/webhooks/calcom/${t.id}`,
              secret: t.webhookSecret,
            },
          }
        : {}),
    });
}

/** The sandbox's call log shows a key as its first and last four characters. */
export const maskedKey = (key: string) => `${key.slice(0, 4)}…${key.slice(-4)}`;

/** Half-hour slot n of a far-future calendar (2040 onwards, UTC): never in the past, never overlapping. */
export function slot(n: number): string {
  return new Date(Date.UTC(2040, 0, 1) + n * 30 * 60_000).toISOString();
}

export const BENCH_CUSTOMER = {
  name: 'Bench Customer',
  email: 'bench.customer@example.com',
  timeZone: 'Europe/Berlin',
};
