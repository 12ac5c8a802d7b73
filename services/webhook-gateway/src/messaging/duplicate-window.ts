/** The CALCOM_INBOUND stream's Nats-Msg-Id duplicate window, as the server holds it. */
import type { Topology } from '@calsync/contracts';
import type { NatsHandle } from '@calsync/platform';

/**
 * Read once at start, after `ensureStreams`: the value JetStream actually de-duplicates with, not a
 * copy of a default that could drift from it. The gateway's de-duplication relies on it
 * (domain/dedup.ts): a window made longer later is merely not used, one made shorter needs the
 * gateway restarted.
 */
export async function readDuplicateWindowMs(jsm: NatsHandle['jsm'], topology: Topology): Promise<number> {
  const info = await jsm.streams.info(topology.streams.calcomInbound.name);
  // Nanoseconds on the wire.
  return Math.floor(info.config.duplicate_window / 1e6);
}
