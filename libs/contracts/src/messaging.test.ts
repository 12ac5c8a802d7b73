import { randomUUID } from 'node:crypto';
import { decodeMessage, encodeMessage, MESSAGES, type HeaderReader } from './messaging';
import { createTopology } from './topology';
import type { AppointmentEventV1 } from './events';

const topology = createTopology();
/** Headers as a consumer sees them (nats.js's MsgHdrs has the same has/get). */
const reader = (h: Record<string, string>): HeaderReader => ({
  has: (k) => k in h,
  get: (k) => h[k] ?? '',
});
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
    const env = encodeMessage('appointment', topology, event, {
      msgId: 'evt-1',
      origin: 'admin',
      traceparent: '00-' + 'a'.repeat(32) + '-' + 'b'.repeat(16) + '-01',
    });
    expect(env.subject).toBe(`appointments.acme.${id}.booked`);
    expect(env.headers['Nats-Msg-Id']).toBe('evt-1');
    expect(env.headers['Sync-Origin']).toBe('admin');
    expect(env.headers['Tenant-Id']).toBe('acme');
    expect(env.headers['Event-Type']).toBe('appointment.booked');
    expect(env.headers['Event-Version']).toBe('1');
    const decoded = decodeMessage('appointment', { data: env.data, headers: reader(env.headers) });
    expect(decoded.ok && decoded.value).toEqual(event);
  });

  it('refuses to encode an invalid payload', () => {
    expect(() =>
      encodeMessage(
        'appointment',
        topology,
        { ...event, tenantId: 'Bad Tenant' },
        { msgId: 'x', origin: 'admin' },
      ),
    ).toThrow();
  });

  it('rejects a message whose Tenant-Id header disagrees with its payload', () => {
    const env = encodeMessage('appointment', topology, event, { msgId: 'evt-1', origin: 'admin' });
    env.headers['Tenant-Id'] = 'other';
    const decoded = decodeMessage('appointment', { data: env.data, headers: reader(env.headers) });
    expect(decoded.ok).toBe(false);
  });
});

describe('the message map', () => {
  it('gives every kind of message its own subject and Event-Type, and a payload of one kind never decodes as another', () => {
    const env = encodeMessage('appointment', topology, event, { msgId: 'evt-1', origin: 'admin' });
    expect(Object.keys(MESSAGES).sort()).toEqual(['appointment', 'calcomInbound', 'syncResult']);
    const asResult = decodeMessage('syncResult', { data: env.data, headers: reader(env.headers) });
    expect(asResult.ok).toBe(false);
    const asInbound = decodeMessage('calcomInbound', { data: env.data, headers: reader(env.headers) });
    expect(asInbound.ok).toBe(false);
  });

  it('reads an unknown Sync-Origin as none rather than trusting it', () => {
    const env = encodeMessage('appointment', topology, event, { msgId: 'evt-1', origin: 'admin' });
    env.headers['Sync-Origin'] = 'mallory';
    const decoded = decodeMessage('appointment', { data: env.data, headers: reader(env.headers) });
    expect(decoded.meta.origin).toBeUndefined();
  });
});
