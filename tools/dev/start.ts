/**
 * `npm start`: the whole system on one machine. Starts booking-api,
 * webhook-gateway and calcom-sync as child processes; when CALCOM_API_URL is
 * not set it also starts the Cal.com sandbox and creates a demo tenant whose
 * Cal.com account lives in the sandbox, with webhooks pointed at the gateway.
 * Ctrl-C stops everything (each service drains on SIGTERM).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createCalcomSandbox, type CalcomSandbox } from '@calsync/calcom-sandbox';
import { createLogger } from '@calsync/platform';

const ROOT = resolve(__dirname, '../..');
const env = process.env;
const DEV = {
  OPERATOR_TOKEN: env.OPERATOR_TOKEN ?? 'dev-operator-token-change-me-0000',
  SECRETS_KEY: env.SECRETS_KEY ?? '0'.repeat(64),
  BOOKING_API_PORT: env.BOOKING_API_PORT ?? '3000',
  WEBHOOK_GATEWAY_PORT: env.WEBHOOK_GATEWAY_PORT ?? '3001',
  CALCOM_SYNC_PORT: env.CALCOM_SYNC_PORT ?? '3002',
  SANDBOX_PORT: env.CALCOM_SANDBOX_PORT ?? '3100',
};
const DEMO = {
  tenant: 'demo',
  adminToken: 'demo-admin-token-change-me-000000',
  calcomApiKey: 'cal_demo_sandbox_key',
  webhookSecret: 'demo-webhook-secret',
  retellApiKey: 'key_demo_retell',
  eventTypeId: 1001,
};
const log = createLogger({ service: 'dev', level: 'info' });
const children: ChildProcess[] = [];

function startService(name: string, extraEnv: Record<string, string>): ChildProcess {
  const built = resolve(ROOT, 'services', name, 'dist', 'main.js');
  const source = resolve(ROOT, 'services', name, 'src', 'main.ts');
  // Prefer the build (what a container runs); fall back to the sources.
  const args = existsSync(built) && env.DEV_FROM_SOURCE !== '1' ? [built] : ['--import', 'tsx', source];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...env, ...extraEnv }, stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      log.error(`${name} exited`, { code, signal });
      void stop(1);
    }
  });
  children.push(child);
  return child;
}

async function waitReady(url: string, what: string, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} not ready at ${url}`);
}

let stopping = false;
let sandbox: CalcomSandbox | undefined;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((res) =>
          c.exitCode !== null ? res() : (c.once('exit', () => res()), c.kill('SIGTERM')),
        ),
    ),
  );
  await sandbox?.close();
  process.exit(code);
}

async function main() {
  const useSandbox = !env.CALCOM_API_URL;
  const gatewayUrl = `http://127.0.0.1:${DEV.WEBHOOK_GATEWAY_PORT}`;
  if (useSandbox) {
    sandbox = await createCalcomSandbox({ port: Number(DEV.SANDBOX_PORT), logger: log });
    sandbox.addAccount({
      apiKey: DEMO.calcomApiKey,
      eventTypes: [{ id: DEMO.eventTypeId, title: 'Beratung', lengthInMinutes: 30 }],
      webhook: { url: `${gatewayUrl}/v1/webhooks/calcom/${DEMO.tenant}`, secret: DEMO.webhookSecret },
      timeZone: 'Europe/Berlin',
    });
  }
  const common = {
    OPERATOR_TOKEN: DEV.OPERATOR_TOKEN,
    SECRETS_KEY: DEV.SECRETS_KEY,
    CALCOM_API_URL: env.CALCOM_API_URL ?? sandbox!.url,
  };
  // booking-api first: it creates and migrates the database; the others then find it ready.
  startService('booking-api', { ...common, BOOKING_API_PORT: DEV.BOOKING_API_PORT });
  const api = `http://127.0.0.1:${DEV.BOOKING_API_PORT}`;
  await waitReady(`${api}/readyz`, 'booking-api');
  startService('webhook-gateway', { ...common, WEBHOOK_GATEWAY_PORT: DEV.WEBHOOK_GATEWAY_PORT });
  startService('calcom-sync', { ...common, CALCOM_SYNC_PORT: DEV.CALCOM_SYNC_PORT });
  await waitReady(`${gatewayUrl}/readyz`, 'webhook-gateway');
  await waitReady(`http://127.0.0.1:${DEV.CALCOM_SYNC_PORT}/readyz`, 'calcom-sync');

  if (useSandbox) {
    const res = await fetch(`${api}/v1/tenants/${DEMO.tenant}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${DEV.OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Demo Praxis',
        timeZone: 'Europe/Berlin',
        adminToken: DEMO.adminToken,
        calcom: {
          apiKey: DEMO.calcomApiKey,
          webhookSecret: DEMO.webhookSecret,
          eventTypes: [{ id: DEMO.eventTypeId, title: 'Beratung', lengthInMinutes: 30 }],
        },
        retell: { apiKey: DEMO.retellApiKey },
      }),
    });
    if (!res.ok) throw new Error(`demo tenant: ${res.status} ${await res.text()}`);
  }
  // The demo credentials are development values printed on purpose, so a newcomer can try the API.
  process.stdout.write(
    [
      '',
      'System running:',
      `  booking-api      ${api}`,
      `  webhook-gateway  ${gatewayUrl}`,
      `  calcom-sync      http://127.0.0.1:${DEV.CALCOM_SYNC_PORT}/metrics`,
      useSandbox
        ? `  Cal.com sandbox  ${sandbox!.url}  (control API: ${sandbox!.url}/_sandbox/bookings)`
        : `  Cal.com          ${env.CALCOM_API_URL}`,
      ...(useSandbox
        ? [
            '',
            `Demo tenant "${DEMO.tenant}" (admin token: ${DEMO.adminToken}, event type ${DEMO.eventTypeId}). Try:`,
            `  curl -s -X POST ${api}/v1/tenants/demo/appointments -H 'authorization: Bearer ${DEMO.adminToken}' \\`,
            `    -H 'content-type: application/json' -d '{"eventTypeId":${DEMO.eventTypeId},"start":"${nextWeekday()}","customer":{"name":"Jane Roe","email":"jane@example.com","timeZone":"Europe/Berlin"}}'`,
            `  curl -s ${sandbox!.url}/_sandbox/bookings`,
          ]
        : []),
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

function nextWeekday(): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + 1);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);
  d.setUTCHours(9, 0, 0, 0);
  return d.toISOString();
}

process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));
main().catch((err: unknown) => {
  log.error('npm start failed', { error: err });
  void stop(1);
});
