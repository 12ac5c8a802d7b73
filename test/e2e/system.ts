/**
 * What every end-to-end test drives: booking-api, webhook-gateway and calcom-sync
 * as processes, built (`dist/main.js`) as the container image runs them, on a
 * scratch database and NATS namespace (`startServices` from @calsync/testkit), and
 * the Cal.com sandbox in this process, so a test can act as a customer on it and
 * read its store. Tests reach the services over HTTP only: the operator and admin
 * APIs, Retell functions signed as Retell signs, Cal.com webhooks signed into the
 * gateway. Sync bookkeeping that no API shows (versions, the shared budget) is read
 * from the scratch database; nothing here writes to it.
 */
import { randomUUID } from 'node:crypto';
import {
  createCalcomSandbox,
  type AccountInput,
  type CalcomSandbox,
  type CalcomSandboxOptions,
} from '@calsync/calcom-sandbox';
import type { AppointmentRow } from '@calsync/db';
import { createLogger } from '@calsync/platform';
import {
  calcomSignature,
  startServices,
  waitFor,
  type RunningServices,
  type ServiceName,
} from '@calsync/testkit';

export const OPERATOR_TOKEN = 'e2e-operator-token-0123456789abcdef';

/** How long a flow through three processes may take before a wait gives up: the machine may be loaded. */
export const PATIENCE_MS = 60_000;

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

export interface RequestOpts {
  token?: string;
  body?: unknown;
  /** Sent as is (signed requests): the exact bytes. */
  raw?: string;
  headers?: Record<string, string>;
}

export interface E2eTenant {
  id: string;
  adminToken: string;
  calcomApiKey: string;
  webhookSecret: string;
  retellApiKey: string;
  eventTypeId: number;
}

export interface TenantOptions {
  /** Cal.com delivers this account's webhooks to the gateway (default true). */
  webhook?: boolean;
  /** Over the sandbox's defaults (Europe/Berlin, Mon–Fri 09:00–17:00). */
  account?: Partial<Pick<AccountInput, 'availability' | 'timeZone'>>;
  rateLimitPerMinute?: number;
}

