import type { Server } from 'node:http';
import express from 'express';
import { closeServer, createLogger, errorMiddleware, listen, portOf } from '@calsync/platform';
import { createLiveEvents, type LiveEvent } from '../domain/live-events';
import { eventsRouter } from './events';

const logger = createLogger({ service: 'test', level: 'error' });

/** The route alone, behind a stand-in for adminAuth, with a source the test feeds. */
async function serve(opts: { heartbeatMs: number; subscribeDelayMs?: number }) {
  let emit: (e: LiveEvent) => void = () => undefined;
  const live = createLiveEvents({
    logger,
    source: {
      subscribe: async (_t, onEvent) => {
        emit = onEvent;
        // Something the source sees while the subscription is being confirmed.
        setTimeout(() => onEvent({ type: 'resync' }), 1);
        await new Promise((r) => setTimeout(r, opts.subscribeDelayMs ?? 0));
        return { close: () => undefined };
      },
    },
  });
  const app = express();
  app.use('/t/:tenantId', (_req, res, next) => {
    res.locals.tenant = { id: 'acme' };
    next();
  });
  app.use('/t/:tenantId', eventsRouter({ live, heartbeatMs: opts.heartbeatMs }));
  app.use(errorMiddleware(logger));
  const server: Server = await listen(app, 0, logger, 'test');
  return {
    url: `http://127.0.0.1:${portOf(server)}/t/acme/events`,
    live,
    emit: (e: LiveEvent) => emit(e),
    close: async () => {
      await live.close();
      await closeServer(server);
    },
  };
}

async function readUntil(res: Response, done: (text: string) => boolean): Promise<string> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  while (!done(text)) {
    const { done: end, value } = await reader.read();
    if (end) break;
    text += value;
  }
  await reader.cancel();
  return text;
}

describe('the events route', () => {
  it('opens with ready, then sends what happened meanwhile and each event, with heartbeats between', async () => {
    const s = await serve({ heartbeatMs: 30, subscribeDelayMs: 20 });
    try {
      const res = await fetch(s.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-store, no-transform');
      s.emit({ type: 'resync' });
      const text = await readUntil(res, (t) => (t.match(/: keep-alive/g) ?? []).length >= 2);
      expect(text.startsWith('retry: 3000\nevent: ready\ndata: {}\n\n')).toBe(true);
      // The event that came while subscribing is written after the headers, not before.
      expect(text.split('event: resync\ndata: {"type":"resync"}\n\n').length).toBe(3);
    } finally {
      await s.close();
    }
  });

  it('answers 429 over the per-tenant cap before any stream byte is written', async () => {
    const s = await serve({ heartbeatMs: 1_000 });
    try {
      const streams = await Promise.all(Array.from({ length: 20 }, () => fetch(s.url)));
      const over = await fetch(s.url);
      expect(over.status).toBe(429);
      expect(await over.json()).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
      await Promise.all(streams.map((r) => r.body!.cancel()));
    } finally {
      await s.close();
    }
  });
});
