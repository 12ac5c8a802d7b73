/**
 * The system under fuzz, as production runs it: booking-api, webhook-gateway and
 * calcom-sync as child processes against a fresh database on the shared MariaDB
 * and a private NATS namespace (testkit's startServices), the Cal.com sandbox
 * in-process (its call log is what "no Cal.com call" is checked against). calcom-sync talks to a dead Cal.com
 * address, so every sandbox call comes from a request booking-api is answering.
 */
import { createCalcomSandbox, type CalcomSandbox } from '@calsync/calcom-sandbox';
import { createLogger, hmacSha256Hex } from '@calsync/platform';
import {
  SERVICE_NAMES,
  startServices,
  type RunningServices,
  type ServiceName,
  type SpawnedService,
  type TestDb,
  type TestNats,
} from '@calsync/testkit';

export const OPERATOR_TOKEN = 'fuzz-operator-token-0123456789abcdef';
export const SECRETS_KEY = '7'.repeat(64);

export interface FuzzTenant {
  id: string;
  adminToken: string;
  calcomKey: string;
  webhookSecret: string;
  retellKey: string;
  eventTypes: number[];
}

/** Two tenants, so a token of one used on the other is a case too. */
export const TENANTS: FuzzTenant[] = ['fuzz-a', 'fuzz-b'].map((id, i) => ({
  id,
  adminToken: `${id}-admin-token-000000000000000`,
  calcomKey: `cal_live_${id.replace('-', '')}_key0000`,
  webhookSecret: `whsec_${id}_000000000000`,
  retellKey: `key_retell_${id}_0000000`,
  eventTypes: [8100 + i * 10 + 1, 8100 + i * 10 + 2],
}));

/** Every value that must never appear in an answer or a log line. */
export const SECRETS = [
  OPERATOR_TOKEN,
  SECRETS_KEY,
  ...TENANTS.flatMap((t) => [t.adminToken, t.calcomKey, t.webhookSecret, t.retellKey]),
];

export interface FuzzSystem {
  sb: CalcomSandbox;
  db: TestDb;
  nats: TestNats;
  services: Record<ServiceName, { url: string; proc: SpawnedService }>;
  close(): Promise<void>;
}

export async function startSystem(): Promise<FuzzSystem> {
  const sb = await createCalcomSandbox({
    port: 0,
    logger: createLogger({ service: 'calcom-sandbox', level: 'error' }),
    webhookTimeoutMs: 2_000,
  });
  let running: RunningServices;
  try {
    running = await startServices({
      calcomApiUrl: sb.url,
      env: {
        SECRETS_KEY,
        RECONCILE_INTERVAL_SECONDS: '0',
        // Budgets are tested on their own (rate-limit tests); here they would turn every case into 429.
        RATE_LIMIT_CLIENT_PER_MINUTE: '0',
        RATE_LIMIT_TENANT_PER_MINUTE: '0',
        // Cases come "from" many addresses (X-Forwarded-For), so the failed-authentication
        // throttle per address does not turn the rest of the run into 429s.
        TRUST_PROXY: 'loopback',
      },
      serviceEnv: {
        'booking-api': { OPERATOR_TOKEN, RETELL_CONFIRM_TIMEOUT_MS: '200' },
        'calcom-sync': { CALCOM_API_URL: 'http://127.0.0.1:9' },
      },
    });
  } catch (err) {
    await sb.close();
    throw err;
  }
  const services = Object.fromEntries(
    SERVICE_NAMES.map((n) => [n, { url: running.url[n], proc: running.proc[n] }]),
  ) as FuzzSystem['services'];
  try {
    for (const t of TENANTS)
      await createTenant(services['booking-api'].url, sb, services['webhook-gateway'].url, t);
  } catch (err) {
    await running.close(0);
    await sb.close();
    throw err;
  }
  return {
    sb,
    db: running.db,
    nats: running.nats,
    services,
    async close() {
      await running.close();
      await sb.close();
    },
  };
}

async function createTenant(apiUrl: string, sb: CalcomSandbox, gatewayUrl: string, t: FuzzTenant) {
  const eventTypes = t.eventTypes.map((id) => ({ id, title: `Fuzz ${id}`, lengthInMinutes: 30 }));
  sb.addAccount({
    apiKey: t.calcomKey,
    eventTypes,
    webhook: { url: `${gatewayUrl}/v1/webhooks/calcom/${t.id}`, secret: t.webhookSecret },
    timeZone: 'Europe/Berlin',
    email: `host@${t.id}.test`,
  });
  const res = await fetch(`${apiUrl}/v1/tenants/${t.id}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: `Fuzz ${t.id}`,
      timeZone: 'Europe/Berlin',
      adminToken: t.adminToken,
      calcom: { apiKey: t.calcomKey, webhookSecret: t.webhookSecret, eventTypes },
      retell: { apiKey: t.retellKey },
    }),
  });
  if (res.status !== 201) throw new Error(`tenant ${t.id}: ${res.status} ${await res.text()}`);
}

/** Retell's signature (retell/FACTS.md): v=<ms>,d=HMAC-SHA256(body + ms) with the tenant's key. */
export function retellSignature(raw: string, apiKey: string, ms = Date.now()): string {
  return `v=${ms},d=${hmacSha256Hex(apiKey, raw, String(ms))}`;
}
