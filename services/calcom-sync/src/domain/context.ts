/** The dependencies and per-message context the sync rules work with. */
import type { AppointmentEventV1, Origin, SyncAction, SyncOutcome } from '@calsync/contracts';
import type { TenantReader, TenantRecord } from '@calsync/db';
import type { Clock, Logger } from '@calsync/platform';
import type { SyncRepository, SyncRow } from '../db/repository';
import type { SyncMetrics } from '../metrics';
import type { BreakerRegistry } from './breakers';
import type { CalcomGateway } from './calcom-port';
import type { TenantRateLimiter } from './rate-limiter';

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
  sourceEventId: string;
  origin: Origin;
  traceparent: string | undefined;
}

export interface SyncDeps {
  repo: SyncRepository;
  tenants: TenantReader;
  gatewayFor(tenant: TenantRecord): CalcomGateway;
  breakers: BreakerRegistry;
  limiter: TenantRateLimiter;
  /** Publishes a SYNC_RESULTS message; called only after the DB write committed. */
  publishResult(r: PublishedResult): Promise<void>;
  metrics: SyncMetrics;
  logger: Logger;
  clock: Clock;
  workerId: string;
  retryDelaysMs: readonly number[];
  lockSeconds: number;
  maxInPlaceRateWaitMs: number;
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

/** One message being worked on, under the appointment's lock. */
export interface Work {
  event: AppointmentEventV1;
  origin: Origin;
  traceparent: string | undefined;
  tenant: TenantRecord;
  gateway: CalcomGateway;
  owner: string;
  log: Record<string, unknown>;
  /** The last Cal.com action that succeeded for this message (reported in SYNC_RESULTS). */
  lastAction: SyncAction;
  /** Set once Cal.com confirmed a change for this message (latency is observed once). */
  confirmed: boolean;
}

export type { SyncRow };
