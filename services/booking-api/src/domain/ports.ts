/**
 * What booking-api's domain needs from the outside world, with the methods it calls. db/
 * (the repositories), messaging/ (the sync-result waiter, the re-drive publish) and calcom/
 * (slots) implement them; the composition root (app.ts) builds those and hands them in, so
 * nothing in domain/ imports db/, messaging/ or http/. The console's feed (LiveSource) is
 * declared beside its events, in live-events.ts.
 *
 * Methods that take a `tx` run inside the caller's transaction; the ones that lock say so.
 */
import type { AppointmentRow, TenantRecord, Tx } from '@calsync/db';
import type { AppointmentEventV1, AppointmentStatus, Origin, SyncStatus } from '@calsync/contracts';

/* ---- appointments (db/appointments-repo.ts) ---- */

/** Where a booking lives in Cal.com. */
export interface CalcomLink {
  uid: string;
  bookingId: number | null;
}

export interface NewAppointment {
  id: string;
  tenantId: string;
  eventTypeId: number;
  start: Date;
  end: Date;
  origin: Origin;
  customer: { name: string; email: string | null; phone: string | null; timeZone: string };
  notes: string | null;
}

export interface ListFilter {
  from?: Date | undefined;
  to?: Date | undefined;
  status?: AppointmentStatus | undefined;
  syncStatus?: SyncStatus | undefined;
  requiresManualReview?: boolean | undefined;
  after?: { start: Date; id: string } | undefined;
  limit: number;
}

/** Booked appointments of one event type overlapping [start, end), other than `excludeId`. */
export type OverlapLookup<T> = (
  tenantId: string,
  eventTypeId: number,
  start: Date,
  end: Date,
  tx: Tx,
  excludeId?: string,
) => Promise<T>;

/** booking-api's own columns of an appointment; the sync columns change through @calsync/sync-state. */
export interface AppointmentsRepo {
  /** `forUpdate` locks the row (inside `tx`). */
  get(tenantId: string, id: string, tx?: Tx, forUpdate?: boolean): Promise<AppointmentRow | null>;
  /** Locks the event type (every writer of a booked start takes it first); null when the tenant has no such one. */
  lockEventType(tenantId: string, eventTypeId: number, tx: Tx): Promise<{ lengthMinutes: number } | null>;
  /** One overlapping appointment's id, or null: a plain read (the event type's lock serialises writers). */
  findOverlap: OverlapLookup<string | null>;
  /** A booked appointment, as stored: local and unsynced, or (`calcom` given) already in Cal.com. */
  insert(a: NewAppointment, now: Date, tx: Tx, calcom?: CalcomLink): Promise<AppointmentRow>;
  /** A change Cal.com must hear about, on the row the caller locked. */
  applyLocalChange(
    row: AppointmentRow,
    change: { start?: Date; end?: Date; status?: AppointmentStatus; cancelReason?: string | null },
    now: Date,
    tx: Tx,
    opts?: { resolvesReview?: boolean },
  ): Promise<void>;
  /** Details Cal.com cannot take: no sync state changes. */
  updateDetails(
    tenantId: string,
    id: string,
    d: { customer?: NewAppointment['customer']; notes?: string | null },
    now: Date,
    tx: Tx,
  ): Promise<void>;
  /** By start, then id; one more than `limit` tells there is a next page. */
  list(tenantId: string, f: ListFilter): Promise<AppointmentRow[]>;
}

/* ---- the outbox (db/outbox-repo.ts) ---- */

export interface OutboxRepo {
  /** Appends the event in the caller's transaction; the relay publishes it after commit. */
  add(event: AppointmentEventV1, traceparent: string | undefined, tx: Tx): Promise<void>;
}

/* ---- inbound Cal.com changes (db/inbound-repo.ts) ---- */

/** cancelled: cancelled/rejected in Cal.com; superseded: replaced by a reschedule or unlinked by a resolution. */
export type TombstoneReason = 'cancelled' | 'superseded';

/** The inbound applier's lookups: each locks the rows it returns. */
export interface InboundRepo {
  findByUid(tenantId: string, uid: string, tx: Tx): Promise<AppointmentRow | null>;
  findByBookingId(tenantId: string, bookingId: number, tx: Tx): Promise<AppointmentRow | null>;
  /** Up to 20 overlapping appointments' ids, locked. */
  findOverlaps: OverlapLookup<string[]>;
  /** Remembers a uid that is gone; `cancelled` is never downgraded. */
  tombstone(tenantId: string, uid: string, reason: TombstoneReason, now: Date, tx: Tx): Promise<void>;
  tombstoneOf(tenantId: string, uid: string, tx: Tx): Promise<TombstoneReason | null>;
}

/* ---- the admin sync endpoints (db/sync-repo.ts) ---- */

