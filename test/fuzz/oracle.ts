/**
 * What every answer is judged by: no 5xx, no stall, no secret and (when refused)
 * none of the request's customer data in the answer, and no side effect of a
 * refused request — rows, stream messages, Cal.com calls — measured before and
 * after each case (cases run one at a time so a change belongs to one case).
 */
import type { FuzzSystem } from './system';
import { SECRETS } from './system';
import type { Answer } from './http';
import type { FuzzRequest, RouteDef } from './routes';

export interface Counts {
  appointments: number;
  outbox: number;
  tenants: number;
  deliveries: number;
  inbound: number;
  calcomCalls: number;
}

/**
 * The gateway writes its deliveries table behind the answer (db/delivery-recorder.ts), so an
 * accepted delivery's row lands up to a flush interval later. Counting before its
 * `webhook_delivery_records_pending` gauge is back to 0 would charge that row to the next case.
 * Returns the event-loop delay the scrape saw (each scrape resets it), for the gateway's routes.
 */
async function gatewaySettled(sys: FuzzSystem): Promise<Lag> {
  const url = `${sys.services['webhook-gateway'].url}/metrics`;
  let lag: Lag = { p99: 0, max: 0 };
  for (const deadline = Date.now() + 10_000; ;) {
    const text = await (await fetch(url)).text();
    lag = worse(lag, parseLag(text));
    const pending = Number(/^webhook_delivery_records_pending(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1]);
    if (pending === 0) return lag;
    if (Date.now() > deadline)
      throw new Error(`the gateway's delivery records never settled (pending ${pending})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function counts(sys: FuzzSystem): Promise<Counts & { gatewayLag: Lag }> {
  const gatewayLag = await gatewaySettled(sys);
  const [row] = await sys.db.db.query<Record<string, number | string>>(
    `SELECT (SELECT COUNT(*) FROM appointments) a, (SELECT COUNT(*) FROM outbox) o,
            (SELECT COUNT(*) FROM tenants) t, (SELECT COUNT(*) FROM webhook_deliveries) d`,
  );
  const info = await sys.nats.jsm.streams.info(sys.nats.topology.streams.calcomInbound.name);
  return {
    appointments: Number(row?.a),
    outbox: Number(row?.o),
    tenants: Number(row?.t),
    deliveries: Number(row?.d),
    inbound: info.state.messages,
    calcomCalls: sys.sb.calls({ kind: 'api' }).length,
    gatewayLag,
  };
}

const WATCHED: Record<RouteDef['effects'], (keyof Counts)[]> = {
  booking: ['appointments', 'outbox', 'tenants', 'calcomCalls'],
  gateway: ['deliveries', 'inbound'],
  none: ['appointments', 'outbox', 'tenants', 'calcomCalls', 'deliveries', 'inbound'],
};

function jsonError(body: string): string | undefined {
  try {
    const v = JSON.parse(body) as { error?: unknown };
    return typeof v?.error === 'string' ? v.error : v?.error ? 'error' : undefined;
  } catch {
    return undefined;
  }
}

/** A Cal.com error on connect is specified as 502 (SPEC §4.1); anything else 5xx is a bug. */
const allowed5xx = (route: RouteDef, status: number) => route.name === 'operator put' && status === 502;

export function judge(
  route: RouteDef,
  req: FuzzRequest,
  answer: Answer,
  before: Counts,
  after: Counts,
): string[] {
  const findings: string[] = [];
  const { status, body } = answer;
  if (status >= 500 && !allowed5xx(route, status)) findings.push(`${status} answer: ${body.slice(0, 200)}`);
  const text = `${body}\n${JSON.stringify(answer.headers)}`;
  for (const s of SECRETS) if (text.includes(s)) findings.push(`a secret in the answer (${s.slice(0, 6)}…)`);
  const retellError = route.name === 'retell functions' ? jsonError(body) : undefined;
  const refused = status >= 400 || retellError !== undefined;
  if (!refused) return findings;
  for (const p of req.pii)
    if (body.includes(p)) findings.push(`customer data ${p.slice(0, 4)}… in a refused answer`);
  // A Retell business answer ("slot taken, here are others") may read Cal.com's slots.
  const calcomAllowed =
    allowed5xx(route, status) ||
    (status < 400 && retellError !== undefined && retellError !== 'invalid_arguments');
  for (const k of WATCHED[route.effects]) {
    if (k === 'calcomCalls' && calcomAllowed) continue;
    if (after[k] !== before[k])
      findings.push(
        `refused (${status}${retellError ? ` ${retellError}` : ''}) but ${k} ${before[k]} → ${after[k]}`,
      );
  }
  return findings;
}

/** Log lines of a service: no secret, and no customer e-mail or phone we sent, unmasked. */
export function scanLogs(service: string, output: string, sentPii: Set<string>): string[] {
  const findings: string[] = [];
  for (const s of SECRETS)
    if (output.includes(s)) findings.push(`${service} logged a secret (${s.slice(0, 6)}…)`);
  const seen = new Set<string>();
  for (const m of output.matchAll(/[A-Za-z0-9._%+-]+@example\.com|\+49151\d{8}/g))
    if (sentPii.has(m[0]) && !seen.has(m[0])) {
      seen.add(m[0]);
      const line = output.slice(output.lastIndexOf('\n', m.index) + 1, output.indexOf('\n', m.index));
      findings.push(`${service} logged customer data unmasked: ${line.slice(0, 300)}`);
    }
  return findings;
}

/** Event-loop delay from prom-client's default metrics (monitorEventLoopDelay, reset at each scrape). */
export async function eventLoopLag(url: string): Promise<Lag> {
  return parseLag(await (await fetch(`${url}/metrics`)).text());
}

export interface Lag {
  p99: number;
  max: number;
}

/** From a /metrics text; also used on the answers of fuzz cases that scrape (each scrape resets). */
export function parseLag(text: string): Lag {
  const get = (name: string) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { p99: get('nodejs_eventloop_lag_p99_seconds'), max: get('nodejs_eventloop_lag_max_seconds') };
}

export const worse = (a: Lag, b: Lag): Lag => ({
  p99: Math.max(a.p99, Number.isNaN(b.p99) ? 0 : b.p99),
  max: Math.max(a.max, Number.isNaN(b.max) ? 0 : b.max),
});
