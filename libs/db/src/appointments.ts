/** The appointment row, and its two outward shapes: the API resource (SPEC §4.2) and the event snapshot. */
import type { AppointmentSnapshot, AppointmentStatus, Origin, SyncStatus } from '@calsync/contracts';

export interface AppointmentRow {
  id: string;
  tenant_id: string;
  event_type_id: number | string;
  start_at: Date;
  end_at: Date;
  status: AppointmentStatus;
  origin: Origin;
  customer_name: string;
  customer_email: string | null;
  customer_phone: string | null;
  customer_time_zone: string;
  notes: string | null;
  cancel_reason: string | null;
  version: number;
  synced_version: number;
  sync_status: SyncStatus;
  calcom_booking_uid: string | null;
  calcom_booking_id: number | string | null;
  sync_attempts: number;
  sync_last_attempt_at: Date | null;
  sync_error_code: string | null;
  sync_error_message: string | null;
  sync_verified_at: Date | null;
  requires_manual_review: number;
  manual_review_flagged_at: Date | null;
  manual_review_reason: string | null;
  manual_review_calcom: string | null;
  last_synced_start_at: Date | null;
  last_synced_status: AppointmentStatus | null;
  sync_call_in_flight: string | null;
  sync_call_start_at: Date | null;
  sync_call_id: string | null;
  sync_call_version: number | null;
  sync_call_uid: string | null;
  sync_lock_owner: string | null;
  sync_lock_until: Date | null;
  sync_due_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

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
