import { createCalcomSandbox, type CalcomSandbox } from '@calsync/calcom-sandbox';
import { api, attendee, KEY, OTHER_KEY } from './helpers';

let sb: CalcomSandbox;
// "now" is fixed so past/upcoming and the past-slot cut-off are deterministic.
let now = new Date('2050-09-05T08:10:00Z');

beforeAll(async () => {
  sb = await createCalcomSandbox({ port: 0, clock: { now: () => now } });
});
afterAll(() => sb.close());
beforeEach(() => {
  now = new Date('2050-09-01T00:00:00Z');
  sb.reset({ accounts: true });
  sb.addAccount({
    apiKey: KEY,
    eventTypes: [
      { id: 101, lengthInMinutes: 30 },
      { id: 102, lengthInMinutes: 60 },
    ],
    timeZone: 'Europe/Berlin',
  });
  sb.addAccount({
    apiKey: OTHER_KEY,
    eventTypes: [{ id: 201, lengthInMinutes: 30 }],
    timeZone: 'Europe/Berlin',
  });
});

const uids = (res: { body: { data: unknown } }) => (res.body.data as { uid: string }[]).map((b) => b.uid);

const book = async (key: string, eventTypeId: number, start: string, extra: Record<string, unknown> = {}) => {
  const res = await api(sb.url, key).post('/v2/bookings', { start, eventTypeId, attendee, ...extra });
  expect(res.status).toBe(201);
  return res.body.data as { uid: string; start: string };
};

describe('GET /v2/bookings', () => {
  it('filters by event type, start range, attendee and uid; never shows other accounts', async () => {
    const a = await book(KEY, 101, '2050-09-05T07:00:00Z', { metadata: { appointmentId: 'x' } });
    await book(KEY, 102, '2050-09-05T09:00:00Z');
    await book(KEY, 101, '2050-09-06T07:00:00Z', { attendee: { ...attendee, email: 'max@example.com' } });
    await book(OTHER_KEY, 201, '2050-09-05T07:00:00Z');

    const q = (s: string) => api(sb.url).get(`/v2/bookings?${s}`);
    expect((await q('')).body.data).toHaveLength(3);
    expect((await q('eventTypeId=101')).body.data).toHaveLength(2);
    const range = await q('eventTypeId=101&afterStart=2050-09-05T00:00:00Z&beforeEnd=2050-09-05T23:59:59Z');
    expect(uids(range)).toEqual([a.uid]);
    expect((await q('attendeeEmail=max@example.com')).body.data).toHaveLength(1);
    expect((await q(`bookingUid=${a.uid}`)).body.data[0].metadata).toEqual({ appointmentId: 'x' });
  });

  it('filters by status (comma list) and updatedAt, sorted by updatedAt', async () => {
    const a = await book(KEY, 101, '2050-09-05T07:00:00Z');
    const b = await book(KEY, 101, '2050-09-05T08:00:00Z');
    now = new Date('2050-09-02T00:00:00Z');
    await api(sb.url).post(`/v2/bookings/${a.uid}/cancel`, { cancellationReason: 'x' });
    const q = (s: string) => api(sb.url).get(`/v2/bookings?${s}`);
    expect(uids(await q('status=cancelled'))).toEqual([a.uid]);
    expect(uids(await q('status=upcoming'))).toEqual([b.uid]);
    expect((await q('status=upcoming,cancelled')).body.data).toHaveLength(2);
    expect((await q('status=bogus')).status).toBe(400);
    const since = await q('afterUpdatedAt=2050-09-01T12:00:00Z&sortUpdatedAt=asc');
    expect(uids(since)).toEqual([a.uid]);
    const desc = await q('sortUpdatedAt=desc');
    expect(desc.body.data[0].uid).toBe(a.uid);
    now = new Date('2050-09-06T00:00:00Z');
    expect(uids(await q('status=past'))).toEqual([b.uid]);
  });

  it('paginates with take/skip and rejects take over 250', async () => {
    for (let h = 7; h < 12; h++) await book(KEY, 101, `2050-09-05T${String(h).padStart(2, '0')}:00:00Z`);
    const page2 = await api(sb.url).get('/v2/bookings?take=2&skip=2');
    expect(page2.body.data).toHaveLength(2);
    expect(page2.body.pagination).toEqual({
      totalItems: 5,
      remainingItems: 1,
      returnedItems: 2,
      itemsPerPage: 2,
      currentPage: 2,
      totalPages: 3,
      hasNextPage: true,
      hasPreviousPage: true,
    });
    const last = await api(sb.url).get('/v2/bookings?take=2&skip=4');
    expect(last.body.pagination).toMatchObject({ returnedItems: 1, remainingItems: 0, hasNextPage: false });
    expect((await api(sb.url).get('/v2/bookings?take=251')).status).toBe(400);
    expect((await api(sb.url).get('/v2/bookings?take=250')).status).toBe(200);
  });
});

