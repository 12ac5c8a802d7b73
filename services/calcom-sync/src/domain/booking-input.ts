/** The Cal.com create body for an appointment: attendee and our metadata (the exactly-once key). */
import { canonicalTimeZone } from '@calsync/platform';
import type { AppointmentRow } from '@calsync/db';
import type { CreateBookingInput } from './calcom-port';

export function createInput(tenantId: string, row: AppointmentRow): CreateBookingInput {
  const attendee: { name: string; timeZone: string; email?: string; phoneNumber?: string } = {
    name: row.customer_name,
    // Rows written before zones were canonicalized may hold `EUROPE/BERLIN`.
    timeZone: canonicalTimeZone(row.customer_time_zone) ?? row.customer_time_zone,
  };
  if (row.customer_email) attendee.email = row.customer_email;
  if (row.customer_phone) attendee.phoneNumber = row.customer_phone;
  // Metadata limits (FACTS): ≤ 50 keys, keys ≤ 40 chars, string values ≤ 500 chars.
  return {
    eventTypeId: Number(row.event_type_id),
    start: row.start_at,
    attendee,
    metadata: { appointmentId: row.id, tenantId, origin: row.origin },
  };
}
