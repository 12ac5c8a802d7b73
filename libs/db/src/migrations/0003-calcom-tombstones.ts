/**
 * booking-api's inbound applier: Cal.com booking uids that are gone (cancelled
 * or rejected before we knew them, or superseded by a reschedule or a resolution). Webhooks can
 * arrive out of order; a late BOOKING_CREATED for a dead uid must not resurrect
 * it as a new appointment.
 */
import type { Migration } from './index';

export const calcomTombstones: Migration = {
  name: '0003-calcom-tombstones',
  async up(run) {
    await run(`CREATE TABLE calcom_booking_tombstones (
      tenant_id VARCHAR(63) NOT NULL,
      calcom_booking_uid VARCHAR(100) NOT NULL,
      reason ENUM('cancelled','superseded') NOT NULL,
      created_at DATETIME(3) NOT NULL,
      PRIMARY KEY (tenant_id, calcom_booking_uid),
      -- retention purge
      KEY ix_tombstones_created (created_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  },
  async down(run) {
    await run('DROP TABLE IF EXISTS calcom_booking_tombstones');
  },
};
