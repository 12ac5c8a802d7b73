/**
 * A three-node NATS cluster (R3 streams) loses one node mid-run: with a quorum
 * left, every committed change still reaches Cal.com exactly once. No Cal.com
 * faults here, so any finding is the cluster's doing.
 */
import { runSeed, type SeedResult } from './seed';
import { startSystem, type ChaosSystem } from './system';

export async function runClusterScenario(
  seed: number,
  stableMs?: number,
): Promise<{ result: SeedResult; sys: ChaosSystem }> {
  const sys = await startSystem({ cluster: true });
  try {
    const lost = sys.nats.nodes[seed % sys.nats.nodes.length]!;
    const result = await runSeed(sys, seed, {
      ops: 30,
      faults: false,
      replicas: 2,
      natsBack: false,
      stableMs,
      beforeOp: async (n, w) => {
        if (n !== 12) return;
        // Streams led by the lost node elect a new leader (about 5 s): JetStream refuses
        // publishes meanwhile, so an honest 503 is allowed then; nothing may be lost.
        const from = Date.now();
        w.history.outages.push({ what: `nats node ${lost.name}`, from, to: from + 10_000 });
        await lost.stop();
        w.history.faults.push({ n, at: from, what: `NATS node ${lost.name} killed (stays down)` });
      },
    });
    return { result, sys };
  } finally {
    await sys.close();
  }
}
