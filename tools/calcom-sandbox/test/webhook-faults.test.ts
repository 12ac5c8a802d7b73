/**
 * Webhook faults for chaos tests: lost, duplicated, late (after the API answer)
 * and replayed deliveries. Without a rule every webhook goes out once, before
 * the API call answers.
 */
import { createCalcomSandbox, type CalcomSandbox } from '@calsync/calcom-sandbox';
import { waitFor } from '@calsync/testkit';
import {
  api,
  attendee,
  KEY,
  MONDAY_0900_BERLIN,
  OTHER_KEY,
  startWebhookReceiver,
  type WebhookReceiver,
} from './helpers';

describe('webhook faults', () => {
  let sb: CalcomSandbox;
  let hook: WebhookReceiver;
  beforeAll(async () => {
    sb = await createCalcomSandbox({ port: 0 });
    hook = await startWebhookReceiver();
  });
  afterAll(async () => {
    await sb.close();
    await hook.close();
  });
  beforeEach(() => {
    sb.reset({ accounts: true });
    hook.received.length = 0;
    for (const apiKey of [KEY, OTHER_KEY])
      sb.addAccount({
        apiKey,
        eventTypes: [{ id: apiKey === KEY ? 101 : 201, lengthInMinutes: 30 }],
        webhook: { url: hook.url, secret: 's' },
      });
  });
  const book = (key = KEY) =>
    api(sb.url, key).post('/v2/bookings', {
      start: MONDAY_0900_BERLIN,
      eventTypeId: key === KEY ? 101 : 201,
      attendee,
    });

  it('delivers each webhook once before the answer when no rule is set', async () => {
    expect((await book()).status).toBe(201);
    expect(hook.received).toHaveLength(1);
  });

  it('drop: the change happens, no delivery, the log says fault:drop; other accounts are unaffected', async () => {
    sb.injectFault({ route: 'webhook', mode: 'drop', times: 1, apiKey: KEY });
    expect((await book()).status).toBe(201);
    expect(hook.received).toHaveLength(0);
    expect(sb.calls({ kind: 'webhook' })).toMatchObject([{ status: 0, note: 'fault:drop' }]);
    expect((await book(OTHER_KEY)).status).toBe(201);
    expect(hook.received).toHaveLength(1);
  });

  it('duplicate: the same bytes twice before the answer', async () => {
    sb.injectFault({ route: 'webhook', mode: 'duplicate', times: 1 });
    await book();
    expect(hook.received).toHaveLength(2);
    expect(hook.received[1]?.raw).toBe(hook.received[0]?.raw);
    expect(hook.received[1]?.headers['x-cal-signature-256']).toBe(
      hook.received[0]?.headers['x-cal-signature-256'],
    );
  });

  it('delay: delivered after the API call answered', async () => {
    sb.injectFault({ route: 'webhook', mode: 'delay', latencyMs: 300, times: 1 });
    const res = await book();
    expect(res.status).toBe(201);
    expect(hook.received).toHaveLength(0);
    // The sandbox records a delivery once the receiver has answered.
    await waitFor(() => sb.calls({ kind: 'webhook' }).length === 1, { what: 'late webhook' });
    expect(hook.received).toHaveLength(1);
    expect(sb.calls({ kind: 'webhook' })).toMatchObject([{ status: 200, note: 'fault:delay' }]);
  });

  it('replay: delivered now and the same bytes again later', async () => {
    sb.injectFault({ route: 'webhook', mode: 'replay', latencyMs: 200, times: 1 });
    await book();
    expect(hook.received).toHaveLength(1);
    await waitFor(() => hook.received.length === 2, { what: 'replayed webhook' });
    expect(hook.received[1]?.raw).toBe(hook.received[0]?.raw);
  });

  it('the control API accepts webhook rules and API rules never hit webhooks', async () => {
    const res = await fetch(`${sb.url}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: 'webhook', mode: 'drop', times: 1 }),
    });
    expect(res.status).toBe(201);
    sb.injectFault({ route: '*', mode: 'latency', latencyMs: 1, times: 5 });
    await book();
    expect(hook.received).toHaveLength(0);
    expect(sb.faults()).toEqual([{ route: '*', mode: 'latency', latencyMs: 1, times: 5 }]);
  });

  it('reset cancels deliveries scheduled for later', async () => {
    sb.injectFault({ route: 'webhook', mode: 'delay', latencyMs: 200, times: 1 });
    await book();
    sb.reset();
    await new Promise((r) => setTimeout(r, 400));
    expect(hook.received).toHaveLength(0);
  });
});
