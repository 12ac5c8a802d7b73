/** Removes de-duplication rows past their window, on an unref'd timer that shutdown stops. */
import type { Clock, Logger } from '@calsync/platform';
import type { DeliveriesRepo } from './deliveries-repo';

export interface DeliveryPurgerOptions {
  deliveries: Pick<DeliveriesRepo, 'purgeReceivedBefore'>;
  clock: Clock;
  logger: Logger;
  retentionMs: number;
  intervalMs: number;
}

export function createDeliveryPurger(opts: DeliveryPurgerOptions) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  async function purgeOnce(): Promise<number> {
    const cutoff = new Date(opts.clock.now().getTime() - opts.retentionMs);
    let total = 0;
    // Small batches keep each DELETE's locks short; stop when a batch comes back short.
    for (let i = 0; i < 100; i++) {
      const n = await opts.deliveries.purgeReceivedBefore(cutoff);
      total += n;
      if (n < 5_000) break;
    }
    if (total) opts.logger.info('Purged webhook deliveries', { rows: total });
    return total;
  }

  function tick() {
    running ??= purgeOnce()
      .catch((err: unknown) => {
        opts.logger.warn('Purging webhook deliveries failed', { error: err });
        return 0;
      })
      .finally(() => {
        running = undefined;
      });
  }

  return {
    purgeOnce,
    start() {
      if (timer) return;
      timer = setInterval(tick, opts.intervalMs);
      timer.unref();
      tick();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}

export type DeliveryPurger = ReturnType<typeof createDeliveryPurger>;
