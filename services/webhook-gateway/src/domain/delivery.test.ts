import { parseDelivery } from './delivery';

const buf = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
const createdAt = '2026-05-24T09:30:00.538Z';

describe('parseDelivery', () => {
  it('reads a Cal.com booking webhook and keeps unknown payload fields', () => {
    const d = parseDelivery(
      buf({
        triggerEvent: 'BOOKING_CREATED',
        createdAt,
        payload: { uid: 'abc', eventTypeId: 123, startTime: '2026-05-25T09:30:00Z', location: 'Praxis' },
      }),
    );
    expect(d).toEqual({
      kind: 'booking',
      trigger: 'BOOKING_CREATED',
      createdAt,
      payload: { uid: 'abc', eventTypeId: 123, startTime: '2026-05-25T09:30:00Z', location: 'Praxis' },
    });
  });

  it('recognises PING and unknown triggers without looking at their payload', () => {
    expect(parseDelivery(buf({ triggerEvent: 'PING', createdAt, payload: 'x' }))?.kind).toBe('ping');
    expect(parseDelivery(buf({ triggerEvent: 'MEETING_ENDED', createdAt, payload: 1 }))).toEqual({
      kind: 'unknown',
      trigger: 'MEETING_ENDED',
      createdAt,
    });
  });

  it.each([
    ['not JSON', '{"triggerEvent":'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
    ['an array', '[1,2]'],
    ['null', 'null'],
    ['a string', '"BOOKING_CREATED"'],
    ['no payload', JSON.stringify({ triggerEvent: 'BOOKING_CREATED', createdAt })],
    ['no createdAt', JSON.stringify({ triggerEvent: 'BOOKING_CREATED', payload: {} })],
    ['a numeric trigger', JSON.stringify({ triggerEvent: 5, createdAt, payload: {} })],
    [
      'a booking payload that is not an object',
      JSON.stringify({ triggerEvent: 'BOOKING_CREATED', createdAt, payload: [] }),
    ],
    [
      'a booking uid that is a number',
      JSON.stringify({ triggerEvent: 'BOOKING_CANCELLED', createdAt, payload: { uid: 5 } }),
    ],
    [
      'a fractional eventTypeId',
      JSON.stringify({ triggerEvent: 'BOOKING_CREATED', createdAt, payload: { eventTypeId: 1.5 } }),
    ],
  ])('refuses %s', (_what, body) => {
    expect(parseDelivery(Buffer.isBuffer(body) ? body : buf(body))).toBeNull();
  });
});
