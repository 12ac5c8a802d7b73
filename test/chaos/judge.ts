/**
 * The oracle, from outside only: the admin API (appointments, review queue),
 * the sandbox's store and call log, and the run's own history. Each finding
 * names the check, the tenant and the ids involved.
 */
import type { RecordedCall, SandboxBooking } from '@calsync/calcom-sandbox';
import type { Appointment, ReviewItem } from './client';
import { inOutage, type History, type OpRecord } from './history';
import type { Tenant } from './tenants';

export interface Finding {
  check: string;
  tenant: string;
  detail: string;
}

export interface TenantState {
  tenant: Tenant;
  appointments: Appointment[];
  review: ReviewItem[];
}

const live = (b: SandboxBooking) => b.status === 'accepted' || b.status === 'pending';
const SLOT_MS = 30 * 60_000;
/** A customer's change this soon after a local change may have raced our call to Cal.com. */
const RACE_MS = 5_000;

export function judge(
  states: TenantState[],
  bookings: SandboxBooking[],
  webhookCalls: RecordedCall[],
  h: History,
  /** Receives how each review entry was explained (printed with --verbose). */
  explained: string[] = [],
): Finding[] {
  const out: Finding[] = [];
  const byUid = new Map(bookings.map((b) => [b.uid, b]));
  const rootOf = (uid: string) => {
    let b = byUid.get(uid);
    while (b?.rescheduledFromUid && byUid.has(b.rescheduledFromUid)) b = byUid.get(b.rescheduledFromUid);
    return b?.uid ?? uid;
  };
  const ownerOfAppointment = new Map<string, string>();
  for (const s of states) for (const a of s.appointments) ownerOfAppointment.set(a.id, s.tenant.id);

  for (const s of states) {
    const t = s.tenant;
    // A create that got no answer (or a 5xx) may still have committed: its unique customer name tells.
    const byName = new Map(s.appointments.map((a) => [a.customer.name, a.id]));
    const ops = h.ops.map((o) => {
      const id = o.customerName && o.side !== 'customer' ? byName.get(o.customerName) : undefined;
      return o.tenant !== t.id || o.appointmentId || !id ? o : { ...o, appointmentId: id, localChange: true };
    });
    const hist: History = { ...h, ops };
    const find = (check: string, detail: string) => out.push({ check, tenant: t.id, detail });
    const mine = bookings.filter((b) => ofTenant(b, t));
    const inReview = new Set([
      ...s.review.map((r) => r.appointment.id),
      ...s.appointments.filter((a) => a.sync.requiresManualReview).map((a) => a.id),
    ]);
    const byId = new Map(s.appointments.map((a) => [a.id, a]));
    // Which appointment a Cal.com booking family belongs to: our metadata, else the link.
    const familyOwner = new Map<string, string>();
    for (const b of mine) {
      const id = b.metadata.appointmentId;
      if (typeof id === 'string') familyOwner.set(rootOf(b.uid), id);
    }
    for (const a of s.appointments) {
      const uid = a.sync.calcomBookingUid;
      if (uid && !familyOwner.has(rootOf(uid))) familyOwner.set(rootOf(uid), a.id);
    }
    const referencing = (a: Appointment) =>
      mine.filter((b) => live(b) && (b.uid === a.sync.calcomBookingUid || b.metadata.appointmentId === a.id));

    for (const a of s.appointments) {
      if (a.sync.requiresManualReview && (a.sync.status !== 'failed' || !a.sync.errorCode))
        find(
          '8 review shown as failed with a code (SPEC §6.8)',
          `${a.id}: sync.status=${a.sync.status} errorCode=${a.sync.errorCode ?? null}`,
        );
      if (inReview.has(a.id)) continue;
      const refs = referencing(a);
      if (a.status === 'booked') {
        const b = a.sync.calcomBookingUid ? byUid.get(a.sync.calcomBookingUid) : undefined;
        if (!b || !live(b) || !ofTenant(b, t))
          find(
            '1 booked ↔ one live Cal.com booking',
            `${a.id} (${a.start}, sync ${a.sync.status}) links ${a.sync.calcomBookingUid ?? 'nothing'}: ${b ? b.status : 'no such booking'}`,
          );
        else if (b.start.getTime() !== Date.parse(a.start) || b.eventTypeId !== a.eventTypeId)
          find(
            '1 booked ↔ one live Cal.com booking',
            `${a.id}: local ${a.start}/${a.eventTypeId}, Cal.com ${b.uid} ${b.start.toISOString()}/${b.eventTypeId}`,
          );
        if (refs.length > 1)
          find(
            '1 booked ↔ one live Cal.com booking',
            `${a.id} has ${refs.length} live bookings: ${refs.map((x) => x.uid).join(', ')}`,
          );
        if (a.sync.status !== 'synced')
          find('0 converged', `${a.id} booked, not in review, sync.status=${a.sync.status}`);
      } else if (refs.length > 0) {
        find(
          '2 cancelled ↔ no live booking',
          `${a.id} cancelled but Cal.com has ${refs.map((x) => `${x.uid} ${x.status} ${x.start.toISOString()}`).join(', ')}`,
        );
      }
    }

    for (const b of mine.filter(live)) {
      const linked = s.appointments.find((a) => a.sync.calcomBookingUid === b.uid);
      const metaId = typeof b.metadata.appointmentId === 'string' ? b.metadata.appointmentId : undefined;
      if (metaId && ownerOfAppointment.has(metaId) && ownerOfAppointment.get(metaId) !== t.id)
        find(
          '5 no cross-tenant effect',
          `booking ${b.uid} of ${t.id}'s account names ${metaId} of ${ownerOfAppointment.get(metaId)}`,
        );
      if (b.metadata.tenantId !== undefined && b.metadata.tenantId !== t.id)
        find(
          '5 no cross-tenant effect',
          `booking ${b.uid} of ${t.id}'s account has metadata.tenantId=${String(b.metadata.tenantId)}`,
        );
      const owner =
        linked ?? (metaId ? byId.get(metaId) : undefined) ?? byId.get(familyOwner.get(rootOf(b.uid)) ?? '');
      if (owner && inReview.has(owner.id)) continue;
      if (!linked || linked.status !== 'booked')
        find(
          '3 no Cal.com booking without a booked appointment',
          `${b.uid} ${b.start.toISOString()} (${b.source}) → ${linked ? `${linked.id} ${linked.status}` : owner ? `not linked; ${owner.id} links ${owner.sync.calcomBookingUid ?? 'nothing'}` : 'no appointment'}`,
        );
    }

    // 4: Cal.com writes by our key, per appointment, against the local changes that needed them.
    const writes = new Map<string, string[]>();
    const note = (id: string, what: string) => writes.set(id, [...(writes.get(id) ?? []), what]);
    // The appointment linked to the booking (or to the one it replaced) owns the write; the
    // family only when nothing links it (the system may have split a family in two).
    const linkOf = new Map(
      s.appointments.flatMap((a) => (a.sync.calcomBookingUid ? [[a.sync.calcomBookingUid, a.id]] : [])),
    );
    for (const b of mine) {
      const owner =
        linkOf.get(b.uid) ??
        (b.rescheduledFromUid ? linkOf.get(b.rescheduledFromUid) : undefined) ??
        (typeof b.metadata.appointmentId === 'string' ? b.metadata.appointmentId : undefined) ??
        familyOwner.get(rootOf(b.uid)) ??
        '(no appointment)';
      if (b.source === 'api' && !b.rescheduledFromUid) note(owner, `create ${b.uid}`);
      if (b.rescheduledFromUid && b.rescheduledByEmail === t.hostEmail) note(owner, `reschedule → ${b.uid}`);
      if (b.cancelledByEmail === t.hostEmail && !b.rescheduledToUid) note(owner, `cancel ${b.uid}`);
    }
    const opsOf = (id: string) => hist.ops.filter((o) => o.tenant === t.id && o.appointmentId === id);
    for (const [id, ws] of writes) {
      const changes = opsOf(id).filter((o) => o.localChange && o.side !== 'customer');
      if (ws.length > changes.length)
        find(
          '4 Cal.com writes bounded by local changes',
          `${id}: ${ws.length} writes (${ws.join('; ')}) for ${changes.length} local changes (ops ${changes.map((o) => o.n).join(',') || 'none'})`,
        );
    }

    // 6: every review entry is explained by what happened to it.
    for (const id of inReview) {
      const a = byId.get(id);
      if (!a) continue;
      const reason = s.review.find((r) => r.appointment.id === id)?.reason ?? a.sync.errorCode ?? 'unknown';
      const why = explain(a, reason, t, hist, (uid) => familyOwner.get(rootOf(uid)));
      if (why) explained.push(`${id} (${reason}): ${why}`);
      else
        find(
          '6 review explained by the history',
          `${id} (${reason}, origin ${a.origin}): ops ${
            opsOf(id)
              .map((o) => o.n)
              .join(',') || 'none'
          }`,
        );
    }

    // 7: no 5xx from our services, except an honest 503 while a dependency is away.
    for (const o of hist.ops.filter((x) => x.tenant === t.id && x.side !== 'customer' && x.status >= 500)) {
      if (o.status !== 503 || !o.retryAfter || !o.duringOutage)
        find(
          '7 no 5xx',
          `op ${o.n} ${o.side} ${o.kind} answered ${o.status}${o.duringOutage ? ' during an outage' : ''}${o.retryAfter ? '' : ' without Retry-After'}`,
        );
      else if (o.customerName && s.appointments.some((a) => a.customer.name === o.customerName))
        find('7 no 5xx', `op ${o.n} ${o.kind} answered 503 but the appointment was committed`);
    }
    for (const c of webhookCalls.filter((x) => x.path.endsWith(`/calcom/${t.id}`) && x.status >= 500))
      // A delivery that began just before the kill is answered during it.
      if (c.status !== 503 || ![0, c.durationMs].some((d) => inOutage(hist, Date.parse(c.at) + d)))
        find(
          '7 no 5xx',
          `webhook-gateway answered ${c.status} to ${c.triggerEvent} ${c.bookingUid ?? ''} at ${c.at}`,
        );
  }
  return out;
}

