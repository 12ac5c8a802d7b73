import { join } from 'node:path';
/** The sandbox's body validation agrees with Cal.com's published OpenAPI document. */
import { readFileSync } from 'node:fs';
import { createCalcomSandbox, type CalcomSandbox } from '@calsync/calcom-sandbox';
import { api, attendee, KEY } from './helpers';

interface Schema {
  properties: Record<string, unknown>;
  required?: string[];
}
const doc = JSON.parse(
  // A copy of Cal.com's published document (shared/calcom/openapi-v2.json, 2025-10-01) kept with the sandbox it checks.
  readFileSync(process.env.CALCOM_OPENAPI_PATH ?? join(__dirname, '../openapi/openapi-v2.json'), 'utf8'),
) as {
  components: { schemas: Record<string, Schema> };
};
const schema = (name: string) => doc.components.schemas[name]!;

/** A valid value for each top-level property of CreateBookingInput_2024_08_13. */
const SAMPLES: Record<string, unknown> = {
  start: '2050-09-05T07:00:00Z',
  attendee,
  bookingFieldsResponses: { customField: 'customValue' },
  eventTypeId: 101,
  eventTypeSlug: '30min-101',
  username: 'host1',
  teamSlug: 'team',
  organizationSlug: 'org',
  guests: ['guest1@example.com'],
  meetingUrl: 'https://example.com/meeting',
  location: { type: 'address' },
  metadata: { key: 'value' },
  lengthInMinutes: 30,
  routing: { responseId: 123, teamMemberIds: [101, 102] },
  emailVerificationCode: '123456',
};

let sb: CalcomSandbox;
beforeAll(async () => {
  sb = await createCalcomSandbox({ port: 0 });
});
afterAll(() => sb.close());
beforeEach(() => {
  sb.reset({ accounts: true });
  sb.addAccount({ apiKey: KEY, eventTypes: [{ id: 101, lengthInMinutes: 30 }] });
});

describe('CreateBookingInput_2024_08_13', () => {
  const props = Object.keys(schema('CreateBookingInput_2024_08_13').properties);

  it('has a sample for every property the schema lists', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...props].sort());
  });

  it('accepts every top-level property the schema lists, all at once', async () => {
    const res = await api(sb.url).post('/v2/bookings', SAMPLES);
    expect(res.body.error?.message).toBeUndefined();
    expect(res.status).toBe(201);
  });

  it.each(props.filter((p) => !['start', 'attendee', 'eventTypeId'].includes(p)))(
    'accepts the optional property %s on its own',
    async (prop) => {
      const res = await api(sb.url).post('/v2/bookings', {
        start: SAMPLES.start,
        attendee,
        eventTypeId: 101,
        [prop]: SAMPLES[prop],
      });
      expect(res.status).toBe(201);
    },
  );

  it('requires what the schema requires', async () => {
    for (const req of schema('CreateBookingInput_2024_08_13').required ?? []) {
      const body: Record<string, unknown> = { start: SAMPLES.start, attendee, eventTypeId: 101 };
      delete body[req];
      expect((await api(sb.url).post('/v2/bookings', body)).status).toBe(400);
    }
  });

  it('rejects a property the schema does not list', async () => {
    expect(props).not.toContain('endTime');
    const res = await api(sb.url).post('/v2/bookings', {
      start: SAMPLES.start,
      attendee,
      eventTypeId: 101,
      endTime: 'x',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('property endTime should not exist');
  });

  it('accepts exactly the attendee properties of CreateBookingAttendee', async () => {
    const attendeeProps = Object.keys(schema('CreateBookingAttendee').properties);
    const full = {
      name: 'A',
      email: 'a@example.com',
      timeZone: 'UTC',
      phoneNumber: '+4915112345678',
      language: 'de',
    };
    expect(Object.keys(full).sort()).toEqual([...attendeeProps].sort());
    expect(
      (await api(sb.url).post('/v2/bookings', { start: SAMPLES.start, eventTypeId: 101, attendee: full }))
        .status,
    ).toBe(201);
    const extra = await api(sb.url).post('/v2/bookings', {
      start: '2050-09-05T08:00:00Z',
      eventTypeId: 101,
      attendee: { ...full, absent: false },
    });
    expect(extra.status).toBe(400);
  });
});

describe('Cancel and Reschedule inputs', () => {
  it.each([
    ['CancelBookingInput_2024_08_13', 'cancel', { cancellationReason: 'x', cancelSubsequentBookings: false }],
    [
      'RescheduleBookingInput_2024_08_13',
      'reschedule',
      {
        start: '2050-09-05T09:00:00Z',
        rescheduledBy: 'a@example.com',
        reschedulingReason: 'r',
        emailVerificationCode: '1',
      },
    ],
  ])('%s: every listed property is accepted, an unlisted one is refused', async (name, action, body) => {
    expect(Object.keys(body).sort()).toEqual(Object.keys(schema(name).properties).sort());
    const mk = async () =>
      (await api(sb.url).post('/v2/bookings', { start: SAMPLES.start, eventTypeId: 101, attendee })).body.data
        .uid as string;
    const uid = await mk();
    expect((await api(sb.url).post(`/v2/bookings/${uid}/${action}`, { ...body, bogus: 1 })).status).toBe(400);
    const ok = await api(sb.url).post(`/v2/bookings/${uid}/${action}`, body);
    expect(ok.status).toBe(action === 'cancel' ? 200 : 201);
  });
});

describe('CreateWebhookInputDto and UserWebhookOutputDto (with FACTS errata)', () => {
  const input = schema('CreateWebhookInputDto');
  const SAMPLE: Record<string, unknown> = {
    payloadTemplate: '{"type":"{{type}}"}',
    active: true,
    subscriberUrl: 'https://hooks.example/calcom',
    // The document says `string`; Cal.com's code (and FACTS) takes an array of the enum's names.
    triggers: ['BOOKING_CREATED'],
    secret: 's',
  };

  it('accepts every property the schema lists, all at once, and needs the required ones', async () => {
    expect(Object.keys(SAMPLE).sort()).toEqual(Object.keys(input.properties).sort());
    const created = await api(sb.url, KEY, '').post('/v2/webhooks', SAMPLE);
    expect(created.status).toBe(201);
    for (const name of input.required ?? []) {
      // A URL of its own each time, so a 400 is the missing property's and never the 409 of a repeated URL.
      const body: Record<string, unknown> = { ...SAMPLE, subscriberUrl: `https://hooks.example/${name}` };
      delete body[name];
      expect((await api(sb.url, KEY, '').post('/v2/webhooks', body)).status).toBe(400);
    }
  });

  it('answers every property of the output schema (id a uuid string, not a number)', async () => {
    const created = await api(sb.url, KEY, '').post('/v2/webhooks', SAMPLE);
    expect(Object.keys(created.body.data).sort()).toEqual(
      Object.keys(schema('UserWebhookOutputDto').properties).sort(),
    );
    expect(typeof created.body.data.id).toBe('string');
  });
});
