/**
 * Appointment use cases. Every change writes the appointment and its outbox
 * event in one MySQL transaction; the relay publishes after commit. Knows
 * nothing of HTTP: failures are ApiErrors with codes.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '@calsync/platform';
import { ApiError, notFound } from './errors';
import type { AppointmentRow, Db, TenantRecord, Tx } from '@calsync/db';
import { type AppointmentEventName, type AppointmentStatus, type SyncStatus } from '@calsync/contracts';
import type { AppointmentsRepo, NewAppointment, OutboxRepo } from './ports';
import { toAppointment, type Appointment } from './appointment-resource';
import { appendEvent, inTx as inTxShared, type Actor } from './tx';

export type { Actor } from './tx';

export interface CreateInput {
  eventTypeId: number;
  start: Date;
  customer: NewAppointment['customer'];
  notes?: string | null | undefined;
}

export interface PatchInput {
  start?: Date | undefined;
  customer?: NewAppointment['customer'] | undefined;
  notes?: string | null | undefined;
}

export interface ChangeOptions {
  /**
   * Also take the appointment out of the review queue, in the same transaction:
   * calcom-sync leaves flagged appointments alone, so the change would never sync.
   */
  resolveReview?: boolean;
}

export interface ListInput {
  from?: Date | undefined;
  to?: Date | undefined;
  status?: AppointmentStatus | undefined;
  syncStatus?: SyncStatus | undefined;
  requiresManualReview?: boolean | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface AppointmentsDeps {
  db: Db;
  appointments: AppointmentsRepo;
  outbox: OutboxRepo;
  clock: Clock;
  /** Called after a commit that wrote outbox rows: wakes the relay. */
  onCommitted: () => void;
}

export function encodeCursor(row: AppointmentRow): string {
  return Buffer.from(JSON.stringify({ s: row.start_at.toISOString(), i: row.id })).toString('base64url');
}

export function decodeCursor(cursor: string): { start: Date; id: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: unknown; i?: unknown };
    const start = new Date(String(v.s));
    if (typeof v.i !== 'string' || Number.isNaN(start.getTime())) throw new Error('bad');
    return { start, id: v.i };
  } catch {
    throw new ApiError('invalid_request', 'Invalid cursor');
  }
}

