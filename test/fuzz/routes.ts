/**
 * Every public route of the three services, each as a fast-check arbitrary of
 * requests: valid-looking ones with one thing wrong (path, header, query or a
 * body field), and wholly hostile ones. Tenant A only ever sees its own token:
 * failed authentication is throttled per tenant (issue 9 item 7), so the bad
 * tokens go to tenant B and to made-up tenants, and A stays reachable.
 */
import fc from 'fast-check';
import { hmacSha256Hex } from '@calsync/platform';
import {
  anyValue,
  clientAddress,
  contentType,
  encoded,
  headerValue,
  hostileSegment,
  hostileString,
  mutated,
  queryString,
} from './arbitraries';
import { OPERATOR_TOKEN, TENANTS, retellSignature, type FuzzTenant } from './system';

export type ServiceName = 'booking-api' | 'webhook-gateway' | 'calcom-sync';

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Customer e-mails and phones the request carries: never to be seen unmasked in a log line. */
  pii: string[];
}

export interface RouteDef {
  name: string;
  service: ServiceName;
  /** Which side effects a refused request must not have. */
  effects: 'booking' | 'gateway' | 'none';
  arb: fc.Arbitrary<FuzzRequest>;
}

export interface FuzzContext {
  /** Appointment ids that exist, per tenant id. */
  appointments: Record<string, string[]>;
}

const [A, B] = TENANTS as [FuzzTenant, FuzzTenant];
const ONE_MB = 1024 * 1024;

const piiEmail = fc.integer({ min: 0, max: 1e9 }).map((n) => `fz${n}.customer@example.com`);
const piiPhone = fc.integer({ min: 1e7, max: 9e7 }).map((n) => `+49151${n}`);
const futureStart = fc
  .tuple(fc.integer({ min: 2, max: 60 }), fc.integer({ min: 7, max: 16 }), fc.constantFrom(0, 30))
  .map(([days, h, m]) => {
    const d = new Date(Date.now() + days * 86400_000);
    d.setUTCHours(h, m, 0, 0);
    return d.toISOString();
  });
const startValue = fc.oneof({ weight: 4, arbitrary: futureStart }, { weight: 1, arbitrary: hostileString });

/** Which tenant a case names, and with which admin token. */
const adminTarget = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ tenant: A.id, auth: `Bearer ${A.adminToken}` }) },
  {
    weight: 2,
    arbitrary: fc.record({
      tenant: fc.oneof(fc.constant(B.id), fc.constantFrom('fz-unknown', 'x'), hostileSegment),
      auth: fc.oneof(
        fc.constantFrom(
          `Bearer ${A.adminToken}`,
          `Bearer ${OPERATOR_TOKEN}`,
          '',
          'Bearer',
          `bearer ${B.adminToken}x`,
        ),
        headerValue.map((v) => `Bearer ${v}`),
      ),
    }),
  },
);

interface Shape {
  method: string;
  suffix: (ids: string[]) => fc.Arbitrary<string>;
  body?: fc.Arbitrary<Record<string, unknown>>;
}

const someId = (ids: string[]) =>
  fc.oneof(
    { weight: 6, arbitrary: ids.length ? fc.constantFrom(...ids) : fc.uuid() },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: hostileSegment },
  );

const customer = fc.record(
  {
    name: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('Ada Lovelace', 'Jürgen Groß') },
      { weight: 1, arbitrary: hostileString },
    ),
    email: piiEmail,
    phone: piiPhone,
    timeZone: fc.constantFrom('Europe/Berlin', 'UTC', 'America/New_York', 'EUROPE/BERLIN'),
  },
  { requiredKeys: ['name', 'timeZone'] },
);

