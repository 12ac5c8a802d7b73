import type { Registry } from 'prom-client';
import { createMetrics } from '@calsync/platform';
import { createBookingApiMetrics } from './metrics';

const valueOf = async (registry: Registry, name: string) =>
  new RegExp(`^${name}(?:\\{[^}]*\\})? (-?\\d+)$`, 'm').exec(await registry.metrics())?.[1];

test('a scraped gauge reads its source at each scrape, and says 0 until it has one', async () => {
  const m = createBookingApiMetrics(createMetrics('booking-api-test'));
  expect(await valueOf(m.registry, 'outbox_pending')).toBe('0');
  let pending = 3;
  m.outboxPending.readFrom(() => Promise.resolve(pending));
  expect(await valueOf(m.registry, 'outbox_pending')).toBe('3');
  pending = 7;
  expect(await valueOf(m.registry, 'outbox_pending')).toBe('7');
});

test("booking-api's own series and the Cal.com access series share the one registry", async () => {
  const m = createBookingApiMetrics(createMetrics('booking-api-test'));
  const names = (await m.registry.getMetricsAsJSON()).map((x) => x.name);
  expect(names).toEqual(
    expect.arrayContaining([
      'http_request_duration_seconds',
      'calcom_circuit_state',
      'sync_echo_suppressed_total',
      'inbound_changes_total',
      'inbound_parked_total',
      'outbox_parked_total',
      'outbox_publish_failures_total',
      'outbox_pending',
      'live_event_connections',
    ]),
  );
});
