/** Reads a text/event-stream the way the console does: fetch() with the token in a header. */
import { waitFor } from '@calsync/testkit';

export interface SseEvent {
  event: string;
  data: any;
}

export interface SseStream {
  status: number;
  body: any;
  events: SseEvent[];
  /** Comment lines seen (heartbeats). */
  comments: number;
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  next(match: (e: SseEvent) => boolean, what: string, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

export async function openSse(url: string, token?: string): Promise<SseStream> {
  const ac = new AbortController();
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    signal: ac.signal,
  });
  const events: SseEvent[] = [];
  const stream: SseStream = {
    status: res.status,
    body: undefined,
    events,
    comments: 0,
    ended: Promise.resolve(),
    next: (match, what, timeoutMs = 15_000) => waitFor(() => events.find(match) ?? null, { what, timeoutMs }),
    close: () => ac.abort(),
  };
  if (!res.ok || !res.headers.get('content-type')?.startsWith('text/event-stream')) {
    stream.body = await res.json().catch(() => undefined);
    return stream;
  }
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  stream.ended = (async () => {
    let buf = '';
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return;
      buf += value;
      for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) stream.comments++;
          else if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (data.length) events.push({ event, data: JSON.parse(data.join('\n')) });
      }
    }
  })();
  await stream.next((e) => e.event === 'ready', 'the stream to be ready');
  return stream;
}
