/**
 * The appointments table's row, as every package that reads the table sees it. Its outward
 * shapes (the API resource, the event snapshot) belong to booking-api, which owns appointments.
 */
import type { AppointmentStatus, Origin, SyncStatus } from '@calsync/contracts';

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