export function createAppointmentsService(deps: AppointmentsDeps) {
  const { db, appointments, outbox, clock } = deps;

  const inTx = <T>(fn: (tx: Tx) => Promise<T>) => inTxShared(db, fn);
  const emit = (
    row: AppointmentRow,
    event: AppointmentEventName,
    actor: Actor,
    tx: Tx,
    extra: { previousStart?: Date; reason?: string | null } = {},
  ) => appendEvent({ outbox, clock }, row, event, actor, tx, extra);

  function requireFuture(start: Date) {
    if (start.getTime() <= clock.now().getTime())
      throw new ApiError('invalid_request', 'start must be in the future');
  }

  async function lockSlot(
    tenant: TenantRecord,
    eventTypeId: number,
    start: Date,
    tx: Tx,
    excludeId?: string,
  ) {
    const et = await appointments.lockEventType(tenant.id, eventTypeId, tx);
    if (!et) throw new ApiError('invalid_request', `Unknown eventTypeId ${eventTypeId} for this tenant`);
    const end = new Date(start.getTime() + et.lengthMinutes * 60_000);
    const clash = await appointments.findOverlap(tenant.id, eventTypeId, start, end, tx, excludeId);
    if (clash)
      throw new ApiError('slot_taken', 'The slot overlaps a booked appointment', {
        conflictingAppointmentId: clash,
      });
    return end;
  }

  async function loadForChange(tenantId: string, id: string, tx: Tx): Promise<AppointmentRow> {
    const row = await appointments.get(tenantId, id, tx, true);
    if (!row) throw notFound('Appointment');
    if (row.status === 'cancelled') throw new ApiError('already_cancelled', 'The appointment is cancelled');
    return row;
  }

  async function reload(tenantId: string, id: string, tx: Tx) {
    const row = await appointments.get(tenantId, id, tx);
    if (!row) throw notFound('Appointment');
    return row;
  }

  const service = {
    async create(tenant: TenantRecord, input: CreateInput, actor: Actor): Promise<Appointment> {
      requireFuture(input.start);
      const id = randomUUID();
      const row = await inTx(async (tx) => {
        const end = await lockSlot(tenant, input.eventTypeId, input.start, tx);
        const created = await appointments.insert(
          {
            id,
            tenantId: tenant.id,
            eventTypeId: input.eventTypeId,
            start: input.start,
            end,
            origin: actor.origin,
            customer: input.customer,
            notes: input.notes ?? null,
          },
          clock.now(),
          tx,
        );
        await emit(created, 'booked', actor, tx);
        return created;
      });
      deps.onCommitted();
      return toAppointment(row);
    },

    async get(tenantId: string, id: string): Promise<Appointment> {
      const row = await appointments.get(tenantId, id);
      if (!row) throw notFound('Appointment');
      return toAppointment(row);
    },

    async list(
      tenantId: string,
      input: ListInput,
    ): Promise<{ items: Appointment[]; nextCursor: string | null }> {
      const rows = await appointments.list(tenantId, {
        ...input,
        after: input.cursor ? decodeCursor(input.cursor) : undefined,
      });
      const page = rows.slice(0, input.limit);
      const last = page.at(-1);
      return {
        items: page.map(toAppointment),
        nextCursor: rows.length > input.limit && last ? encodeCursor(last) : null,
      };
    },

    async reschedule(
      tenant: TenantRecord,
      id: string,
      start: Date,
      reason: string | undefined,
      actor: Actor,
      opts: ChangeOptions = {},
    ): Promise<Appointment> {
      requireFuture(start);
      const row = await inTx(async (tx) => {
        const peek = await appointments.get(tenant.id, id, tx);
        if (!peek) throw notFound('Appointment');
        // Lock order everywhere: event type, then appointment.
        const end = await lockSlot(tenant, Number(peek.event_type_id), start, tx, id);
        const current = await loadForChange(tenant.id, id, tx);
        await appointments.applyLocalChange(current, { start, end }, clock.now(), tx, {
          resolvesReview: opts.resolveReview,
        });
        const updated = await reload(tenant.id, id, tx);
        await emit(updated, 'rescheduled', actor, tx, {
          previousStart: current.start_at,
          reason: reason ?? null,
        });
        return updated;
      });
      deps.onCommitted();
      return toAppointment(row);
    },

    async patch(tenant: TenantRecord, id: string, input: PatchInput, actor: Actor): Promise<Appointment> {
      const current = await appointments.get(tenant.id, id);
      if (!current) throw notFound('Appointment');
      const timeChanged = input.start !== undefined && input.start.getTime() !== current.start_at.getTime();
      if (timeChanged) requireFuture(input.start!);
      const row = await inTx(async (tx) => {
        const end = timeChanged
          ? await lockSlot(tenant, Number(current.event_type_id), input.start!, tx, id)
          : undefined;
        const locked = await loadForChange(tenant.id, id, tx);
        await appointments.updateDetails(
          tenant.id,
          id,
          { customer: input.customer, notes: input.notes },
          clock.now(),
          tx,
        );
        if (timeChanged) {
          await appointments.applyLocalChange(locked, { start: input.start!, end: end! }, clock.now(), tx);
        }
        const updated = await reload(tenant.id, id, tx);
        if (timeChanged) await emit(updated, 'rescheduled', actor, tx, { previousStart: locked.start_at });
        else await emit(updated, 'updated', actor, tx);
        return updated;
      });
      deps.onCommitted();
      return toAppointment(row);
    },

    async cancel(
      tenant: TenantRecord,
      id: string,
      reason: string | undefined,
      actor: Actor,
      opts: ChangeOptions = {},
    ): Promise<Appointment> {
      const row = await inTx(async (tx) => {
        const current = await loadForChange(tenant.id, id, tx);
        await appointments.applyLocalChange(
          current,
          { status: 'cancelled', cancelReason: reason ?? null },
          clock.now(),
          tx,
          { resolvesReview: opts.resolveReview },
        );
        const updated = await reload(tenant.id, id, tx);
        await emit(updated, 'cancelled', actor, tx, { reason: reason ?? null });
        return updated;
      });
      deps.onCommitted();
      return toAppointment(row);
    },

    /** Each id in its own transaction: one failure never undoes the others. */
    async bulkCancel(tenant: TenantRecord, ids: string[], reason: string | undefined, actor: Actor) {
      const results: { id: string; ok: boolean; error?: string }[] = [];
      for (const id of ids) {
        try {
          await service.cancel(tenant, id, reason, actor);
          results.push({ id, ok: true });
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          results.push({ id, ok: false, error: err.code });
        }
      }
      return { results };
    },
  };
  return service;
}
export type AppointmentsService = ReturnType<typeof createAppointmentsService>;
