/**
 * The system the browser talks to: booking-api, webhook-gateway and calcom-sync
 * as processes (testkit's spawnService, as test:chaos runs them) on a private
 * MariaDB and NATS, with the Cal.com sandbox in this process so a test can read
 * its store and act as a customer on it.
 */
import { createCalcomSandbox, type CalcomSandbox } from '@calsync/calcom-sandbox';
import { createLogger, hmacSha256Hex } from '@calsync/platform';
import {
  freePort,
  spawnService,
  startDisposableMariadb,
  startDisposableNats,
  type DisposableMariadb,
  type DisposableNats,
  type SpawnedService,
} from '@calsync/testkit';

export const OPERATOR_TOKEN = 'browser-operator-token-000000000';

export interface Tenant {
  id: string;
  name: string;
  adminToken: string;
  calcomKey: string;
  retellKey: string;
  eventTypeId: number;
}

export interface BrowserSystem {
  apiUrl: string;
  sb: CalcomSandbox;
  /** Creates a tenant in booking-api and its Cal.com account in the sandbox, webhooks to the gateway. */
  addTenant(id: string, name: string, eventTypeId: number): Promise<Tenant>;
  /** The admin API as a script would call it (test setup, not what the browser does). */
  admin(t: Tenant, method: string, path: string, body?: unknown): Promise<any>;
  /** A signed Retell function call: an appointment made by the phone agent. */
  phoneBooking(t: Tenant, args: Record<string, unknown>): Promise<any>;
  output(): string;
  close(): Promise<void>;
}

export async function startSystem(): Promise<BrowserSystem> {
  const [mysql, nats] = await Promise.all([startDisposableMariadb(), startDisposableNats()]);
  const sb = await createCalcomSandbox({
    port: 0,
    logger: createLogger({ service: 'calcom-sandbox', level: 'error' }),
  });
  const [apiPort, gatewayPort] = [await freePort(), await freePort()];
  const common = {
    DATABASE_URL: `${mysql.url}/browser`,
    NATS_URL: nats.url,
    CALCOM_API_URL: sb.url,
    LOG_LEVEL: 'info',
  };
  const services: SpawnedService[] = [];
  const closeAll = () => stop(services, sb, mysql, nats);
  try {
    // booking-api first: it creates and migrates the database.
    services.push(
      await spawnService('booking-api', { ...common, BOOKING_API_PORT: String(apiPort), OPERATOR_TOKEN }),
    );
    services.push(
      ...(await Promise.all([
        spawnService('webhook-gateway', { ...common, WEBHOOK_GATEWAY_PORT: String(gatewayPort) }),
        spawnService('calcom-sync', {
          ...common,
          CALCOM_SYNC_PORT: '0',
          SYNC_RETRY_DELAYS_MS: '200,500,1000',
        }),
      ])),
    );
  } catch (err) {
    await closeAll();
    throw err;
  }
  const apiUrl = `http://127.0.0.1:${apiPort}`;

  async function call(method: string, path: string, token: string, body?: unknown, extra = {}) {
    const res = await fetch(apiUrl + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...extra },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json: unknown = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  return {
    apiUrl,
    sb,
    async addTenant(id, name, eventTypeId) {
      const t: Tenant = {
        id,
        name,
        adminToken: `${id}-admin-token-0123456789abcdef`,
        calcomKey: `cal_live_${id.replace(/-/g, '')}`,
        retellKey: `key_retell_${id}`,
        eventTypeId,
      };
      const secret = `whsec-${id}`;
      const eventTypes = [{ id: eventTypeId, title: 'Beratung', lengthInMinutes: 30 }];
      sb.addAccount({
        apiKey: t.calcomKey,
        eventTypes,
        webhook: { url: `http://127.0.0.1:${gatewayPort}/v1/webhooks/calcom/${id}`, secret },
        timeZone: 'Europe/Berlin',
      });
      await call('PUT', `/v1/tenants/${id}`, OPERATOR_TOKEN, {
        name,
        timeZone: 'Europe/Berlin',
        adminToken: t.adminToken,
        calcom: { apiKey: t.calcomKey, webhookSecret: secret, eventTypes },
        retell: { apiKey: t.retellKey },
      });
      return t;
    },
    admin: (t, method, path, body) => call(method, `/v1/tenants/${t.id}${path}`, t.adminToken, body),
    async phoneBooking(t, args) {
      const raw = JSON.stringify({ name: 'book_appointment', args, call: { call_id: `call-${Date.now()}` } });
      const ms = Date.now();
      const res = await fetch(`${apiUrl}/v1/tenants/${t.id}/retell/functions/book_appointment`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-retell-signature': `v=${ms},d=${hmacSha256Hex(t.retellKey, raw, String(ms))}`,
        },
        body: raw,
      });
      return res.json();
    },
    output: () => services.map((s) => s.output()).join('\n'),
    close: closeAll,
  };
}

async function stop(
  services: SpawnedService[],
  sb: CalcomSandbox,
  mysql: DisposableMariadb,
  nats: DisposableNats,
) {
  await Promise.all(
    services.map(async (s) => {
      if (s.proc.exitCode !== null || s.proc.signalCode !== null) return;
      s.kill('SIGTERM');
      await s.exited;
    }),
  );
  await sb.close();
  await Promise.all([nats.destroy(), mysql.destroy()]);
}
