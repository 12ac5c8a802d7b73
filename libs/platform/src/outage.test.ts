import { ClosedConnectionError, RequestError, TimeoutError } from '@nats-io/nats-core';
import { isOutage, outageOf } from './outage';

const coded = (code: string) => Object.assign(new Error(code), { code });

describe('outageOf tells a dependency that is briefly away from a bug', () => {
  it.each([
    'ECONNREFUSED',
    'PROTOCOL_CONNECTION_LOST',
    'ER_CON_COUNT_ERROR',
    'ETIMEDOUT',
    'ER_LOCK_WAIT_TIMEOUT',
  ])('mysql2 %s is a MySQL outage', (code) => {
    expect(outageOf(coded(code))).toBe('mysql');
  });

  it('a closed pool, a pool acquire timeout and a wrapped driver error are MySQL outages', () => {
    expect(outageOf(new Error('Pool is closed.'))).toBe('mysql');
    expect(outageOf(Object.assign(new Error('x'), { name: 'SequelizeConnectionAcquireTimeoutError' }))).toBe(
      'mysql',
    );
    expect(outageOf(new Error('tx failed', { cause: coded('ECONNRESET') }))).toBe('mysql');
  });

  it('a disconnected, closed or silent NATS is a NATS outage', () => {
    expect(outageOf(new RequestError('connection disconnected'))).toBe('nats');
    expect(outageOf(new ClosedConnectionError())).toBe('nats');
    expect(outageOf(new TimeoutError())).toBe('nats');
  });

  it('SQL mistakes, bad data and other libraries’ timeouts are not outages', () => {
    expect(isOutage(coded('ER_PARSE_ERROR'))).toBe(false);
    expect(isOutage(coded('ER_DUP_ENTRY'))).toBe(false);
    expect(isOutage(new SyntaxError('Unexpected token'))).toBe(false);
    expect(isOutage(new DOMException('timed out', 'TimeoutError'))).toBe(false);
    expect(isOutage(undefined)).toBe(false);
  });
});
