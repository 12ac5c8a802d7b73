/**
 * The console's live events from NATS (domain/live-events.ts's LiveSource): core
 * subscriptions on one tenant's `appointments.<t>.>` (what the outbox relays of
 * every replica publish, whatever the origin) and `sync.<t>.>` (calcom-sync's
 * outcomes). Core, not a JetStream consumer: nothing is kept at the server for a
 * browser tab, and a missed message only means the console reads again — after a
 * reconnect every room is told to (`resync`). Messages are validated like any
 * consumer's; what does not parse or names another tenant is dropped.
 */
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { decodeMessage, type Topology } from '@calsync/contracts';
import type { Logger } from '@calsync/platform';
import { ApiError } from '../domain/errors';
import type { LiveEvent, LiveSource } from '../domain/live-events';

/** How long the server may take to confirm a subscription before the stream answers 503. */
const CONFIRM_MS = 2_000;

export function toLiveEvent(
  tenantId: string,
  msg: Pick<Msg, 'data' | 'headers'>,
  kind: 'appointment' | 'sync',
) {
  const m = { data: msg.data, headers: msg.headers };
  if (kind === 'appointment') {
    const d = decodeMessage('appointment', m);
    if (!d.ok || d.value.tenantId !== tenantId) return null;
    const v = d.value;
    return {
      type: 'appointment',
      event: v.event,
      appointmentId: v.appointmentId,
      origin: v.origin,
      occurredAt: v.occurredAt,
      start: v.appointment.start,
      status: v.appointment.status,
    } satisfies LiveEvent;
  }
  const d = decodeMessage('syncResult', m);
  if (!d.ok || d.value.tenantId !== tenantId) return null;
  const v = d.value;
  return {
    type: 'sync',
    appointmentId: v.appointmentId,
    outcome: v.outcome,
    action: v.action,
    errorCode: v.errorCode ?? null,
    occurredAt: v.occurredAt,
  } satisfies LiveEvent;
}

export function createNatsLiveSource(deps: {
  nc: NatsConnection;
  topology: Topology;
  logger: Logger;
}): LiveSource {
  const { nc, topology, logger } = deps;
  const resyncs = new Set<() => void>();

  // Core subscriptions come back by themselves after a reconnect; what was published meanwhile did not.
  void (async () => {
    for await (const s of nc.status()) if (s.type === 'reconnect') for (const r of resyncs) r();
  })().catch(() => undefined);

  return {
    async subscribe(tenantId, onEvent) {
      const subs: Subscription[] = [];
      const follow = (subject: string, kind: 'appointment' | 'sync') =>
        subs.push(
          nc.subscribe(subject, {
            callback: (err, m) => {
              if (err) {
                // A refused subscription (NATS permissions) ends here; the stream stays open without it.
                logger.warn('Live events subscription failed', { tenant: tenantId, subject, error: err });
                return;
              }
              const e = toLiveEvent(tenantId, m, kind);
              if (e) onEvent(e);
            },
          }),
        );
      const close = () => {
        resyncs.delete(resync);
        for (const s of subs) {
          try {
            s.unsubscribe();
          } catch {
            /* connection already closed */
          }
        }
      };
      const resync = () => onEvent({ type: 'resync' });
      try {
        follow(topology.subjects.appointmentsOfTenant(tenantId), 'appointment');
        follow(topology.subjects.syncResultsOfTenant(tenantId), 'sync');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          nc.flush(),
          new Promise((_, rej) => {
            timer = setTimeout(() => rej(new Error('NATS did not confirm the subscription')), CONFIRM_MS);
          }),
        ]).finally(() => clearTimeout(timer));
      } catch (err) {
        close();
        throw new ApiError('unavailable', 'Live events are unavailable; retry shortly', undefined, {
          cause: err,
        });
      }
      resyncs.add(resync);
      return { close };
    },
  };
}