export interface SyncRepo {
  /** Appointments changed since `since` (created, edited or synced), by origin and sync status. */
  statusCounts(
    tenantId: string,
    since: Date,
  ): Promise<{ origin: Origin; sync_status: SyncStatus; n: number }[]>;
  reviewCount(tenantId: string): Promise<number>;
  /** Oldest flag first. */
  reviewItems(tenantId: string, limit: number): Promise<AppointmentRow[]>;
}

/* ---- tenants (db/tenants-repo.ts; reads with decrypted secrets go through @calsync/db's TenantReader) ---- */

export interface TenantWrite {
  id: string;
  name: string;
  timeZone: string;
  adminTokenHash: string;
  calcomApiKeyEnc: string;
  calcomWebhookSecretEnc: string | null;
  /** The subscription booking-api registered in Cal.com; undefined keeps the stored one. */
  calcomWebhookId?: string | null;
  rateLimitPerMinute: number;
  retellApiKeyEnc: string | null;
  eventTypes: { id: number; title: string; lengthInMinutes: number }[];
}

export type UpsertResult = 'created' | 'replaced' | 'event_type_taken' | 'token_taken';

export interface TenantsRepo {
  upsert(t: TenantWrite, now: Date): Promise<UpsertResult>;
  /** Rotation: the sealed current and previous webhook secrets, and when the previous one was replaced. */
  setWebhookSecrets(
    tenantId: string,
    s: { currentEnc: string | null; previousEnc: string | null; rotatedAt: Date | null },
    now: Date,
  ): Promise<void>;
  /** Offboarding: secrets erased, event types released. False when there was no live tenant. */
  markRemoved(tenantId: string, now: Date): Promise<boolean>;
  /** When the tenant was offboarded; null when it is live, undefined when it never existed. */
  removedAt(tenantId: string): Promise<Date | null | undefined>;
  /** Live tenant ids after `cursor`, in id order; one more than `limit` tells there is a next page. */
  pageIds(cursor: string | undefined, limit: number): Promise<string[]>;
}

/* ---- idempotency keys (db/idempotency-repo.ts) ---- */

export type ClaimResult =
  | { kind: 'claimed' }
  | { kind: 'replay'; status: number; body: string }
  | { kind: 'in_progress' }
  | { kind: 'mismatch' };

/** Keys scoped to tenant and scope, kept 24 h; a claim whose holder died is taken over after its lease. */
export interface IdempotencyRepo {
  claim(tenantId: string, scope: string, key: string, requestHash: string, now: Date): Promise<ClaimResult>;
  complete(tenantId: string, scope: string, key: string, status: number, body: string): Promise<void>;
  /** A failed request releases its key so the client can retry. */
  release(tenantId: string, scope: string, key: string): Promise<void>;
  /** The newest key of a scope (keys that sort in order, like Retell's per-call sequence). */
  latest(
    tenantId: string,
    scope: string,
  ): Promise<{ key: string; requestHash: string; createdAt: Date } | null>;
}

/* ---- the phone agent (db/retell-repo.ts, messaging/sync-results.ts, calcom/slots.ts) ---- */

export interface RetellRepo {
  /** Booked appointments of any event type overlapping [from, to): the host is busy for all of them. */
  bookedOverlapping(tenantId: string, from: Date, to: Date): Promise<{ start: Date; end: Date }[]>;
  /** The caller's booked appointments starting in [from, to), earliest first. */
  bookedByPhone(tenantId: string, phone: string, from: Date, to: Date): Promise<AppointmentRow[]>;
}

/**
 * Waits for calcom-sync's outcome for one appointment, up to `deadline` (epoch ms): `check`
 * reads the current state, and a value ends the wait; undefined when none came in time.
 */
export type SyncResultWaiter = <T>(
  tenantId: string,
  appointmentId: string,
  check: () => Promise<T | undefined>,
  deadline: number,
) => Promise<T | undefined>;

export interface SlotQuery {
  eventTypeId: number;
  from: Date;
  to: Date;
  timeZone: string;
}

/** Cal.com's slot starts for the query; throws on any failure. */
export type SlotsPort = (tenant: TenantRecord, q: SlotQuery, timeoutMs: number) => Promise<Date[]>;

/* ---- parked inbound deliveries (db/inbound-parked-repo.ts, messaging/raw-publish.ts) ---- */

export interface ParkedDelivery {
  stream: string;
  streamSeq: number;
  subject: string;
  tenantId: string | null;
  headers: Record<string, string>;
  payload: string;
  error: string;
  deliveries: number;
}

export interface ParkedRow extends ParkedDelivery {
  id: number;
  parkedAt: Date;
  redrivenAt: Date | null;
  redriveCount: number;
}

/** The operator's view and re-drive of parked deliveries. */
export interface ParkedReads {
  list(q: { limit: number; tenantId?: string | undefined; includeRedriven: boolean }): Promise<ParkedRow[]>;
  get(id: number): Promise<ParkedRow | null>;
  markRedriven(id: number, now: Date): Promise<void>;
}

/** Publishes raw bytes with headers and waits for the stream's ack (a re-drive). */
export type RawPublish = (subject: string, payload: string, headers: Record<string, string>) => Promise<void>;