describe('GET /v2/slots', () => {
  const slots = (qs: string) => api(sb.url, KEY, '2024-09-04').get(`/v2/slots?${qs}`);

  it('lists working-hour slots keyed by date in the requested zone, minus busy bookings and the past', async () => {
    await book(KEY, 102, '2050-09-05T08:00:00Z'); // 10:00–11:00 Berlin, blocks two 30-min slots
    now = new Date('2050-09-05T07:10:00Z'); // 09:10 Berlin: 09:00 is past
    const res = await slots('eventTypeId=101&start=2050-09-05&end=2050-09-05&timeZone=Europe/Berlin');
    expect(res.status).toBe(200);
    const day = res.body.data['2050-09-05'] as { start: string }[];
    expect(day[0]).toEqual({ start: '2050-09-05T09:30:00.000+02:00' });
    const starts = day.map((s) => s.start);
    expect(starts).not.toContain('2050-09-05T10:00:00.000+02:00');
    expect(starts).not.toContain('2050-09-05T10:30:00.000+02:00');
    expect(starts).toContain('2050-09-05T11:00:00.000+02:00');
    expect(starts.at(-1)).toBe('2050-09-05T16:30:00.000+02:00');
    expect(day).toHaveLength(16 - 1 - 2);
  });

  it('keeps the booking itself free with bookingUidToReschedule and adds end with format=range', async () => {
    const b = await book(KEY, 101, '2050-09-05T07:00:00Z');
    const base = 'eventTypeId=101&start=2050-09-05T07:00:00Z&end=2050-09-05T07:30:00Z&timeZone=UTC';
    expect((await slots(base)).body.data).toEqual({});
    const res = await slots(`${base}&bookingUidToReschedule=${b.uid}&format=range`);
    expect(res.body.data).toEqual({
      '2050-09-05': [{ start: '2050-09-05T07:00:00.000+00:00', end: '2050-09-05T07:30:00.000+00:00' }],
    });
  });

  it('keeps 09:00 local across the Europe/Berlin DST change (Fri +02:00, Mon +01:00)', async () => {
    const res = await slots('eventTypeId=102&start=2050-10-28&end=2050-10-31&timeZone=Europe/Berlin');
    expect(Object.keys(res.body.data as object)).toEqual(['2050-10-28', '2050-10-31']);
    expect(res.body.data['2050-10-28'][0].start).toBe('2050-10-28T09:00:00.000+02:00');
    expect(res.body.data['2050-10-31'][0].start).toBe('2050-10-31T09:00:00.000+01:00');
    const utc = await slots('eventTypeId=102&start=2050-10-28&end=2050-10-31&timeZone=UTC');
    expect(utc.body.data['2050-10-28'][0].start).toBe('2050-10-28T07:00:00.000+00:00');
    expect(utc.body.data['2050-10-31'][0].start).toBe('2050-10-31T08:00:00.000+00:00');
  });

  it('on the DST day itself, a night availability yields the repeated 02:00 hour once per offset', async () => {
    sb.addAccount({
      apiKey: KEY,
      eventTypes: [{ id: 102, lengthInMinutes: 60 }],
      timeZone: 'Europe/Berlin',
      availability: { sun: [{ start: '00:00', end: '06:00' }] },
    });
    const res = await slots('eventTypeId=102&start=2050-10-30&end=2050-10-30&timeZone=Europe/Berlin');
    expect((res.body.data['2050-10-30'] as { start: string }[]).map((s) => s.start)).toEqual([
      '2050-10-30T00:00:00.000+02:00',
      '2050-10-30T01:00:00.000+02:00',
      '2050-10-30T02:00:00.000+02:00',
      '2050-10-30T02:00:00.000+01:00',
      '2050-10-30T03:00:00.000+01:00',
      '2050-10-30T04:00:00.000+01:00',
      '2050-10-30T05:00:00.000+01:00',
    ]);
  });

  it('needs cal-api-version 2024-09-04', async () => {
    const res = await api(sb.url, KEY, '2024-08-13').get(
      '/v2/slots?eventTypeId=101&start=2050-09-05&end=2050-09-05',
    );
    expect(res.status).toBe(400);
  });
});
