/**
 * The re-drive's publish (domain/parked.ts's RawPublish): the stored bytes back to their
 * subject with their stored headers, de-duplicated by the `Nats-Msg-Id` among them.
 */
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { JetStreamClient } from '@nats-io/jetstream';
import { HEADERS } from '@calsync/contracts';
import type { RawPublish } from '../domain/ports';

export function createRawPublish(js: JetStreamClient): RawPublish {
  return async (subject, payload, headers) => {
    const h = natsHeaders();
    for (const [k, v] of Object.entries(headers)) h.set(k, v);
    await js.publish(subject, payload, { headers: h, msgID: headers[HEADERS.msgId] });
  };
}
