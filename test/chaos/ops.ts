/**
 * Random operations from the three sides: admin API, Retell functions, and a
 * customer on the Cal.com page (the sandbox). Every draw is taken up front in
 * a fixed order, so a seed replays the same choices whatever the system answers.
 */
import type { CalcomSandbox } from '@calsync/calcom-sandbox';
import { at, customerOp, liveBookings } from './customer-ops';
import { call, listAppointments, retell, type Answer, type Appointment } from './client';
import { inOutage, type History, type OpRecord, type Side } from './history';
import type { Rng } from './rng';
import type { Tenant } from './tenants';

export interface World {
  seed: number;
  rng: Rng;
  sb: CalcomSandbox;
  apiUrl: () => string;
  tenants: Tenant[];
  slots: string[];
  history: History;
  /** Last appointment list seen per tenant (used while booking-api cannot answer). */
  known: Map<string, Appointment[]>;
}

const KINDS: Record<Side, [string, number][]> = {
  admin: [
    ['create', 35],
    ['reschedule', 20],
    ['cancel', 15],
    ['patch', 15],
    ['bulk-cancel', 10],
  ],
  retell: [
    ['book', 50],
    ['cancel', 25],
    ['reschedule', 25],
  ],
  customer: [
    ['book', 45],
    ['cancel', 25],
    ['reschedule', 30],
  ],
};

function weighted(rng: Rng, items: [string, number][]): string {
  let r = rng.int(items.reduce((s, [, w]) => s + w, 0));
  for (const [k, w] of items) if ((r -= w) < 0) return k;
  return items[0]![0];
}

export interface Draw {
  tenant: Tenant;
  side: Side;
  kind: string;
  slot: string;
  eventTypeId: number;
  target: number;
  count: number;
  gapMs: number;
}

export function drawOp(w: World): Draw {
  const { rng } = w;
  const tenant = rng.pick(w.tenants);
  const side = weighted(rng, [
    ['admin', 45],
    ['retell', 25],
    ['customer', 30],
  ]) as Side;
  return {
    tenant,
    side,
    kind: weighted(rng, KINDS[side]),
    slot: rng.pick(w.slots),
    eventTypeId: rng.pick(tenant.eventTypes),
    target: rng.next(),
    count: 1 + rng.int(3),
    gapMs: rng.int(300),
  };
}

const byCreation = (a: Appointment, b: Appointment) =>
  a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);

async function bookedOf(w: World, t: Tenant): Promise<Appointment[]> {
  const fresh = await listAppointments(w.apiUrl(), t.id, t.adminToken);
  if (fresh) w.known.set(t.id, fresh);
  return (w.known.get(t.id) ?? []).filter((a) => a.status === 'booked').sort(byCreation);
}

const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v));

async function hasTarget(w: World, d: Draw): Promise<boolean> {
  if (d.kind === 'create' || d.kind === 'book') return true;
  return d.side === 'customer'
    ? liveBookings(w, d.tenant).length > 0
    : (await bookedOf(w, d.tenant)).length > 0;
}

