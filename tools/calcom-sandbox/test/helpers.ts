/** Test helpers: a webhook receiver and small fetch wrappers around the sandbox. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  raw: string;
  body: { triggerEvent: string; createdAt: string; payload: Record<string, unknown> };
  at: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Answer status and delay for the next deliveries. */
  behave(o: { status?: number; delayMs?: number }): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let status = 200;
  let delayMs = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({
        headers: req.headers,
        raw,
        body: JSON.parse(raw) as ReceivedWebhook['body'],
        at: Date.now(),
      });
      setTimeout(() => res.writeHead(status).end(), delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    behave(o) {
      status = o.status ?? status;
      delayMs = o.delayMs ?? delayMs;
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

export const KEY = 'cal_test_aaaaaaaaaaaaaaaa';
export const OTHER_KEY = 'cal_test_bbbbbbbbbbbbbbbb';

export function api(base: string, key: string | null = KEY, version = '2024-08-13') {
  const headers = (extra: Record<string, string> = {}) => ({
    ...(key ? { Authorization: `Bearer ${key}` } : {}),
    ...(version ? { 'cal-api-version': version } : {}),
    ...extra,
  });
  const call = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; headers: Headers; body: any }> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();

    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body?: unknown) => call('POST', path, body),
  };
}

/** Monday 2050-09-05, 09:00 Berlin = 07:00Z. */
export const MONDAY_0900_BERLIN = '2050-09-05T07:00:00Z';

export const attendee = { name: 'Jane Roe', email: 'jane@example.com', timeZone: 'Europe/Berlin' };
