/**
 * One measurement of row 8: the phone agent's `book_appointment` (Retell
 * custom function, signed as retell/FACTS.md says) offered at a fixed rate;
 * the answer comes once calcom-sync reported the Cal.com outcome (or after
 * RETELL_CONFIRM_TIMEOUT_MS with "pending"). Every answer 200 is timed; the
 * ones that are not `confirmed` are counted.
 */
import { createHmac } from 'node:crypto';
import { HTTP_HEADERS } from '@calsync/contracts';
import { openLoop } from '../lib/http';
import { summarize, type LatencySummary } from '../lib/stats';
import type { System } from '../lib/system';

export interface RetellRun {
  answered: number;
  confirmed: number;
  failed: number;
  latency: LatencySummary;
  statuses: Record<string, number>;
}

/** X-Retell-Signature: `v=<unix ms>,d=<hex HMAC-SHA256(rawBody + ms) keyed with the API key>`. */
export function retellSignature(rawBody: string, apiKey: string, ms = Date.now()): string {
  return `v=${ms},d=${createHmac('sha256', apiKey)
    .update(rawBody + ms)
    .digest('hex')}`;
}

let calls = 0;

export async function retellPhase(sys: System, opts: { perSec: number; ms: number }): Promise<RetellRun> {
  const statuses: Record<string, number> = {};
  const send = async (i: number) => {
    const t = i % sys.tenants.length;
    const tenant = sys.tenants[t]!;
    const raw = JSON.stringify({
      name: 'book_appointment',
      args: {
        eventTypeId: tenant.eventTypeIds[0]!,
        start: sys.nextSlot(t),
        timeZone: 'UTC',
        name: 'Bench Caller',
      },
      call: {
        call_id: `bench-call-${process.pid}-${calls++}`,
        call_type: 'phone_call',
        direction: 'inbound',
        from_number: '+493012345678',
      },
    });
    const res = await sys.client.request(
      'POST',
      `/v1/tenants/${tenant.id}/retell/functions/book_appointment`,
      Buffer.from(raw),
      {
        'content-type': 'application/json',
        [HTTP_HEADERS.retellSignature]: retellSignature(raw, tenant.retellApiKey),
      },
    );
    if (res.status !== 200) return `HTTP ${res.status} ${res.body.toString().slice(0, 160)}`;
    const status = String((JSON.parse(res.body.toString()) as { status?: unknown }).status);
    statuses[status] = (statuses[status] ?? 0) + 1;
    return true as const;
  };
  const r = await openLoop({ ratePerSec: opts.perSec, durationMs: opts.ms, send, graceMs: 30_000 });
  return {
    answered: r.ok,
    confirmed: statuses.confirmed ?? 0,
    failed: r.failed,
    latency: summarize(r.samples),
    statuses,
  };
}
