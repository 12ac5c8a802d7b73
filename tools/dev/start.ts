/**
 * `npm start`: the whole system on one machine. Starts booking-api,
 * webhook-gateway and calcom-sync as child processes; when CALCOM_API_URL is
 * not set it also starts the Cal.com sandbox and creates a demo tenant whose
 * Cal.com account lives in the sandbox, with webhooks pointed at the gateway.
 *
 * - Everything runs from the TypeScript sources (tsx), so an old `dist` can never
 *   run instead of what was just edited.
 * - Ctrl-C, or SIGTERM/SIGHUP to npm or to this process, stops everything (each
 *   service drains on SIGTERM); a service whose starter dies, even by SIGKILL,
 *   stops itself (exit-with-parent.ts).
 * - Tokens are never printed: they live in .run/ (mode 600), and the printed
 *   commands read them from there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { createCalcomSandbox, type CalcomSandbox } from '@calsync/calcom-sandbox';
import { DEV_SECRETS_KEY, createLogger } from '@calsync/platform';
import { watchParent } from './parent-watch';

const ROOT = resolve(__dirname, '../..');
const RUN_DIR = resolve(ROOT, '.run');
const env = process.env;

/** A development secret kept in .run/<name> (mode 600), made once, reused by later starts. */
function devSecret(name: string): { value: string; file: string } {
  const file = resolve(RUN_DIR, name);
  try {
    return { value: readFileSync(file, 'utf8').trim(), file };
  } catch {
    mkdirSync(RUN_DIR, { recursive: true, mode: 0o700 });
    const value = randomBytes(24).toString('hex');
    writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
    return { value, file };
  }
}

const operatorToken = env.OPERATOR_TOKEN
  ? { value: env.OPERATOR_TOKEN, file: null }
  : devSecret('operator-token');
const DEV = {
  OPERATOR_TOKEN: operatorToken.value,
  SECRETS_KEY: env.SECRETS_KEY ?? DEV_SECRETS_KEY,
  BOOKING_API_PORT: env.BOOKING_API_PORT ?? '3000',
  WEBHOOK_GATEWAY_PORT: env.WEBHOOK_GATEWAY_PORT ?? '3001',
  CALCOM_SYNC_PORT: env.CALCOM_SYNC_PORT ?? '3002',
  SANDBOX_PORT: env.CALCOM_SANDBOX_PORT ?? '3100',
};
const DEMO = {
  tenant: 'demo',
  adminToken: devSecret('demo-admin-token'),
  calcomApiKey: 'cal_demo_sandbox_key',
  webhookSecret: randomBytes(24).toString('hex'),
  retellApiKey: 'key_demo_retell',
  eventTypeId: 1001,
};
const log = createLogger({ service: 'dev', level: 'info' });
const children: ChildProcess[] = [];

function startService(name: string, extraEnv: Record<string, string>): ChildProcess {
  // The sources, never a build that may be older than them; the guard stops the service
  // when this process goes away without stopping it.
  const args = [
    '--import',
    'tsx',
    '--import',
    resolve(__dirname, 'exit-with-parent.ts'),
    resolve(ROOT, 'services', name, 'src', 'main.ts'),
  ];
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
  // Services drain within 10 s (SPEC §4.5); what is still running then is killed, never left behind.
  setTimeout(() => {
    for (const c of children) c.kill('SIGKILL');
    process.exit(code || 1);
  }, 12_000).unref();
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((res) =>
          c.exitCode !== null || c.signalCode !== null
            ? res()
            : (c.once('exit', () => res()), c.kill('SIGTERM')),
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
        adminToken: DEMO.adminToken.value,
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
  const fromRoot = (file: string) => relative(process.cwd(), file) || file;
  const tokenHelp = operatorToken.file
    ? [
        `Operator token: in ${fromRoot(operatorToken.file)} (mode 600; set OPERATOR_TOKEN to choose your own):`,
        `  export OPERATOR_TOKEN="$(cat ${fromRoot(operatorToken.file)})"`,
      ]
    : ['Operator token: the OPERATOR_TOKEN you set.'];
  // No token is printed: the commands read them from their files.
  process.stdout.write(
    [
      '',
      'System running (from the sources):',
      `  booking-api      ${api}`,
      `  webhook-gateway  ${gatewayUrl}`,
      `  calcom-sync      http://127.0.0.1:${DEV.CALCOM_SYNC_PORT}/metrics`,
      useSandbox
        ? `  Cal.com sandbox  ${sandbox!.url}  (control API: ${sandbox!.url}/_sandbox/bookings)`
        : `  Cal.com          ${env.CALCOM_API_URL}`,
      '',
      ...tokenHelp,
      ...(useSandbox
        ? [
            '',
            `Demo tenant "${DEMO.tenant}" (admin token in ${fromRoot(DEMO.adminToken.file)}, event type ${DEMO.eventTypeId}). Try:`,
            `  curl -s -X POST ${api}/v1/tenants/demo/appointments -H "authorization: Bearer $(cat ${fromRoot(DEMO.adminToken.file)})" \\`,
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

// Ctrl-C reaches every process of the terminal's group; npm passes SIGINT and SIGTERM on
// (the start script execs node, so no shell stands between them); a closing terminal sends
// SIGHUP. If npm dies without a word (SIGKILL), the parent watch notices.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => void stop(0));
watchParent(() => void stop(0));
main().catch((err: unknown) => {
  log.error('npm start failed', { error: err });
  void stop(1);
});
