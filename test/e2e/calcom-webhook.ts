/**
 * A Cal.com BOOKING_CREATED delivery as Cal.com would send it (calcom/FACTS.md, "Webhooks"),
 * for tests that post one to the gateway themselves: the same bytes several times, or
 * signed with a secret of their choosing.
 */
import { randomBytes } from 'node:crypto';
import type { CalcomWebhookBooking } from '@calsync/contracts';

const noMillis = (d: Date) => d.toISOString().replace('.000Z', 'Z');
let bookingId = 9_000_000 + Math.floor(Math.random() * 1e6);

/** The raw body of a new booking's webhook at `start` (30 minutes), and its uid. */
export function bookingCreated(eventTypeId: number, start: Date): { raw: string; uid: string } {
  const uid = randomBytes(16).toString('base64url').slice(0, 22);
  const payload: CalcomWebhookBooking = {
    type: '30min',
    title: '30min between Praxis Muster and Jane Roe',
    startTime: noMillis(start),
    endTime: noMillis(new Date(start.getTime() + 30 * 60_000)),
    organizer: { id: 5, name: 'Praxis Muster', email: 'owner@example.com', timeZone: 'Europe/Berlin' },
    attendees: [
      { name: 'Jane Roe', email: 'jane@example.com', timeZone: 'Europe/Berlin', language: { locale: 'de' } },
    ],
    responses: { name: { label: 'your_name', value: 'Jane Roe' } },
    location: 'Praxis',
    eventTypeId,
    uid,
    bookingId: (bookingId += 1),
    length: 30,
    eventTitle: '30min',
    metadata: {},
    status: 'ACCEPTED',
  };
  const raw = JSON.stringify({
    triggerEvent: 'BOOKING_CREATED',
    createdAt: new Date().toISOString(),
    payload,
  });
  return { raw, uid };
}
