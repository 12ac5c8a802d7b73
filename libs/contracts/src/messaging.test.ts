import { randomUUID } from 'node:crypto';
import { decodeAppointmentEvent, encodeAppointmentEvent } from './messaging';
import { createTopology } from './topology';
import type { AppointmentEventV1 } from './events';

const topology = createTopology();
const id = randomUUID();
const event: AppointmentEventV1 = {
  version: 1,
  eventId: 'evt-1',
  event: 'booked',
  tenantId: 'acme',
  appointmentId: id,
  origin: 'admin',
  occurredAt: '2030-01-01T10:00:00.000Z',
  appointment: {
    id,
    tenantId: 'acme',
    eventTypeId: 1,
    start: '2030-01-02T10:00:00.000Z',
    end: '2030-01-02T10:30:00.000Z',
    status: 'booked',
    customer: { name: 'Jane', email: 'jane@example.com', timeZone: 'Europe/Berlin' },
  },
};

describe('appointment event encoding', () => {
  it('sets every SPEC header and round-trips the payload', () => {
    const env = encodeAppointmentEvent(topology, event, {
      msgId: 'evt-1',
      origin: 'admin',
      traceparent: '00-' + 'a'.repeat(32) + '-' + 'b'.repeat(16) + '-01',
    });
    expect(env.subject).toBe(`appointments.acme.${id}.booked`);
    expect(env.headers.get('Nats-Msg-Id')).toBe('evt-1');
    expect(env.headers.get('Sync-Origin')).toBe('admin');
    expect(env.headers.get('Tenant-Id')).toBe('acme');
    expect(env.headers.get('Event-Type')).toBe('appointment.booked');
    expect(env.headers.get('Event-Version')).toBe('1');
    const decoded = decodeAppointmentEvent({ data: env.data, headers: env.headers });
    expect(decoded.ok && decoded.value).toEqual(event);
  });

  it('refuses to encode an invalid payload', () => {
    expect(() =>
      encodeAppointmentEvent(topology, { ...event, tenantId: 'Bad Tenant' }, { msgId: 'x', origin: 'admin' }),
    ).toThrow();
  });

  it('rejects a message whose Tenant-Id header disagrees with its payload', () => {
    const env = encodeAppointmentEvent(topology, event, { msgId: 'evt-1', origin: 'admin' });
    env.headers.set('Tenant-Id', 'other');
    const decoded = decodeAppointmentEvent({ data: env.data, headers: env.headers });
    expect(decoded.ok).toBe(false);
  });
});
