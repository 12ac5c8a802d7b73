/**
 * `GET /v1/tenants/:t/events` (SPEC §4.6): server-sent events of the tenant's
 * appointment changes and sync outcomes, behind the admin authentication like
 * the rest of the admin API (the console sends the token in the Authorization
 * header of a streaming fetch(); it is never in the URL). Thin: the domain
 * (domain/live-events.ts) decides who hears what; this writes the wire format.
 *
 * The stream opens with `event: ready` once the subscription is in place (a
 * change committed after it is not missed), then one `event: <type>` per change,
 * and a comment line every `heartbeatMs` so proxies and the client can tell an
 * idle stream from a dead one.
 */
import { Router, type Response } from 'express';
import type { LiveClient, LiveEvent, LiveEvents } from '../domain/live-events';
import { tenantOf } from './auth';

export interface EventsRouterDeps {
  live: LiveEvents;
  heartbeatMs?: number;
}

/** The client waits this long before reconnecting after the stream ended. */
const RETRY_MS = 3_000;

/** A client whose events queue until the response is open, so nothing is written before the headers. */
function sseClient(res: Response): LiveClient & { open(): void } {
  let pending: string[] | null = [];
  const write = (chunk: string) => {
    if (pending) pending.push(chunk);
    else if (!res.writableEnded) res.write(chunk);
  };
  return {
    send: (e: LiveEvent) => write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`),
    close: () => {
      if (!res.writableEnded) res.end();
    },
    open() {
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store, no-transform',
        'X-Accel-Buffering': 'no',
        Connection: 'keep-alive',
      });
      res.write(`retry: ${RETRY_MS}\nevent: ready\ndata: {}\n\n`);
      const queued = pending ?? [];
      pending = null;
      for (const c of queued) res.write(c);
    },
  };
}

export function eventsRouter(deps: EventsRouterDeps): Router {
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  const r = Router({ mergeParams: true });

  r.get('/events', async (req, res) => {
    const tenant = tenantOf(res);
    const client = sseClient(res);
    const leave = await deps.live.connect(tenant.id, client);
    if (req.socket.destroyed || res.writableEnded) return leave();
    req.socket.setTimeout(0);
    client.open();
    const beat = setInterval(() => {
      if (!res.writableEnded) res.write(': keep-alive\n\n');
    }, heartbeatMs);
    beat.unref();
    res.on('close', () => {
      clearInterval(beat);
      leave();
    });
  });

  return r;
}
