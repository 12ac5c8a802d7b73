/** The onboarding calls against the running Cal.com sandbox: versions, shapes and errors agree. */
import { createCalcomSandbox, type CalcomSandbox } from '@calsync/calcom-sandbox';
import { createCalcomClient, CalcomApiError } from '@calsync/calcom-client';

const KEY = 'cal_test_onboard_0123456789';
const OTHER = 'cal_test_onboard_other_01234';
let sb: CalcomSandbox;

beforeAll(async () => {
  sb = await createCalcomSandbox({ port: 0 });
  sb.addAccount({ apiKey: KEY, eventTypes: [{ id: 501, title: 'Beratung', lengthInMinutes: 45 }] });
  sb.addAccount({ apiKey: OTHER, eventTypes: [] });
});
afterAll(() => sb.close());

const clientFor = (apiKey: string) => createCalcomClient({ baseUrl: sb.url, apiKey, timeoutMs: 2_000 });
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

it('reads event types and the key owner', async () => {
  const cal = clientFor(KEY);
  expect(await cal.listEventTypes()).toEqual([
    expect.objectContaining({ id: 501, title: 'Beratung', lengthInMinutes: 45 }),
  ]);
  expect((await cal.me()).email).toEqual(expect.any(String));
  expect(await clientFor(OTHER).listEventTypes()).toEqual([]);
});

it('creates, lists, patches and deletes a subscription; 409, 403 and a second delete are classified', async () => {
  const cal = clientFor(KEY);
  const spec = { subscriberUrl: 'http://127.0.0.1:9/hook', active: true, triggers: ['BOOKING_CREATED'] };
  const hook = await cal.createWebhook({ ...spec, secret: 's1' });
  expect(hook).toMatchObject({ ...spec, secret: 's1', payloadTemplate: null });
  expect(await cal.listWebhooks()).toHaveLength(1);
  expect(await rejection(cal.createWebhook(spec))).toMatchObject({ kind: 'conflict', status: 409 });
  expect((await cal.updateWebhook(hook.id, { secret: 's2' })).secret).toBe('s2');
  const foreign = await rejection(clientFor(OTHER).deleteWebhook(hook.id));
  expect(foreign).toBeInstanceOf(CalcomApiError);
  expect(foreign).toMatchObject({ status: 403, kind: 'unauthorized' });
  expect(await cal.deleteWebhook(hook.id)).toBe(true);
  expect(await cal.deleteWebhook(hook.id)).toBe(false);
});
