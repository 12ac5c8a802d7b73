/**
 * Live events for the staff console (SPEC §4.6): a tenant's appointment changes
 * and sync outcomes, fanned out to that tenant's connected clients.
 *
 * One source subscription per tenant and process, opened when the tenant's first
 * client connects and closed when its last one leaves; it follows the streams
 * (not this process's own writes), so a change made through another replica, by
 * the phone agent or applied from Cal.com shows too. Events are wake-ups, not a
 * ledger: a client that missed some (reconnect, or `resync` after the source lost
 * its connection) reads the admin API again. Knows nothing of HTTP.
 */
import type { Logger } from '@calsync/platform';
import { ApiError } from './errors';
import type { AppointmentEventName, Origin, SyncAction, SyncOutcome } from '@calsync/contracts';

/** Ids and times only: the console reads the appointment itself; no customer data on this wire. */
export type LiveEvent =
  | {
      type: 'appointment';
      event: AppointmentEventName;
      appointmentId: string;
      origin: Origin;
      occurredAt: string;
      start: string;
      status: 'booked' | 'cancelled';
    }
  | {
      type: 'sync';
      appointmentId: string;
      outcome: SyncOutcome;
      action: SyncAction;
      errorCode: string | null;
      occurredAt: string;
    }
  /** The source may have missed events (its connection came back): read everything again. */
  | { type: 'resync' };

/** Port: where the events come from (messaging/live-source.ts implements it on NATS). */
export interface LiveSource {
  /** Resolves once the subscription is in place, so nothing committed after that is missed. */
  subscribe(tenantId: string, onEvent: (e: LiveEvent) => void): Promise<{ close(): void }>;
}

/** One connected console (an SSE response, in the HTTP layer). */
export interface LiveClient {
  send(e: LiveEvent): void;
  /** The server is going away: end the stream. */
  close(): void;
}

export interface LiveEventsOptions {
  source: LiveSource;
  logger: Logger;
  /** Streams one tenant may hold open in this process (a few staff with a few tabs each). */
  maxPerTenant?: number;
}

export const DEFAULT_MAX_PER_TENANT = 20;

interface Room {
  clients: Set<LiveClient>;
  /** The tenant's subscription, shared by its clients; pending while the first one connects. */
  sub: Promise<{ close(): void }>;
}

export function createLiveEvents(opts: LiveEventsOptions) {
  const max = opts.maxPerTenant ?? DEFAULT_MAX_PER_TENANT;
  const rooms = new Map<string, Room>();
  let closed = false;

  const fanOut = (tenantId: string) => (e: LiveEvent) => {
    for (const c of rooms.get(tenantId)?.clients ?? []) {
      try {
        c.send(e);
      } catch (err) {
        opts.logger.warn('Live event not delivered', { tenant: tenantId, error: err });
      }
    }
  };

  function leave(tenantId: string, room: Room, client: LiveClient) {
    if (!room.clients.delete(client) || room.clients.size > 0 || rooms.get(tenantId) !== room) return;
    rooms.delete(tenantId);
    void room.sub.then((s) => s.close()).catch(() => undefined);
  }

  return {
    /**
     * Adds a client to its tenant's room once the tenant's subscription is in place.
     * Over the cap → `rate_limited`; shutting down or the source unavailable → `unavailable`.
     * Returns the function that removes it again (idempotent).
     */
    async connect(tenantId: string, client: LiveClient): Promise<() => void> {
      if (closed) throw new ApiError('unavailable', 'The server is shutting down');
      let room = rooms.get(tenantId);
      if (room && room.clients.size >= max)
        throw new ApiError('rate_limited', `At most ${max} live connections per tenant`);
      if (!room) {
        room = { clients: new Set(), sub: opts.source.subscribe(tenantId, fanOut(tenantId)) };
        rooms.set(tenantId, room);
      }
      room.clients.add(client);
      const joined = room;
      try {
        await joined.sub;
      } catch (err) {
        joined.clients.clear();
        if (rooms.get(tenantId) === joined) rooms.delete(tenantId);
        throw err instanceof ApiError
          ? err
          : new ApiError('unavailable', 'Live events are unavailable; retry shortly', undefined, {
              cause: err,
            });
      }
      if (closed) {
        // Shut down while this one was subscribing: close() did not see it.
        leave(tenantId, joined, client);
        throw new ApiError('unavailable', 'The server is shutting down');
      }
      return () => leave(tenantId, joined, client);
    },

    /** Open streams: of one tenant, or all. */
    connections(tenantId?: string): number {
      if (tenantId !== undefined) return rooms.get(tenantId)?.clients.size ?? 0;
      let n = 0;
      for (const r of rooms.values()) n += r.clients.size;
      return n;
    },

    /** Shutdown: ends every stream and subscription; later connects are refused. Idempotent. */
    async close(): Promise<void> {
      closed = true;
      const all = [...rooms.values()];
      rooms.clear();
      for (const room of all) {
        for (const c of room.clients) {
          try {
            c.close();
          } catch {
            /* already gone */
          }
        }
        room.clients.clear();
      }
      await Promise.allSettled(all.map((r) => r.sub.then((s) => s.close())));
    },
  };
}
export type LiveEvents = ReturnType<typeof createLiveEvents>;
