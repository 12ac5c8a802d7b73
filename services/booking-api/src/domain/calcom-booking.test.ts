import type { CalcomWebhookBooking } from '@calsync/contracts';
import {
  calcomStateOf,
  customerOf,
  kindOf,
  ourAppointmentId,
  timesOf,
  versionFromWebhook,
} from './calcom-booking';

const base: CalcomWebhookBooking = {
  uid: 'bFJeNb2uX8ANpT3JL5EfXw',
  bookingId: 91,
  eventTypeId: 123,
  startTime: '2026-05-25T09:30:00Z',
  endTime: '2026-05-25T10:00:00Z',
  status: 'ACCEPTED',
  attendees: [{ name: 'Jane Roe', email: 'jane@example.com', timeZone: 'Europe/Berlin' }],
};

describe('what a Cal.com webhook means locally', () => {
  it('a created or requested booking with a rescheduleUid is a reschedule', () => {
    expect(kindOf('BOOKING_CREATED', base)).toBe('create');
    expect(kindOf('BOOKING_REQUESTED', base)).toBe('create');
    expect(kindOf('BOOKING_REQUESTED', { ...base, rescheduleUid: 'old' })).toBe('reschedule');
    expect(kindOf('BOOKING_RESCHEDULED', { ...base, rescheduleUid: 'old' })).toBe('reschedule');
    expect(kindOf('BOOKING_CANCELLED', base)).toBe('cancel');
    expect(kindOf('BOOKING_REJECTED', base)).toBe('cancel');
  });

  it('our appointment id is read from metadata only when it is a uuid', () => {
    const id = '6f1c1a4e-8d2b-4c6a-9f3e-2b7d9c0e1a55';
    expect(ourAppointmentId({ ...base, metadata: { appointmentId: id.toUpperCase() } })).toBe(id);
    expect(ourAppointmentId({ ...base, metadata: { appointmentId: 42 } })).toBeNull();
    expect(ourAppointmentId({ ...base, metadata: { appointmentId: "x' OR 1=1" } })).toBeNull();
    expect(ourAppointmentId(base)).toBeNull();
  });

  it('the end falls back to length, then to the event type length', () => {
    expect(timesOf(base, 45)?.end.toISOString()).toBe('2026-05-25T10:00:00.000Z');
    expect(timesOf({ ...base, endTime: undefined, length: 20 }, 45)?.end.toISOString()).toBe(
      '2026-05-25T09:50:00.000Z',
    );
    expect(timesOf({ ...base, endTime: undefined }, 45)?.end.toISOString()).toBe('2026-05-25T10:15:00.000Z');
    expect(timesOf({ ...base, startTime: 'not a date' }, 45)).toBeNull();
  });

  it('the customer is attendees[0], cleaned; the tenant zone fills in a bad zone', () => {
    expect(customerOf(base, 'UTC')).toEqual({
      name: 'Jane Roe',
      email: 'jane@example.com',
      phone: null,
      timeZone: 'Europe/Berlin',
    });
    expect(
      customerOf(
        {
          ...base,
          attendees: [{ name: ' ', email: 'nope', phoneNumber: '+4915112345678', timeZone: 'Mars/Base' }],
        },
        'Europe/Vienna',
      ),
    ).toEqual({ name: 'Cal.com booking', email: null, phone: '+4915112345678', timeZone: 'Europe/Vienna' });
    expect(customerOf({ ...base, attendees: [] }, 'UTC').name).toBe('Cal.com booking');
  });

  it('a stored webhook version and a live API booking both read as a Cal.com state', () => {
    const stored = versionFromWebhook(
      'BOOKING_RESCHEDULED',
      '2026-05-24T09:30:00.000Z',
      base,
      timesOf(base, 30),
    );
    expect(stored).toMatchObject({
      uid: base.uid,
      id: 91,
      status: 'accepted',
      start: '2026-05-25T09:30:00.000Z',
    });
    expect(calcomStateOf(JSON.parse(JSON.stringify(stored)))).toEqual({
      uid: base.uid,
      id: 91,
      start: new Date('2026-05-25T09:30:00Z'),
      end: new Date('2026-05-25T10:00:00Z'),
      status: 'booked',
    });
    expect(
      calcomStateOf({
        uid: 'u',
        id: 5,
        status: 'cancelled',
        start: '2026-05-25T09:30:00.000Z',
        end: '2026-05-25T10:00:00.000Z',
      })?.status,
    ).toBe('cancelled');
    expect(calcomStateOf({ uid: 'u' })).toBeNull();
    expect(calcomStateOf(null)).toBeNull();
  });
});