/** The tenant's account's bookings: its event types are its own (unique per run, the sandbox keeps accounts apart). */
const ofTenant = (b: SandboxBooking, t: Tenant) => t.eventTypes.includes(b.eventTypeId);

function explain(
  a: Appointment,
  reason: string,
  t: Tenant,
  h: History,
  ownerOfUid: (uid: string) => string | undefined,
): string | undefined {
  const ops = h.ops.filter((o) => o.tenant === t.id);
  const mine = ops.filter((o) => o.appointmentId === a.id);
  const customerOnIt = ops.filter(
    (o) =>
      o.side === 'customer' && o.status < 300 && [o.uid, o.newUid].some((u) => u && ownerOfUid(u) === a.id),
  );
  // Every time it held: its own operations' and the customer's (a Cal.com-made appointment's first start).
  const starts = [a.start, ...mine.map((o) => o.start), ...customerOnIt.map((o) => o.start)]
    .filter((x): x is string => !!x)
    .map(Date.parse);
  const near = (o: OpRecord) => !!o.start && starts.some((s) => Math.abs(Date.parse(o.start!) - s) < SLOT_MS);
  // Operations on some other booking (not this appointment's, nor its own customer's).
  const other = (o: OpRecord) => o.appointmentId !== a.id && !customerOnIt.includes(o);
  const calFaults = h.faults.filter((f) => f.tenant === t.id || !f.tenant);
  switch (reason) {
    case 'conflict':
    case 'calcom_cancelled': {
      // A real conflict: a customer changed the booking while a local change was not in Cal.com
      // yet — the appointment was not `synced` just before (seen from outside), or a local
      // change came after, before the customer's webhook landed.
      const changes = mine.filter((o) => o.localChange && o.side !== 'customer');
      for (const c of customerOnIt.filter((o) => o.kind !== 'book'))
        for (const l of changes) {
          if (l.at > c.at || (l.at <= c.at && c.ownerSyncAtOp !== 'synced'))
            return `customer op ${c.n} changed it on Cal.com with local op ${l.n} unsynced`;
          // Our call and the customer's change raced in Cal.com: a cancel's webhook goes out before
          // Cal.com marks the row cancelled (FACTS), so its echo can show `synced` while the
          // customer's reschedule of the same booking still succeeds.
          if (c.at - l.at < RACE_MS)
            return `customer op ${c.n} raced local op ${l.n} in Cal.com (${c.at - l.at} ms apart)`;
        }
      // Cal.com's 409 "already being created" (two creates for one host and start at once) is
      // flagged `conflict` too, and so is a customer's change to a double-booked appointment.
      if (ops.some((o) => other(o) && near(o))) return 'another booking wanted an overlapping time';
      return undefined;
    }
    case 'slot_taken':
    case 'double_booked':
      if (ops.some((o) => other(o) && near(o))) return 'another booking wanted an overlapping time';
      return undefined;
    case 'retries_exhausted':
      return calFaults.length ? `faults: ${calFaults.map((f) => f.what).join('; ')}` : undefined;
    case 'mass_cancellation':
      return ops.some((o) => o.side === 'customer' && o.kind === 'cancel')
        ? 'customers cancelled'
        : undefined;
    default:
      return undefined;
  }
}
