/**
 * Streams, subjects and durable consumers (SPEC §5). This file is the only place
 * a subject is spelled. A namespace prefixes every stream and subject so test
 * runs (and several environments on one NATS) never collide; production uses none.
 */
import { z } from 'zod';

export const APPOINTMENT_EVENTS = [
  'booked',
  'rescheduled',
  'cancelled',
  'updated',
  'sync-requested',
] as const;
export type AppointmentEventName = (typeof APPOINTMENT_EVENTS)[number];

export const SYNC_OUTCOMES = ['synced', 'failed', 'review'] as const;
export type SyncOutcome = (typeof SYNC_OUTCOMES)[number];

export const namespaceSchema = z
  .string()
  .regex(/^[a-z0-9_-]{0,40}$/, 'lower-case letters, digits, "_" and "-" only (max 40)');

export interface StreamDefinition {
  name: string;
  subjects: string[];
  description: string;
}

export interface ConsumerDefinition {
  stream: string;
  durable: string;
  filterSubject: string;
  /** How long the server waits for an ack before redelivering. Workers call working() on long calls. */
  ackWaitMs: number;
  /** -1: attempts are counted in MySQL (a refused or rate-limited call is no attempt), not by redeliveries. */
  maxDeliver: number;
  maxAckPending: number;
}

export type Topology = ReturnType<typeof createTopology>;

export function createTopology(namespace = '') {
  namespaceSchema.parse(namespace);
  const p = namespace ? `${namespace}.` : '';
  const s = namespace ? `${namespace.toUpperCase().replace(/-/g, '_')}_` : '';

  const streams = {
    appointments: {
      name: `${s}APPOINTMENTS`,
      subjects: [`${p}appointments.>`],
      description: 'Local appointment changes, published from the booking-api outbox',
    },
    calcomInbound: {
      name: `${s}CALCOM_INBOUND`,
      subjects: [`${p}calcom.inbound.>`],
      description: 'Verified Cal.com webhook deliveries, published by webhook-gateway',
    },
    syncResults: {
      name: `${s}SYNC_RESULTS`,
      subjects: [`${p}sync.>`],
      description: 'Outcome of each push to Cal.com, published by calcom-sync',
    },
  } satisfies Record<string, StreamDefinition>;

  const subjects = {
    appointment: (tenantId: string, appointmentId: string, event: AppointmentEventName) =>
      `${p}appointments.${tenantId}.${appointmentId}.${event}`,
    calcomInbound: (tenantId: string, trigger: string) => `${p}calcom.inbound.${tenantId}.${trigger}`,
    syncResult: (tenantId: string, appointmentId: string, outcome: SyncOutcome) =>
      `${p}sync.${tenantId}.${appointmentId}.${outcome}`,
    /** Every outcome for one appointment: what the booking API waits on. */
    syncResultsOf: (tenantId: string, appointmentId: string) => `${p}sync.${tenantId}.${appointmentId}.*`,
    /** Every appointment change of one tenant: what the console's live events follow. */
    appointmentsOfTenant: (tenantId: string) => `${p}appointments.${tenantId}.>`,
    /** Every sync outcome of one tenant: what the console's live events follow. */
    syncResultsOfTenant: (tenantId: string) => `${p}sync.${tenantId}.>`,
  };

  const consumers = {
    calcomSync: {
      stream: streams.appointments.name,
      durable: 'calcom-sync',
      filterSubject: `${p}appointments.>`,
      ackWaitMs: 60_000,
      maxDeliver: -1,
      maxAckPending: 256,
    },
    inboundApplier: {
      stream: streams.calcomInbound.name,
      durable: 'booking-api-inbound',
      filterSubject: `${p}calcom.inbound.>`,
      ackWaitMs: 30_000,
      // Unlimited: an outage is waited out; a poison message is parked in MySQL by the consumer.
      maxDeliver: -1,
      maxAckPending: 64,
    },
  } satisfies Record<string, ConsumerDefinition>;

  return { namespace, streams, subjects, consumers };
}
