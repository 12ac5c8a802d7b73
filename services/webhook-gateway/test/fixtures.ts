/** Cal.com-shaped webhook bodies (shared/calcom/FACTS.md), one per trigger. */
export const CUSTOMER_EMAIL = 'jane.roe@example.com';

let counter = 0;
export const uniqueUid = () => `bFJeNb2uX8ANpT3JL5E${(counter++).toString(36)}${Date.now().toString(36)}`;

export function bookingPayload(eventTypeId: number | null, overrides: Record<string, unknown> = {}) {
  return {
    type: '30min',
    title: '30min between Praxis Muster and Jane Roe',
    startTime: '2026-05-25T09:30:00Z',
    endTime: '2026-05-25T10:00:00Z',
    organizer: {
      id: 5,
      name: 'Praxis Muster',
      email: 'owner@example.com',
      timeZone: 'Europe/Berlin',
      language: { locale: 'de' },
    },
    attendees: [
      { name: 'Jane Roe', email: CUSTOMER_EMAIL, timeZone: 'Europe/Berlin', language: { locale: 'de' } },
    ],
    responses: {
      name: { label: 'your_name', value: 'Jane Roe' },
      email: { label: 'email_address', value: CUSTOMER_EMAIL },
    },
    location: 'Praxis',
    eventTypeId,
    uid: uniqueUid(),
    bookingId: 91,
    length: 30,
    eventTitle: '30min',
    metadata: {},
    status: 'ACCEPTED',
    ...overrides,
  };
}

export const TRIGGER_OVERRIDES: Record<string, Record<string, unknown>> = {
  BOOKING_CREATED: { metadata: { appointmentId: '4b0c5f1e-3f7a-4a63-9b1e-0d6f1c2a9e11' } },
  BOOKING_REQUESTED: { status: 'PENDING' },
  BOOKING_RESCHEDULED: {
    rescheduleUid: 'oldUidXyz123',
    rescheduleId: 90,
    rescheduleStartTime: '2026-05-25T08:00:00Z',
    rescheduleEndTime: '2026-05-25T08:30:00Z',
  },
  BOOKING_CANCELLED: {
    status: 'CANCELLED',
    cancellationReason: 'Customer called',
    cancelledBy: CUSTOMER_EMAIL,
    metadata: undefined,
  },
  BOOKING_REJECTED: { status: 'REJECTED' },
};

export function webhookBody(
  trigger: string,
  payload: unknown,
  createdAt: string = new Date().toISOString(),
): string {
  return JSON.stringify({ triggerEvent: trigger, createdAt, payload });
}