const ADMIN: Record<string, Shape> = {
  'admin create': {
    method: 'POST',
    suffix: () => fc.constant('/appointments'),
    body: fc.record(
      { eventTypeId: fc.constantFrom(...A.eventTypes), start: futureStart, customer, notes: hostileString },
      { requiredKeys: ['eventTypeId', 'start', 'customer'] },
    ),
  },
  'admin list': { method: 'GET', suffix: () => queryString.map((q) => `/appointments${q}`) },
  'admin get': { method: 'GET', suffix: (ids) => someId(ids).map((id) => `/appointments/${id}`) },
  'admin patch': {
    method: 'PATCH',
    suffix: (ids) => someId(ids).map((id) => `/appointments/${id}`),
    body: fc.record({ start: startValue, customer, notes: hostileString }, { requiredKeys: [] }),
  },
  'admin cancel': {
    method: 'POST',
    suffix: (ids) => someId(ids).map((id) => `/appointments/${id}/cancel`),
    body: fc.record({ reason: hostileString }, { requiredKeys: [] }),
  },
  'admin reschedule': {
    method: 'POST',
    suffix: (ids) => someId(ids).map((id) => `/appointments/${id}/reschedule`),
    body: fc.record({ start: startValue, reason: hostileString }, { requiredKeys: ['start'] }),
  },
  'admin bulk-cancel': {
    method: 'POST',
    suffix: () => fc.constant('/appointments/bulk-cancel'),
    body: fc.record({
      ids: fc.array(fc.oneof(fc.uuid(), hostileString), { maxLength: 8 }),
      reason: hostileString,
    }),
  },
  'sync status': { method: 'GET', suffix: () => queryString.map((q) => `/sync/status${q}`) },
  'sync review': { method: 'GET', suffix: () => queryString.map((q) => `/sync/review${q}`) },
  'sync retry': {
    method: 'POST',
    suffix: (ids) => someId(ids).map((id) => `/appointments/${id}/sync/retry`),
  },
  'sync resolve': {
    method: 'POST',
    suffix: (ids) => someId(ids).map((id) => `/appointments/${id}/sync/resolve`),
    body: fc.record({
      resolution: fc.oneof(fc.constantFrom('keep-local', 'keep-calcom', 'dismiss'), hostileString),
    }),
  },
};

function piiOf(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string' && (/@example\.com$/.test(v) || /^\+49151\d{8}$/.test(v))) out.push(v);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) piiOf(x, out);
  return out;
}

function adminRoute(name: string, shape: Shape, ctx: FuzzContext): RouteDef {
  const body = shape.body ? mutated(shape.body) : fc.constant(undefined);
  const arb = fc
    .record({
      target: adminTarget,
      body,
      wire: fc.nat(),
      ct: contentType,
      ip: clientAddress,
      idem: fc.option(fc.oneof(fc.uuid(), headerValue), { freq: 3 }),
      extra: fc.option(fc.tuple(fc.constantFrom('X-Extra', 'Accept', 'If-None-Match', 'Range'), headerValue)),
    })
    .chain((r) =>
      fc
        .tuple(
          shape.suffix(
            Object.hasOwn(ctx.appointments, r.target.tenant) ? ctx.appointments[r.target.tenant]! : [],
          ),
          encoded(fc.constant(r.body), ONE_MB),
        )
        .map(([suffix, raw]): FuzzRequest => {
          const headers: Record<string, string> = { 'X-Forwarded-For': r.ip };
          if (r.target.auth) headers.Authorization = r.target.auth;
          if (r.idem) headers['Idempotency-Key'] = r.idem;
          if (r.extra) headers[r.extra[0]] = r.extra[1];
          const withBody = shape.body !== undefined;
          if (withBody) headers['Content-Type'] = r.ct;
          return {
            method: shape.method,
            path: `/v1/tenants/${r.target.tenant}${suffix}`,
            headers,
            body: withBody ? raw : undefined,
            pii: piiOf(r.body),
          };
        }),
    );
  return { name, service: 'booking-api', effects: 'booking', arb };
}