export async function runOp(w: World, n: number, drawn: Draw): Promise<OpRecord[]> {
  // Nothing to act on yet: the side books instead, so no draw is wasted.
  const d = (await hasTarget(w, drawn))
    ? drawn
    : { ...drawn, kind: drawn.side === 'admin' ? 'create' : 'book' };
  const started = Date.now();
  const t = d.tenant;
  const base = `${w.apiUrl()}/v1/tenants/${t.id}`;
  const token = t.adminToken;
  const name = `c${w.seed}-${n}`;
  const customer = { name, email: `${name}@example.com`, timeZone: 'Europe/Berlin' };
  const rec = (r: Partial<OpRecord> & { status: number; outcome: string }, a?: Answer): OpRecord => ({
    n,
    at: started,
    tenant: t.id,
    side: d.side,
    kind: d.kind,
    localChange: false,
    duringOutage: inOutage(w.history, started) || inOutage(w.history, Date.now()),
    retryAfter: a?.retryAfter,
    ...r,
  });
  const errCode = (a: Answer) =>
    str((a.body?.error as { code?: string } | undefined)?.code ?? a.body?.status ?? a.status);

  if (d.side === 'customer') return [await customerOp(w, n, d, rec, customer)];

  const targets = d.kind === 'create' || d.kind === 'book' ? [] : await bookedOf(w, t);
  const target = at(targets, d.target);
  if (!target && d.kind !== 'create' && d.kind !== 'book')
    return [rec({ kind: `${d.kind} (nothing to act on)`, status: -1, outcome: 'skipped' })];

  if (d.side === 'retell') {
    const callId = `call-${w.seed}-${n}`;
    const args: Record<string, unknown> =
      d.kind === 'book'
        ? { eventTypeId: d.eventTypeId, start: d.slot, name, email: customer.email }
        : d.kind === 'cancel'
          ? { appointmentId: target!.id, reason: 'chaos' }
          : { appointmentId: target!.id, start: d.slot };
    const fn = `${d.kind === 'book' ? 'book' : d.kind}_appointment`;
    const a = await retell(w.apiUrl(), t.id, t.retellKey, fn, args, callId);
    const outcome = str(a.body?.status ?? a.body?.error ?? a.status);
    const id = (a.body?.appointmentId as string | undefined) ?? target?.id;
    const changed =
      a.status === 200 &&
      (d.kind === 'cancel'
        ? outcome === 'cancelled'
        : ['confirmed', 'pending', 'not_confirmed'].includes(outcome));
    return [
      rec(
        {
          appointmentId: id,
          start: d.kind === 'cancel' ? undefined : d.slot,
          eventTypeId: d.kind === 'book' ? d.eventTypeId : target?.eventTypeId,
          customerName: d.kind === 'book' ? name : undefined,
          status: a.status,
          outcome,
          localChange: changed,
        },
        a,
      ),
    ];
  }

  switch (d.kind) {
    case 'create': {
      const a = await call(`${base}/appointments`, {
        method: 'POST',
        token,
        body: { eventTypeId: d.eventTypeId, start: d.slot, customer },
      });
      return [
        rec(
          {
            appointmentId: a.body?.id as string | undefined,
            start: d.slot,
            eventTypeId: d.eventTypeId,
            customerName: name,
            status: a.status,
            outcome: a.status === 201 ? '201' : errCode(a),
            localChange: a.status === 201,
          },
          a,
        ),
      ];
    }
    case 'reschedule':
    case 'patch': {
      const moves = d.kind === 'reschedule' || d.count > 1;
      const a = moves
        ? d.kind === 'reschedule'
          ? await call(`${base}/appointments/${target!.id}/reschedule`, {
              method: 'POST',
              token,
              body: { start: d.slot },
            })
          : await call(`${base}/appointments/${target!.id}`, {
              method: 'PATCH',
              token,
              body: { start: d.slot },
            })
        : await call(`${base}/appointments/${target!.id}`, {
            method: 'PATCH',
            token,
            body: { notes: `n${n}` },
          });
      const changed = a.status === 200 && moves && Date.parse(target!.start) !== Date.parse(d.slot);
      return [
        rec(
          {
            kind: moves ? d.kind : 'patch-notes',
            appointmentId: target!.id,
            start: moves ? d.slot : undefined,
            eventTypeId: target!.eventTypeId,
            status: a.status,
            outcome: a.status === 200 ? '200' : errCode(a),
            localChange: changed,
          },
          a,
        ),
      ];
    }
    case 'cancel': {
      const a = await call(`${base}/appointments/${target!.id}/cancel`, {
        method: 'POST',
        token,
        body: { reason: 'chaos' },
      });
      return [
        rec(
          {
            appointmentId: target!.id,
            status: a.status,
            outcome: a.status === 200 ? '200' : errCode(a),
            localChange: a.status === 200,
          },
          a,
        ),
      ];
    }
    default: {
      const first = targets.indexOf(target!);
      const ids = targets.slice(first, first + d.count).map((x) => x.id);
      const a = await call(`${base}/appointments/bulk-cancel`, {
        method: 'POST',
        token,
        body: { ids, reason: 'chaos' },
      });
      const results = (a.body?.results as { id: string; ok: boolean; error?: unknown }[] | undefined) ?? [];
      return ids.map((id) => {
        const r = results.find((x) => x.id === id);
        return rec(
          {
            appointmentId: id,
            status: a.status,
            outcome: r ? (r.ok ? 'ok' : JSON.stringify(r.error)) : errCode(a),
            localChange: a.status === 200 && !!r?.ok,
          },
          a,
        );
      });
    }
  }
}
