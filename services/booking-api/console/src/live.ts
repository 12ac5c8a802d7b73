/**
 * Follows `GET /v1/tenants/:t/events` with fetch() (the token goes in a header,
 * which EventSource cannot do) and reconnects with backoff. Every (re)connection
 * starts with `ready`; the caller then reads what it shows again, so nothing
 * missed while away stays missing.
 */
import type { Api } from './api.js';

export type LiveMessage =
  | { type: 'ready' }
  | { type: 'resync' }
  | {
      type: 'appointment';
      event: string;
      appointmentId: string;
      origin: string;
      start: string;
      status: string;
    }
  | {
      type: 'sync';
      appointmentId: string;
      outcome: 'synced' | 'failed' | 'review';
      errorCode: string | null;
    };

export interface LiveHandlers {
  onMessage(m: LiveMessage): void;
  onState(state: 'live' | 'reconnecting'): void;
  /** 401/403: the token is no longer valid. */
  onRefused(): void;
}

/** No byte (not even the server's heartbeat) for this long: the connection is dead. */
const SILENCE_MS = 45_000;
const MAX_BACKOFF_MS = 15_000;

export function follow(api: Api, handlers: LiveHandlers): { close(): void } {
  let stopped = false;
  let current: AbortController | undefined;
  let reachedReady = false;

  async function once(): Promise<'ended' | 'refused'> {
    const ac = new AbortController();
    current = ac;
    let watchdog = setTimeout(() => ac.abort(), SILENCE_MS);
    const alive = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => ac.abort(), SILENCE_MS);
    };
    try {
      const res = await api.openEvents(ac.signal);
      if (res.status === 401 || res.status === 403) return 'refused';
      if (!res.ok || !res.body) return 'ended';
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return 'ended';
        alive();
        buf += value;
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trimStart())
            .join('\n');
          const event = /^event: ?(.*)$/m.exec(block)?.[1];
          if (!data || !event) continue;
          if (event === 'ready') {
            reachedReady = true;
            handlers.onState('live');
          }
          handlers.onMessage(event === 'ready' ? { type: 'ready' } : (JSON.parse(data) as LiveMessage));
        }
      }
    } catch {
      return 'ended';
    } finally {
      clearTimeout(watchdog);
    }
  }

  void (async () => {
    let failures = 0;
    while (!stopped) {
      const outcome = await once();
      if (stopped) return;
      if (outcome === 'refused') return handlers.onRefused();
      handlers.onState('reconnecting');
      // A stream that worked starts the backoff over.
      failures = reachedReady ? 0 : failures + 1;
      reachedReady = false;
      await new Promise((r) => setTimeout(r, Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** Math.min(failures, 4))));
    }
  })();

  return {
    close() {
      stopped = true;
      current?.abort();
    },
  };
}
