import { createLogger } from '@calsync/platform';
import { createLiveEvents, type LiveClient, type LiveEvent, type LiveSource } from './live-events';

const logger = createLogger({ service: 'test', level: 'error' });

/** A source whose subscriptions the test can see, feed and fail. */
function fakeSource() {
  const open = new Map<string, (e: LiveEvent) => void>();
  let subscribes = 0;
  let failNext: Error | undefined;
  const source: LiveSource = {
    subscribe(tenantId, onEvent) {
      subscribes++;
      if (failNext) {
        const err = failNext;
        failNext = undefined;
        return Promise.reject(err);
      }
      open.set(tenantId, onEvent);
      return Promise.resolve({ close: () => void open.delete(tenantId) });
    },
  };
  return {
    source,
    open,
    subscribes: () => subscribes,
    emit: (tenantId: string, e: LiveEvent) => open.get(tenantId)?.(e),
    failNext: (err: Error) => void (failNext = err),
  };
}

function client() {
  const got: LiveEvent[] = [];
  let closed = false;
  const c: LiveClient = { send: (e) => void got.push(e), close: () => void (closed = true) };
  return { c, got, closed: () => closed };
}

const synced: LiveEvent = {
  type: 'sync',
  appointmentId: 'a1',
  outcome: 'synced',
  action: 'create',
  errorCode: null,
  occurredAt: '2030-01-01T00:00:00.000Z',
};

describe('live events', () => {
  it("gives every client of a tenant that tenant's events and nothing of another tenant's", async () => {
    const src = fakeSource();
    const live = createLiveEvents({ source: src.source, logger });
    const [a1, a2, b] = [client(), client(), client()];
    await live.connect('a', a1.c);
    await live.connect('a', a2.c);
    await live.connect('b', b.c);
    src.emit('a', synced);
    expect(a1.got).toEqual([synced]);
    expect(a2.got).toEqual([synced]);
    expect(b.got).toEqual([]);
    expect(src.subscribes()).toBe(2);
  });

  it("closes a tenant's subscription when its last client leaves, and opens a new one for the next", async () => {
    const src = fakeSource();
    const live = createLiveEvents({ source: src.source, logger });
    const leave1 = await live.connect('a', client().c);
    const leave2 = await live.connect('a', client().c);
    leave1();
    leave1(); // twice is harmless
    expect(src.open.has('a')).toBe(true);
    leave2();
    await Promise.resolve();
    expect(src.open.has('a')).toBe(false);
    expect(live.connections()).toBe(0);
    await live.connect('a', client().c);
    expect(src.subscribes()).toBe(2);
  });

  it('refuses a connection over the per-tenant cap without touching the others', async () => {
    const src = fakeSource();
    const live = createLiveEvents({ source: src.source, logger, maxPerTenant: 2 });
    await live.connect('a', client().c);
    await live.connect('a', client().c);
    await expect(live.connect('a', client().c)).rejects.toMatchObject({ code: 'rate_limited' });
    await expect(live.connect('b', client().c)).resolves.toEqual(expect.any(Function));
    expect(live.connections('a')).toBe(2);
  });

  it('answers unavailable when the source cannot subscribe, and tries again on the next connect', async () => {
    const src = fakeSource();
    const live = createLiveEvents({ source: src.source, logger });
    src.failNext(new Error('NATS did not confirm the subscription'));
    await expect(live.connect('a', client().c)).rejects.toMatchObject({ code: 'unavailable' });
    expect(live.connections('a')).toBe(0);
    await live.connect('a', client().c);
    expect(live.connections('a')).toBe(1);
  });

  it('keeps delivering to the others when one client throws', async () => {
    const src = fakeSource();
    const live = createLiveEvents({ source: src.source, logger });
    const ok = client();
    await live.connect('a', {
      send: () => {
        throw new Error('socket gone');
      },
      close: () => undefined,
    });
    await live.connect('a', ok.c);
    src.emit('a', synced);
    expect(ok.got).toEqual([synced]);
  });

  it('on shutdown ends every stream and subscription and refuses new ones', async () => {
    const src = fakeSource();
    const live = createLiveEvents({ source: src.source, logger });
    const [a, b] = [client(), client()];
    await live.connect('a', a.c);
    await live.connect('b', b.c);
    await live.close();
    expect(a.closed() && b.closed()).toBe(true);
    expect(src.open.size).toBe(0);
    await expect(live.connect('a', client().c)).rejects.toMatchObject({ code: 'unavailable' });
    await live.close(); // idempotent
  });
});
