/**
 * One measurement of rows 4 and 5: appointments offered to booking-api at a
 * fixed rate (open loop), followed until the system is idle again (every
 * event published and synced, every echo applied; at most 60 s).
 *
 * - commit -> booking: the booking's createdAt (sandbox clock) minus the
 *   appointment's createdAt (stamped inside booking-api's transaction, so the
 *   figure errs on the long side by the commit);
 * - our overhead: that minus the sandbox's own time before it stores a
 *   booking, i.e. the latency it was told to add (its processing is sub-ms);
 * - CPU: utime + stime of every service process over the phase (offering,
 *   then until idle), per appointment created.
 */
import { openLoop } from '../lib/http';
import { perSecond, summarize, type LatencySummary } from '../lib/stats';
import { bookingsByAppointment, type Created, type System } from '../lib/system';

export interface PushRun {
  created: number;
  synced: number;
  failed: number;
  sustainedPerSec: number;
  commitToBooking: LatencySummary;
  overhead: LatencySummary;
  cpuMsEach: number;
  settled: boolean;
}

export async function pushPhase(
  sys: System,
  opts: { latencyMs: number; perSec: number; ms: number },
): Promise<PushRun> {
  sys.sandbox.setLatency(opts.latencyMs);
  const created: Created[] = [];
  const send = sys.sender(created);
  const before = await sys.published();
  const cpu0 = sys.cpuMs();
  const r = await openLoop({ ratePerSec: opts.perSec, durationMs: opts.ms, send, graceMs: 30_000 });
  // Idle means something only once the relay has published every create. (Polling the
  // sandbox's bookings instead would copy thousands of them, on the cores being measured.)
  const settled = await sys.settle(60_000, before + created.length);
  const cpuMs = sys.cpuMs() - cpu0;
  const seen = bookingsByAppointment(sys.sandbox);

  const synced = created.filter((c) => seen.has(c.id));
  const samples = synced.map((c) => seen.get(c.id)! - c.createdAtMs);
  // Sustained: bookings stored from the first commit to the last booking.
  const first = Math.min(...synced.map((c) => c.createdAtMs));
  const last = Math.max(...synced.map((c) => seen.get(c.id)!));
  return {
    created: created.length,
    synced: synced.length,
    failed: r.failed,
    sustainedPerSec: perSecond(synced.length, last - first),
    commitToBooking: summarize(samples),
    overhead: summarize(samples.map((s) => s - opts.latencyMs)),
    cpuMsEach: cpuMs / Math.max(1, created.length),
    settled,
  };
}
