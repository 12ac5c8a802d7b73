import type { AddressInfo } from 'node:net';
import express from 'express';
import { errorMiddleware } from './http';
import { createLogger } from './logger';

it('answers a path parameter that is not valid percent-encoding 400, not 500 (found by test:fuzz)', async () => {
  const app = express();
  app.get('/v1/tenants/:tenantId', (_req, res) => res.json({}));
  app.use(errorMiddleware(createLogger({ service: 'test', level: 'error' })));
  const server = app.listen(0);
  await new Promise((r) => server.once('listening', r));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/tenants/%E0%A4%A`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'invalid_request', message: expect.any(String) } });
  } finally {
    await new Promise((r) => server.close(r));
  }
});
