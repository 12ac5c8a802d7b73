/**
 * Cal.com-facing helpers for booking-api's tests: a sandbox account open all
 * week, a signed `check_availability`, and calcom-sync running in this process
 * against the same database and NATS namespace.
 */
import { randomUUID } from 'node:crypto';
import type { CalcomSandbox } from '@calsync/calcom-sandbox';
import { createLogger, parseEnv, systemClock } from '@calsync/platform';
import { createCalcomSyncApp, type CalcomSyncApp } from '../../calcom-sync/src/app';
import { buildConfig, envSchema } from '../../calcom-sync/src/config';
import { signRetell } from '../src/domain/retell/signature';
import type { Harness, TestTenant } from './harness';

export function addOpenAccount(sandbox: CalcomSandbox, t: TestTenant) {
  const day = [{ start: '00:00', end: '23:30' }];
  sandbox.addAccount({
    apiKey: t.calcomApiKey,
    eventTypes: [{ id: t.eventTypeId, title: 'Beratung', lengthInMinutes: 30 }],
    availability: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day },
  });
}

/** The phone agent asks for a day's free times, signed as Retell signs. */
export function checkAvailability(h: Harness, t: TestTenant, date = '2050-09-06') {
  const raw = JSON.stringify({
    name: 'check_availability',
    args: { date },
    call: { call_id: `call_${randomUUID()}`, from_number: '+4915112345678', to_number: '+493012345678' },
  });
  return h.http('POST', `/v1/tenants/${t.id}/retell/functions/check_availability`, {
    raw,
    headers: {
      'content-type': 'application/json',
      'x-retell-signature': signRetell(raw, t.retellApiKey, Date.now()),
    },
  });
}

/** calcom-sync in this process (short retries, no reconciliation); the caller stops it. */
export async function startCalcomSync(
  h: Harness,
  calcomUrl: string,
  env: Record<string, string> = {},
): Promise<CalcomSyncApp> {
  const config = buildConfig(
    parseEnv(envSchema, {
      NODE_ENV: 'test',
      DATABASE_URL: h.testDb.url,
      NATS_URL: h.nats.url,
      NATS_NAMESPACE: h.nats.namespace,
      CALCOM_API_URL: calcomUrl,
      CALCOM_SYNC_PORT: '0',
      SYNC_RETRY_DELAYS_MS: '100,200,300',
      RECONCILE_INTERVAL_SECONDS: '0',
      LOG_LEVEL: 'error',
      ...env,
    }),
  );
  const app = createCalcomSyncApp({
    config,
    logger: createLogger({ service: 'calcom-sync', level: 'error' }),
    db: h.testDb.db,
    nats: h.nats,
    clock: systemClock,
  });
  await app.start();
  return app;
}
