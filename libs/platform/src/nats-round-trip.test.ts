import { natsRoundTrip } from './nats';

/** A connection as readiness sees it: open or not, and how its round trip goes. */
function connection(o: { closed?: boolean; draining?: boolean; rtt?: () => Promise<number> }) {
  const rtt = jest.fn(o.rtt ?? (() => Promise.resolve(1)));
  return { isClosed: () => !!o.closed, isDraining: () => !!o.draining, rtt };
}

describe('natsRoundTrip (readiness)', () => {
  afterEach(() => jest.useRealTimers());

  it('is ready when the server answers a round trip', async () => {
    await expect(natsRoundTrip(connection({}))).resolves.toBe(true);
  });

  it('is not ready on a closed or draining connection, without asking the server', async () => {
    for (const c of [connection({ closed: true }), connection({ draining: true })]) {
      await expect(natsRoundTrip(c)).resolves.toBe(false);
      expect(c.rtt).not.toHaveBeenCalled();
    }
  });

  it('gives up when the round trip takes longer than the timeout', async () => {
    jest.useFakeTimers();
    const answer = natsRoundTrip(connection({ rtt: () => new Promise<number>(() => undefined) }), 1_000);
    const outcome = expect(answer).rejects.toThrow('NATS round trip timed out');
    await jest.advanceTimersByTimeAsync(1_000);
    await outcome;
  });
});
