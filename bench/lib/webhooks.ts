/**
 * Cal.com-shaped, signed BOOKING_CREATED deliveries (calcom/FACTS.md), each one
 * unique (its own uid, hence its own body hash), so the gateway's de-duplication
 * never short-circuits a request. The same stream of requests is sent to the
 * gateway and to the bare Express baseline.
 */
import { HTTP_HEADERS } from '@calsync/contracts';
import { hmacSha256Hex } from '@calsync/platform';
import type { HttpClient } from './http';
import type { Send } from './http';
import { slot } from './tenants';

export interface WebhookTenant {
  id: string;
  webhookSecret: string;
  eventTypeIds: number[];
}

/** Cal.com's webhook times carry no milliseconds. */
const calcomTime = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

export function webhookBody(
  eventTypeId: number,
  uid: string,
  bookingId: number,
  start = '2040-05-25T09:30:00Z',
): Buffer {
  const startMs = Date.parse(start);
  return Buffer.from(
    JSON.stringify({
      triggerEvent: 'BOOKING_CREATED',
      createdAt: new Date().toISOString(),
      payload: {
        type: '30min',
        title: '30min between Bench Praxis and Bench Customer',
        startTime: calcomTime(startMs),
        endTime: calcomTime(startMs + 30 * 60_000),
        organizer: {
          id: 5,
          name: 'Bench Praxis',
          email: 'owner@example.com',
          timeZone: 'Europe/Berlin',
          language: { locale: 'de' },
        },
        attendees: [
          {
            name: 'Bench Customer',
            email: 'bench.customer@example.com',
            timeZone: 'Europe/Berlin',
            language: { locale: 'de' },
          },
        ],
        responses: {
          name: { label: 'your_name', value: 'Bench Customer' },
          email: { label: 'email_address', value: 'bench.customer@example.com' },
        },
        location: 'Praxis',
        eventTypeId,
        uid,
        bookingId,
        length: 30,
        eventTitle: '30min',
        metadata: {},
        status: 'ACCEPTED',
      },
    }),
  );
}

/** Cal.com booking ids, unique within a run. */
let bookingIds = 100_000;

/**
 * A `Send` that posts the i-th unique delivery, tenants in turn; 200 is the
 * expected answer. With `nextSlot`, each delivery books its own half-hour slot
 * (deliveries that are to be applied must not overlap one another).
 */
export function webhookRequestFactory(
  client: HttpClient,
  tenants: WebhookTenant[],
  runId: string,
  nextSlot?: () => number,
): Send {
  let seq = 0;
  return async (i) => {
    const t = tenants[i % tenants.length]!;
    const n = seq++;
    const body = webhookBody(
      t.eventTypeIds[n % t.eventTypeIds.length]!,
      `bench${runId}u${n}`,
      bookingIds++,
      nextSlot ? slot(nextSlot()) : undefined,
    );
    const res = await client.request('POST', `/v1/webhooks/calcom/${t.id}`, body, {
      'content-type': 'application/json',
      [HTTP_HEADERS.calSignature]: hmacSha256Hex(t.webhookSecret, body),
      [HTTP_HEADERS.calWebhookVersion]: '2021-10-20',
    });
    return res.status === 200 ? true : `HTTP ${res.status} ${res.body.toString().slice(0, 120)}`;
  };
}
