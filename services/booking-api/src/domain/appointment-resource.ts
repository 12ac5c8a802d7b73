/**
 * An appointment row's two outward shapes: the API resource (SPEC §4.2) and the snapshot
 * its events carry (the contract in @calsync/contracts). booking-api owns both.
 */
import type { AppointmentRow } from '@calsync/db';
import type { AppointmentSnapshot, AppointmentStatus, Origin, SyncStatus } from '@calsync/contracts';

export interface Appointment {
  id: string;
  tenantId: string;
  eventTypeId: number;
  start: string;
  end: string;
  status: AppointmentStatus;
  origin: Origin;
  customer: { name: string; email: string | null; phone: string | null; timeZone: string };
  notes: string | null;
  sync: {
    status: SyncStatus;
    calcomBookingUid: string | null;
    calcomBookingId: number | null;
    attempts: number;
    lastAttemptAt: string | null;
    errorCode: string | null;
    errorMessage: string | null;
    verifiedAt: string | null;
    requiresManualReview: boolean;
    flaggedAt: string | null;
  };
  createdAt: string;
  updatedAt: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function customerOf(r: AppointmentRow): Appointment['customer'] {
  return {
    name: r.customer_name,
    email: r.customer_email,
    phone: r.customer_phone,
    timeZone: r.customer_time_zone,
  };
}

/** The API resource: the event snapshot plus origin, sync state and timestamps. */
export function toAppointment(r: AppointmentRow): Appointment {
  return {
    ...toSnapshot(r),
    customer: customerOf(r),
    origin: r.origin,
    notes: r.notes,
    sync: {
      // SPEC §6.8: held in review reads as failed with a code naming why, never "pending".
      status: r.requires_manual_review === 1 ? 'failed' : r.sync_status,
      calcomBookingUid: r.calcom_booking_uid,
      calcomBookingId: r.calcom_booking_id === null ? null : Number(r.calcom_booking_id),
      attempts: r.sync_attempts,
      lastAttemptAt: iso(r.sync_last_attempt_at),
      errorCode: r.sync_error_code ?? (r.requires_manual_review === 1 ? r.manual_review_reason : null),
      errorMessage: r.sync_error_message,
      verifiedAt: iso(r.sync_verified_at),
      requiresManualReview: r.requires_manual_review === 1,
      flaggedAt: iso(r.manual_review_flagged_at),
    },
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export function toSnapshot(r: AppointmentRow): AppointmentSnapshot {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    eventTypeId: Number(r.event_type_id),
    start: r.start_at.toISOString(),
    end: r.end_at.toISOString(),
    status: r.status,
    customer: customerOf(r),
    notes: r.notes,
  };
}
