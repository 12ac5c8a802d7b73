/** The dependencies and per-appointment context the sync rules work with. */
import type { AppointmentEventV1, Origin, SyncAction, SyncOutcome } from '@calsync/contracts';
import type { TenantReader, TenantRecord } from '@calsync/db';
import type { Clock, Logger } from '@calsync/platform';
import type { SyncStateStore } from '@calsync/sync-state';
import type { TenantRateLimiter } from '@calsync/calcom-access';
import type { SyncMetrics } from '../metrics';
import type { CalcomGateway } from './calcom-port';
import type { AttemptsRepo } from './ports';
import type { TenantGate } from './tenant-gate';

export interface PublishedResult {
  tenantId: string;
  appointmentId: string;
  version: number;
  outcome: SyncOutcome;
  action: SyncAction;
  attempts: number;
  calcomBookingUid: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  sourceEventId: string | undefined;
  origin: Origin;
  traceparent: string | undefined;
}

export interface SyncDeps {
  /** The sync-state protocol: every write of the sync columns goes through it. */
  store: SyncStateStore;
  /** The attempts audit. */
  attempts: AttemptsRepo;
  tenants: TenantReader;
  gatewayFor(tenant: TenantRecord): CalcomGateway;
  limiter: TenantRateLimiter;
  /** Breaker and budget together: may the tenant call Cal.com now? */
  gate: TenantGate;
  /** Publishes a SYNC_RESULTS message; called only after the DB write committed. */
  publishResult(r: PublishedResult): Promise<void>;
  metrics: SyncMetrics;
  logger: Logger;
  clock: Clock;
  workerId: string;
  retryDelaysMs: readonly number[];
  lockSeconds: number;
  /** Test-only failpoint: runs after Cal.com answered a create, before the DB write. */
  afterCreateAnswered?: () => void;
}

/** What the consume loop does with the message. */
export type Disposition = { kind: 'ack' } | { kind: 'nak'; delayMs: number } | { kind: 'term' };
export const ACK: Disposition = { kind: 'ack' };
export const TERM: Disposition = { kind: 'term' };
export const nak = (delayMs: number): Disposition => ({
  kind: 'nak',
  delayMs: Math.max(0, Math.round(delayMs)),
});

/** Why the worker looks at an appointment: an APPOINTMENTS event, or the scheduler. */
export interface Trigger {
  origin: Origin;
  traceparent: string | undefined;
  event?: AppointmentEventV1 | undefined;
}

/** One appointment being worked on, under its lease. */
export interface Work {
  tenant: TenantRecord;
  appointmentId: string;
  trigger: Trigger;
  gateway: CalcomGateway;
  owner: string;
  log: Record<string, unknown>;
  /** Set by the heartbeat when the lease could not be renewed: stop at the next step. */
  lost: boolean;
  /** The last Cal.com action that succeeded (reported in SYNC_RESULTS). */
  lastAction: SyncAction;
  /** Set once Cal.com confirmed a change (latency is observed once). */
  confirmed: boolean;
}
