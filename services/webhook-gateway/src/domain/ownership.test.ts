import { checkEventTypeOwnership } from './ownership';
import { decideDelivery, deliveryIdOf } from './dedup';

describe('checkEventTypeOwnership', () => {
  it("accepts only the tenant's own event types", () => {
    expect(checkEventTypeOwnership([123, 456], 456)).toBe('owned');
    expect(checkEventTypeOwnership([123, 456], 789)).toBe('foreign');
    expect(checkEventTypeOwnership([], 123)).toBe('foreign');
  });

  it('refuses a booking payload without an event type', () => {
    expect(checkEventTypeOwnership([123], null)).toBe('missing');
    expect(checkEventTypeOwnership([123], undefined)).toBe('missing');
  });
});

describe('de-duplication decision', () => {
  it('identifies a delivery by the sha256 of its exact bytes', () => {
    expect(deliveryIdOf(Buffer.from('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(deliveryIdOf(Buffer.from('abc '))).not.toBe(deliveryIdOf(Buffer.from('abc')));
  });

  it('publishes unless a previous delivery was acknowledged by JetStream', () => {
    expect(decideDelivery(null)).toBe('publish');
    expect(decideDelivery({ publishedAt: null })).toBe('publish');
    expect(decideDelivery({ publishedAt: new Date() })).toBe('duplicate');
  });
});
