/**
 * Cal.com-shaped webhook payloads (calcom/FACTS.md) and ways to feed them to the
 * inbound applier the way webhook-gateway does: encodeInboundEvent + publishEnvelope.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { encodeMessage, type BookingTrigger, type CalcomWebhookBooking } from '@calsync/contracts';
import { publishEnvelope, sha256Hex } from '@calsync/platform';
import type { AppointmentRow, Tx } from '@calsync/db';
import { waitFor } from '@calsync/testkit';
import type { Harness, TestTenant } from './harness';

/** Monday 2050-09-05 09:00 Berlin (07:00Z) plus n half-hour slots. */
export function slot(n: number): Date {
  return new Date(Date.UTC(2050, 8, 5, 7, 0) + n * 30 * 60_000);
}

const noMillis = (d: Date) => d.toISOString().replace('.000Z', 'Z');
export const newUid = () => randomBytes(16).toString('base64url').slice(0, 22);
let bookingSeq = 1000;

/** A booking payload as Cal.com sends it (the FACTS example, with our values). */
export function bookingPayload(
  t: TestTenant,
  start: Date,
  extra: Partial<CalcomWebhookBooking> & Record<string, unknown> = {},
): CalcomWebhookBooking {
  const end = new Date(start.getTime() + 30 * 60_000);
  return {
    type: '30min',
    title: '30min between Praxis Muster and Jane Roe',
    startTime: noMillis(start),
    endTime: noMillis(end),
    organizer: { id: 5, name: 'Praxis Muster', email: 'owner@example.com', timeZone: 'Europe/Berlin' },
    attendees: [
      { name: 'Jane Roe', email: 'jane@example.com', timeZone: 'Europe/Berlin', language: { locale: 'de' } },
    ],
    responses: { name: { label: 'your_name', value: 'Jane Roe' } },
    location: 'Praxis',
    eventTypeId: t.eventTypeId,
    uid: newUid(),
    bookingId: (bookingSeq += 1),
    length: 30,
    eventTitle: '30min',
    metadata: {},
    status: 'ACCEPTED',
    ...extra,
  };
}

/** A reschedule of `old` to `start`: new uid and id, rescheduleUid = the old uid (FACTS). */
export function reschedulePayload(t: TestTenant, old: CalcomWebhookBooking, start: Date, extra = {}) {
  return bookingPayload(t, start, {
    metadata: old.metadata,
    rescheduleUid: old.uid,
    rescheduleId: old.bookingId,
    rescheduleStartTime: old.startTime,
    rescheduleEndTime: old.endTime,
    ...extra,
  });
}

/** A cancellation: no metadata (FACTS). */
export function cancelPayload(b: CalcomWebhookBooking, status = 'CANCELLED'): CalcomWebhookBooking {
  const { metadata: _m, ...rest } = b;
  return { ...rest, status, cancellationReason: 'Customer cancelled', cancelledBy: 'jane@example.com' };
}

/** Publishes one delivery as webhook-gateway would; a new delivery id unless one is given. */
export async function publishInbound(
  h: Pick<Harness, 'nats'>,
  tenantId: string,
  trigger: BookingTrigger,
  payload: CalcomWebhookBooking,
  deliveryId = sha256Hex(randomUUID()),
): Promise<void> {
  const now = new Date().toISOString();
  const env = encodeMessage(
    'calcomInbound',
    h.nats.topology,
    { version: 1, deliveryId, tenantId, trigger, createdAt: now, receivedAt: now, payload },
    { msgId: deliveryId, origin: 'calcom', traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` },
  );
  await publishEnvelope(h.nats.js, env);
}

/** Waits until the inbound consumer has acked everything published so far. */
export async function inboundDrained(h: Harness): Promise<void> {
  const def = h.nats.topology.consumers.inboundApplier;
  await waitFor(
    async () => {
      const info = await h.nats.jsm.consumers.info(def.stream, def.durable);
      return info.num_pending === 0 && info.num_ack_pending === 0;
    },
    { what: 'the inbound consumer to drain' },
  );
}

export async function rowsOf(h: Harness, tenantId: string): Promise<AppointmentRow[]> {
  return h.testDb.db.query<AppointmentRow>(
    'SELECT * FROM appointments WHERE tenant_id = ? ORDER BY created_at',
    [tenantId],
  );
}

export async function rowByUid(h: Harness, uid: string): Promise<AppointmentRow | undefined> {
  const [row] = await h.testDb.db.query<AppointmentRow>(
    'SELECT * FROM appointments WHERE calcom_booking_uid = ?',
    [uid],
  );
  return row;
}

export async function rowById(h: Harness, id: string): Promise<AppointmentRow> {
  const [row] = await h.testDb.db.query<AppointmentRow>('SELECT * FROM appointments WHERE id = ?', [id]);
  if (!row) throw new Error(`no appointment ${id}`);
  return row;
}

/** What calcom-sync records after a successful create: linked, synced at the current version. */
export async function markSynced(h: Harness, id: string, b: CalcomWebhookBooking, tx?: Tx): Promise<void> {
  await h.testDb.db.execute(
    `UPDATE appointments SET calcom_booking_uid = ?, calcom_booking_id = ?, synced_version = version,
       sync_status = 'synced', last_synced_start_at = start_at, last_synced_status = status WHERE id = ?`,
    [b.uid, b.bookingId, id],
    tx,
  );
}

/** Admin creates an appointment through the API. */
export async function adminCreate(h: Harness, t: TestTenant, start: Date): Promise<{ id: string }> {
  const res = await h.http('POST', `/v1/tenants/${t.id}/appointments`, {
    token: t.adminToken,
    body: {
      eventTypeId: t.eventTypeId,
      start: start.toISOString(),
      customer: { name: 'Max Mustermann', email: 'max@example.com', timeZone: 'Europe/Berlin' },
    },
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string };
}