export interface E2eSystem {
  sandbox: CalcomSandbox;
  services: RunningServices;
  /** An HTTP request to one service. */
  call(service: ServiceName, method: string, path: string, opts?: RequestOpts): Promise<Answer>;
  /** booking-api: `call('booking-api', …)`. */
  api(method: string, path: string, opts?: RequestOpts): Promise<Answer>;
  /** A tenant made through the operator API, plus its Cal.com account in the sandbox. */
  addTenant(opts?: TenantOptions): Promise<E2eTenant>;
  /** The tenant's appointments through the admin API, oldest first. */
  appointments(t: E2eTenant): Promise<any[]>;
  /** One appointment through the admin API. */
  appointment(t: E2eTenant, id: string): Promise<any>;
  /** A Cal.com webhook posted to the gateway, signed with `secret` (the tenant's by default). */
  deliver(t: Pick<E2eTenant, 'id' | 'webhookSecret'>, raw: string, secret?: string): Promise<Answer>;
  /** The stored row, for the sync bookkeeping no API shows (version, synced_version, last_synced_*). */
  row(id: string): Promise<AppointmentRow>;
  /**
   * Waits until every change has travelled: no unpublished outbox row, and neither calcom-sync's
   * nor the inbound applier's consumer holds a message. Then "nothing more was sent" can be asserted.
   */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export interface E2eOptions {
  sandbox?: CalcomSandboxOptions;
  /** Environment for all three services. */
  env?: Record<string, string>;
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
}

let counter = 0;

export async function startE2eSystem(o: E2eOptions = {}): Promise<E2eSystem> {
  const sandbox = await createCalcomSandbox({
    port: 0,
    logger: createLogger({ service: 'calcom-sandbox', level: 'error' }),
    ...o.sandbox,
  });
  let services: RunningServices;
  try {
    services = await startServices({
      calcomApiUrl: sandbox.url,
      compiled: true,
      env: {
        OPERATOR_TOKEN,
        // Reconciliation would read Cal.com on its own schedule; these tests count every call.
        RECONCILE_INTERVAL_SECONDS: '0',
        SYNC_RETRY_DELAYS_MS: '200,500,1000',
        ...o.env,
      },
      serviceEnv: o.serviceEnv,
    });
  } catch (err) {
    await sandbox.close();
    throw err;
  }

  async function call(
    service: ServiceName,
    method: string,
    path: string,
    r: RequestOpts = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { ...r.headers };
    if (r.token) headers.authorization = `Bearer ${r.token}`;
    let body = r.raw;
    if (r.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(r.body);
    }
    const res = await fetch(services.url[service] + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }
  const api = (method: string, path: string, r?: RequestOpts) => call('booking-api', method, path, r);

  const sys: E2eSystem = {
    sandbox,
    services,
    call,
    api,
    async addTenant(t = {}) {
      counter++;
      const id = `e2e-${counter}-${randomUUID().slice(0, 6)}`;
      const tenant: E2eTenant = {
        id,
        adminToken: `admin-token-${id}-${'x'.repeat(16)}`,
        calcomApiKey: `cal_live_${id.replace(/-/g, '')}secret`,
        webhookSecret: `whsec-${id}-secret`,
        retellApiKey: `key_retell_${id}`,
        eventTypeId: 1000 + Math.floor(Math.random() * 1e8),
      };
      const eventTypes = [{ id: tenant.eventTypeId, title: 'Beratung', lengthInMinutes: 30 }];
      sandbox.addAccount({
        apiKey: tenant.calcomApiKey,
        eventTypes,
        timeZone: 'Europe/Berlin',
        ...t.account,
        ...(t.webhook === false
          ? {}
          : {
              webhook: {
                url: `${services.url['webhook-gateway']}/v1/webhooks/calcom/${id}`,
                secret: tenant.webhookSecret,
              },
            }),
      });
      const res = await api('PUT', `/v1/tenants/${id}`, {
        token: OPERATOR_TOKEN,
        body: {
          name: `Praxis ${id}`,
          timeZone: 'Europe/Berlin',
          adminToken: tenant.adminToken,
          calcom: {
            apiKey: tenant.calcomApiKey,
            webhookSecret: tenant.webhookSecret,
            eventTypes,
            ...(t.rateLimitPerMinute ? { rateLimitPerMinute: t.rateLimitPerMinute } : {}),
          },
          retell: { apiKey: tenant.retellApiKey },
        },
      });
      if (res.status !== 201) throw new Error(`tenant ${id}: ${res.status} ${JSON.stringify(res.body)}`);
      return tenant;
    },
    async appointments(t) {
      const res = await api('GET', `/v1/tenants/${t.id}/appointments?limit=200`, { token: t.adminToken });
      if (res.status !== 200) throw new Error(`appointments of ${t.id}: ${res.status}`);
      return (res.body.items as { createdAt: string }[]).sort((a, b) =>
        a.createdAt.localeCompare(b.createdAt),
      );
    },
    async appointment(t, id) {
      const res = await api('GET', `/v1/tenants/${t.id}/appointments/${id}`, { token: t.adminToken });
      if (res.status !== 200) throw new Error(`appointment ${id}: ${res.status}`);
      return res.body;
    },
    deliver: (t, raw, secret = t.webhookSecret) =>
      call('webhook-gateway', 'POST', `/v1/webhooks/calcom/${t.id}`, {
        raw,
        headers: { 'content-type': 'application/json', 'x-cal-signature-256': calcomSignature(raw, secret) },
      }),
    async row(id) {
      const [row] = await services.db.db.query<AppointmentRow>('SELECT * FROM appointments WHERE id = ?', [
        id,
      ]);
      if (!row) throw new Error(`no appointment ${id}`);
      return row;
    },
    async settled() {
      const { jsm, topology } = services.nats;
      await waitFor(
        async () => {
          const [outbox] = await services.db.db.query<{ n: number | string }>(
            'SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL AND parked_at IS NULL',
          );
          if (Number(outbox?.n) > 0) return false;
          for (const c of [topology.consumers.calcomSync, topology.consumers.inboundApplier]) {
            const info = await jsm.consumers.info(c.stream, c.durable);
            if (info.num_pending > 0 || info.num_ack_pending > 0) return false;
          }
          return true;
        },
        { what: 'the outbox and both consumers to drain', timeoutMs: PATIENCE_MS },
      );
    },
    async close() {
      await services.close();
      await sandbox.close();
    },
  };
  return sys;
}

/** Monday 2050-09-05 09:00 Berlin (07:00Z) plus n half-hour slots. */
export function slot(n: number): Date {
  return new Date(Date.UTC(2050, 8, 5, 7, 0) + n * 30 * 60_000);
}