/** Operator API. The fixtures are never a valid operator PUT's target (it would replace their tokens). */
function operatorRoutes(): RouteDef[] {
  const auth = fc.oneof(
    { weight: 7, arbitrary: fc.constant(`Bearer ${OPERATOR_TOKEN}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', `Bearer ${A.adminToken}`, `Bearer ${OPERATOR_TOKEN} `, 'Bearer'),
    },
    { weight: 1, arbitrary: headerValue.map((v) => `Bearer ${v}`) },
  );
  const newTenant = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 1e6 }).map((n) => `fz-op-${n}`) },
    { weight: 2, arbitrary: hostileSegment },
  );
  const eventTypes = fc.array(
    fc.record({
      id: fc.integer({ min: 900_000, max: 9_000_000 }),
      title: hostileString,
      lengthInMinutes: fc.constantFrom(15, 30, 0, -5, 1e9),
    }),
    { maxLength: 3 },
  );
  const tenantBody = fc.record({
    name: hostileString,
    timeZone: fc.constantFrom('Europe/Berlin', 'UTC', 'Mars/Olympus'),
    adminToken: fc.constantFrom('x'.repeat(24), 'short', 'y'.repeat(64)),
    calcom: fc.record({
      apiKey: fc.constantFrom('cal_live_fuzzkey', ''),
      webhookSecret: hostileString,
      eventTypes,
    }),
    retell: fc.record({ apiKey: fc.constantFrom('key_fuzz', '') }),
  });
  const put = fc
    .record({ tenant: newTenant, auth, body: mutated(tenantBody), ct: contentType, ip: clientAddress })
    .chain((r) =>
      encoded(fc.constant(r.body), ONE_MB).map((raw): FuzzRequest => ({
        method: 'PUT',
        path: `/v1/tenants/${r.tenant}`,
        headers: { Authorization: r.auth, 'Content-Type': r.ct, 'X-Forwarded-For': r.ip },
        body: raw,
        pii: [],
      })),
    );
  const get = fc
    .record({
      tenant: fc.oneof(fc.constantFrom(A.id, B.id), newTenant),
      auth,
      ip: clientAddress,
      q: queryString,
    })
    .map((r): FuzzRequest => ({
      method: 'GET',
      path: `/v1/tenants/${r.tenant}${r.q}`,
      headers: { Authorization: r.auth, 'X-Forwarded-For': r.ip },
      pii: [],
    }));
  return [
    { name: 'operator put', service: 'booking-api', effects: 'booking', arb: put },
    { name: 'operator get', service: 'booking-api', effects: 'booking', arb: get },
  ];
}

const RETELL_FUNCTIONS = [
  'check_availability',
  'book_appointment',
  'cancel_appointment',
  'reschedule_appointment',
];

function retellRoute(ctx: FuzzContext): RouteDef {
  const ids = ctx.appointments[A.id] ?? []; // a fixture id: never a prototype key
  const args = fc.record(
    {
      eventTypeId: fc.constantFrom(...A.eventTypes),
      date: futureStart.map((s) => s.slice(0, 10)),
      start: startValue,
      timeZone: fc.constantFrom('Europe/Berlin', 'UTC', 'Nowhere/Zone'),
      name: fc.constantFrom('Grace Hopper', ''),
      email: piiEmail,
      phone: piiPhone,
      appointmentId: ids.length ? fc.constantFrom(...ids) : fc.uuid(),
      reason: hostileString,
    },
    { requiredKeys: [] },
  );
  const arb = fc
    .record({
      fn: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...RETELL_FUNCTIONS) },
        { weight: 1, arbitrary: hostileSegment },
      ),
      args: mutated(args),
      wrapped: fc.boolean(),
      callId: fc.oneof(fc.uuid(), headerValue),
      from: piiPhone,
      sig: fc.oneof(
        { weight: 7, arbitrary: fc.constant('valid') },
        { weight: 1, arbitrary: fc.constantFrom('missing', 'stale', 'other-key', 'garbage') },
      ),
      ct: contentType,
      ip: clientAddress,
    })
    .chain((r) => {
      const payload = r.wrapped
        ? { name: r.fn, args: r.args, call: { call_id: r.callId, from_number: r.from } }
        : r.args;
      return encoded(fc.constant(payload), ONE_MB).map((raw): FuzzRequest => {
        const headers: Record<string, string> = { 'Content-Type': r.ct, 'X-Forwarded-For': r.ip };
        if (!r.wrapped) {
          headers['X-Retell-Call-Id'] = r.callId;
          headers['X-Retell-From-Number'] = r.from;
        }
        // Failed authentication is throttled per tenant: bad signatures go to tenant B (already
        // throttled by the other routes' bad tokens), so tenant A stays reachable for valid ones.
        const tenant = r.sig === 'valid' ? A : B;
        if (r.sig === 'valid') headers['X-Retell-Signature'] = retellSignature(raw, A.retellKey);
        else if (r.sig === 'stale')
          headers['X-Retell-Signature'] = retellSignature(raw, B.retellKey, Date.now() - 3600_000);
        else if (r.sig === 'other-key') headers['X-Retell-Signature'] = retellSignature(raw, A.retellKey);
        else if (r.sig === 'garbage') headers['X-Retell-Signature'] = `v=1,d=${'0'.repeat(64)}`;
        return {
          method: 'POST',
          path: `/v1/tenants/${tenant.id}/retell/functions/${r.fn}`,
          headers,
          body: raw,
          pii: [...piiOf(r.args), r.from],
        };
      });
    });
  return { name: 'retell functions', service: 'booking-api', effects: 'booking', arb };
}

const TRIGGERS = [
  'BOOKING_CREATED',
  'BOOKING_RESCHEDULED',
  'BOOKING_CANCELLED',
  'BOOKING_REQUESTED',
  'PING',
  'MEETING_ENDED',
];

function webhookRoute(): RouteDef {
  const delivery = fc.record({
    triggerEvent: fc.constantFrom(...TRIGGERS),
    createdAt: fc.constant(null).map(() => new Date().toISOString()),
    payload: fc.record({
      uid: fc.uuid(),
      eventTypeId: fc.constantFrom(...A.eventTypes, ...B.eventTypes),
      title: hostileString,
      startTime: futureStart,
      endTime: futureStart,
      status: fc.constantFrom('ACCEPTED', 'CANCELLED'),
      attendees: fc.array(
        fc.record({ name: hostileString, email: piiEmail, timeZone: fc.constant('Europe/Berlin') }),
        {
          maxLength: 2,
        },
      ),
      metadata: fc.dictionary(hostileString, anyValue, { maxKeys: 2 }),
    }),
  });
  const arb = fc
    .record({
      tenant: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(A, B) },
        { weight: 1, arbitrary: fc.constant(null) },
      ),
      odd: hostileSegment,
      body: mutated(delivery),
      sign: fc.oneof(
        { weight: 6, arbitrary: fc.constant('valid') },
        { weight: 3, arbitrary: fc.constantFrom('none', 'wrong', 'no-secret-provided', 'upper') },
      ),
      ct: contentType,
      ip: clientAddress,
    })
    .chain((r) =>
      encoded(fc.constant(r.body), 256 * 1024).map((raw): FuzzRequest => {
        const headers: Record<string, string> = { 'Content-Type': r.ct, 'X-Forwarded-For': r.ip };
        const secret = r.tenant?.webhookSecret ?? 'whsec_nobody';
        const good = hmacSha256Hex(secret, raw);
        if (r.sign === 'valid') headers['X-Cal-Signature-256'] = good;
        else if (r.sign === 'wrong') headers['X-Cal-Signature-256'] = hmacSha256Hex('whsec_wrong', raw);
        else if (r.sign === 'upper') headers['X-Cal-Signature-256'] = good.toUpperCase();
        else if (r.sign !== 'none') headers['X-Cal-Signature-256'] = r.sign;
        return {
          method: 'POST',
          path: `/v1/webhooks/calcom/${r.tenant?.id ?? r.odd}`,
          headers,
          body: raw,
          pii: piiOf(r.body),
        };
      }),
    );
  return { name: 'calcom webhooks', service: 'webhook-gateway', effects: 'gateway', arb };
}

/** Health, metrics and whatever else a scanner tries, on every service. */
function probeRoute(service: ServiceName): RouteDef {
  const arb = fc
    .record({
      method: fc.oneof(
        { weight: 4, arbitrary: fc.constant('GET') },
        { weight: 1, arbitrary: fc.constantFrom('POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH') },
      ),
      path: fc.oneof(
        {
          weight: 4,
          arbitrary: fc.constantFrom('/livez', '/readyz', '/metrics', '/', '/openapi.json', '/admin'),
        },
        {
          weight: 2,
          arbitrary: fc.array(hostileSegment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`),
        },
      ),
      q: queryString,
      ip: clientAddress,
    })
    .map((r): FuzzRequest => ({
      method: r.method,
      path: `${r.path}${r.q}`,
      headers: { 'X-Forwarded-For': r.ip },
      pii: [],
    }));
  const effects = (
    { 'booking-api': 'booking', 'webhook-gateway': 'gateway', 'calcom-sync': 'none' } as const
  )[service];
  return { name: `probe ${service}`, service, effects, arb };
}

/** In run order: the gateway last, since what it accepts is applied by booking-api later. */
export function routes(ctx: FuzzContext): RouteDef[] {
  return [
    probeRoute('booking-api'),
    probeRoute('calcom-sync'),
    ...operatorRoutes(),
    ...Object.entries(ADMIN).map(([name, shape]) => adminRoute(name, shape, ctx)),
    retellRoute(ctx),
    probeRoute('webhook-gateway'),
    webhookRoute(),
  ];
}
