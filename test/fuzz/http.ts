/** Raw HTTP, so a case controls every byte and header; a stalled answer is a finding, not a hang. */
import http from 'node:http';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

export const STALL_MS = 15_000;

export function send(
  agent: http.Agent,
  base: string,
  req: { method: string; path: string; headers: Record<string, string>; body?: string },
): Promise<Answer | { error: string; ms: number }> {
  const url = new URL(base);
  const t0 = performance.now();
  return new Promise((resolve) => {
    const done = (a: Answer | { error: string; ms: number }) => {
      clearTimeout(timer);
      resolve(a);
    };
    let r: http.ClientRequest;
    try {
      r = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: req.method,
          path: req.path,
          headers: req.headers,
          agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            done({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
              ms: performance.now() - t0,
            }),
          );
          res.on('error', (e) => done({ error: e.message, ms: performance.now() - t0 }));
        },
      );
    } catch (e) {
      // The client itself refused the request (an invalid header or path): not the service's answer.
      return resolve({ error: `client: ${(e as Error).message}`, ms: 0 });
    }
    const timer = setTimeout(() => r.destroy(new Error('stalled')), STALL_MS);
    r.on('error', (e) => done({ error: e.message, ms: performance.now() - t0 }));
    r.end(req.body);
  });
}
