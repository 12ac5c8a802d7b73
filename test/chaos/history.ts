/**
 * What the run did, in order: operations (with every HTTP status our services
 * answered), faults, outages. The judge explains review entries from it and a
 * failing seed prints it.
 */
export type Side = 'admin' | 'retell' | 'customer';

export interface OpRecord {
  n: number;
  at: number;
  tenant: string;
  side: Side;
  kind: string;
  /** The appointment it acted on (or created), when known. */
  appointmentId?: string;
  /** The Cal.com booking a customer op acted on / produced. */
  uid?: string;
  newUid?: string;
  start?: string;
  eventTypeId?: number;
  /** A unique customer name per create, to find what a create committed. */
  customerName?: string;
  /** Customer cancel/reschedule: the owning appointment's sync.status just before (`none`, `unknown`). */
  ownerSyncAtOp?: string;
  /** HTTP status of our service (0 = no answer); for customer ops the sandbox's outcome. */
  status: number;
  /** Business outcome: e.g. `201`, `slot_taken`, retell `confirmed`. */
  outcome: string;
  /** True when the op changed local state in a way Cal.com must hear about. */
  localChange: boolean;
  /** A dependency (MySQL or NATS) was down or had just come back. */
  duringOutage: boolean;
  retryAfter?: string | null;
}

export interface FaultRecord {
  n: number;
  at: number;
  what: string;
  tenant?: string;
}

export interface History {
  seed: number;
  ops: OpRecord[];
  faults: FaultRecord[];
  /** Outage windows [from, to) of MySQL or NATS, in ms since epoch; `to` undefined while down. */
  outages: { what: string; from: number; to?: number }[];
  /** HTTP statuses from our services outside the op log (e.g. tenant setup). */
  statuses: { at: number; what: string; status: number; duringOutage: boolean }[];
}

export const newHistory = (seed: number): History => ({
  seed,
  ops: [],
  faults: [],
  outages: [],
  statuses: [],
});

/** Grace after an outage ends: services reconnect with backoff, 503s then are still honest. */
export const OUTAGE_GRACE_MS = 8_000;

export function inOutage(h: History, at: number): boolean {
  return h.outages.some((o) => at >= o.from && (o.to === undefined || at < o.to + OUTAGE_GRACE_MS));
}
