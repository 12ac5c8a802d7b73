import type { AddressInfo } from 'node:net';
import express from 'express';
import { AppError, CodedError, withErrorCodes } from './errors';
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

describe("a service's own error codes", () => {
  const STATUS = withErrorCodes({ slot_taken: 409 });
  class ServiceError extends CodedError<keyof typeof STATUS> {
    get status() {
      return STATUS[this.code];
    }
  }

  it('are answered with the status of its table, beside the generic ones', async () => {
    const app = express();
    app.get('/own', () => {
      throw new ServiceError('slot_taken', 'taken', { id: 'a' });
    });
    app.get('/generic', () => {
      throw new ServiceError('not_found', 'gone');
    });
    app.use(errorMiddleware(createLogger({ service: 'test', level: 'error' })));
    const server = app.listen(0);
    await new Promise((r) => server.once('listening', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const own = await fetch(`${base}/own`);
      expect([own.status, await own.json()]).toEqual([
        409,
        { error: { code: 'slot_taken', message: 'taken', details: { id: 'a' } } },
      ]);
      const generic = await fetch(`${base}/generic`);
      expect([generic.status, await generic.json()]).toEqual([
        404,
        { error: { code: 'not_found', message: 'gone' } },
      ]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('cannot give a generic code another status, nor be misspelt (compile errors)', () => {
    // @ts-expect-error not_found is generic: it is 404 for every service
    withErrorCodes({ not_found: 410 });
    // @ts-expect-error a code no table names
    expect(() => new AppError('slot_taken', 'x')).not.toThrow();
    // @ts-expect-error a misspelt code of the service's own table
    expect(new ServiceError('slot_takn', 'x').status).toBeUndefined();
  });
});
