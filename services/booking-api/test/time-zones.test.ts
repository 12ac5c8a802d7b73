import { customer, createTenant, future, startBookingApi, OPERATOR_TOKEN, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startBookingApi();
});
afterAll(() => h.close());

describe('time zones are stored and forwarded under their canonical IANA name', () => {
  it('a tenant zone spelled EUROPE/BERLIN is stored as Europe/Berlin', async () => {
    const res = await h.http('PUT', '/v1/tenants/zone-shouting', {
      token: OPERATOR_TOKEN,
      body: {
        name: 'Shouting',
        timeZone: 'EUROPE/BERLIN',
        adminToken: 'zone-shouting-admin-token-0123456789',
        calcom: {
          apiKey: 'cal_live_zoneshouting',
          eventTypes: [{ id: 777001, title: 'X', lengthInMinutes: 30 }],
        },
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.timeZone).toBe('Europe/Berlin');
    const [row] = await h.testDb.db.query<{ time_zone: string }>(
      'SELECT time_zone FROM tenants WHERE id = ?',
      ['zone-shouting'],
    );
    expect(row!.time_zone).toBe('Europe/Berlin');
  });

  it("a customer's america/new_york is stored (and so sent to Cal.com) as America/New_York", async () => {
    const t = await createTenant(h);
    const res = await h.http('POST', `/v1/tenants/${t.id}/appointments`, {
      token: t.adminToken,
      body: {
        eventTypeId: t.eventTypeId,
        start: future(4, 10),
        customer: { ...customer, timeZone: 'america/new_york' },
      },
    });
    expect(res.status).toBe(201);
    const [row] = await h.testDb.db.query<{ customer_time_zone: string }>(
      'SELECT customer_time_zone FROM appointments WHERE id = ?',
      [res.body.id],
    );
    expect(row!.customer_time_zone).toBe('America/New_York');
  });
});
