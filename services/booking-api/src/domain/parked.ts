/**
 * Re-drive of a parked inbound delivery (operator): the stored message goes
 * back to its CALCOM_INBOUND subject with its headers, under a new
 * `Nats-Msg-Id` (the original is inside the stream's duplicate window or was
 * at some point, and a re-drive must not be dropped as a duplicate), and the
 * row is marked. The applier is idempotent per delivery, so re-driving a
 * delivery that meanwhile got applied changes nothing.
 */
import { HEADERS } from '@calsync/contracts';
import type { Clock, Logger } from '@calsync/platform';
import { ApiError, notFound } from './errors';
import type { ParkedReads, ParkedRow, RawPublish } from './ports';

export function parkedView(p: ParkedRow) {
  return {
    id: p.id,
    tenantId: p.tenantId,
    subject: p.subject,
    stream: p.stream,
    streamSeq: p.streamSeq,
    // calcom.inbound.<tenant>.<trigger>
    trigger: p.subject.split('.').at(-1) ?? null,
    error: p.error,
    deliveries: p.deliveries,
    parkedAt: p.parkedAt.toISOString(),
    redrivenAt: p.redrivenAt?.toISOString() ?? null,
    redriveCount: p.redriveCount,
  };
}

export function createParkedService(deps: {
  repo: ParkedReads;
  publish: RawPublish;
  clock: Clock;
  logger: Logger;
}) {
  return {
    async list(q: { limit: number; tenantId?: string | undefined; includeRedriven: boolean }) {
      return { items: (await deps.repo.list(q)).map(parkedView) };
    },

    async redrive(id: number) {
      const p = await deps.repo.get(id);
      if (!p) throw notFound('Parked delivery');
      const original = p.headers[HEADERS.msgId] ?? `${p.stream}-${p.streamSeq}`;
      const headers = { ...p.headers, [HEADERS.msgId]: `${original}:redrive:${p.id}:${p.redriveCount + 1}` };
      try {
        await deps.publish(p.subject, p.payload, headers);
      } catch (err) {
        throw new ApiError(
          'unavailable',
          'JetStream did not take the re-driven message; nothing was marked',
          undefined,
          {
            cause: err,
          },
        );
      }
      await deps.repo.markRedriven(p.id, deps.clock.now());
      deps.logger.info('Parked inbound delivery re-driven', {
        parkedId: p.id,
        tenant: p.tenantId ?? undefined,
      });
      const fresh = await deps.repo.get(id);
      return parkedView(fresh ?? p);
    },
  };
}
export type ParkedService = ReturnType<typeof createParkedService>;
