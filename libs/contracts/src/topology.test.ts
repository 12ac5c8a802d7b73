import { createTopology } from './topology';

describe('topology', () => {
  it('spells the SPEC subjects and stream names without a namespace', () => {
    const t = createTopology();
    expect(t.streams.appointments.name).toBe('APPOINTMENTS');
    expect(t.subjects.appointment('acme', 'a1', 'booked')).toBe('appointments.acme.a1.booked');
    expect(t.subjects.calcomInbound('acme', 'BOOKING_CREATED')).toBe('calcom.inbound.acme.BOOKING_CREATED');
    expect(t.subjects.syncResult('acme', 'a1', 'review')).toBe('sync.acme.a1.review');
    expect(t.subjects.appointmentsOfTenant('acme')).toBe('appointments.acme.>');
    expect(t.subjects.syncResultsOfTenant('acme')).toBe('sync.acme.>');
  });

  it('prefixes every stream and subject with the namespace so test runs never collide', () => {
    const t = createTopology('run-1');
    expect(t.streams.syncResults.name).toBe('RUN_1_SYNC_RESULTS');
    expect(t.streams.appointments.subjects).toEqual(['run-1.appointments.>']);
    expect(t.consumers.calcomSync.filterSubject).toBe('run-1.appointments.>');
  });

  it('rejects a namespace that would break subjects', () => {
    expect(() => createTopology('a.b')).toThrow();
  });
});
