/** Publishes verified deliveries to CALCOM_INBOUND and waits for JetStream's ack, briefly. */
import { encodeMessage, type Topology } from '@calsync/contracts';
import { publishEnvelope, subjectLabel, type NatsHandle } from '@calsync/platform';
import type { InboundPublisher } from '../domain/receiver';
import type { GatewayMetrics } from '../metrics';

export class PublishFailedError extends Error {
  override name = 'PublishFailedError';
  constructor(cause: unknown) {
    super('JetStream did not acknowledge the publish', { cause });
  }
}

export interface InboundPublisherDeps {
  js: NatsHandle['js'];
  topology: Topology;
  timeoutMs: number;
  metrics: Pick<GatewayMetrics, 'eventsPublished' | 'publishDuration'>;
}

export function createInboundPublisher(deps: InboundPublisherDeps): InboundPublisher {
  return {
    async publish(event, meta) {
      const envelope = encodeMessage('calcomInbound', deps.topology, event, meta);
      const end = deps.metrics.publishDuration.startTimer();
      try {
        const ack = await publishEnvelope(deps.js, envelope, deps.timeoutMs);
        end({ outcome: ack.duplicate ? 'duplicate' : 'stored' });
        if (!ack.duplicate)
          deps.metrics.eventsPublished.inc({ subject: subjectLabel(envelope.subject), origin: meta.origin });
        return { duplicate: ack.duplicate };
      } catch (err) {
        end({ outcome: 'failed' });
        throw new PublishFailedError(err);
      }
    },
  };
}
