/**
 * The sync-state protocol (libs/sync-state): an in-flight Cal.com call records
 * its own id, the version it carries and the booking it acts on, so a result,
 * a lookup or an echo is recorded for exactly that call and version; and
 * `sync_due_at` makes MySQL the work list of calcom-sync's scheduler (parked,
 * backed-off and lost work is picked up from here, never held in NATS).
 */
import type { Migration } from './index';

export const syncState: Migration = {
  name: '0005-sync-state',
  async up(run) {
    await run(`ALTER TABLE appointments
      ADD COLUMN sync_call_id VARCHAR(40) NULL AFTER sync_call_start_at,
      ADD COLUMN sync_call_version INT NULL AFTER sync_call_id,
      ADD COLUMN sync_call_uid VARCHAR(100) NULL AFTER sync_call_version,
      ADD COLUMN sync_due_at DATETIME(3) NULL AFTER sync_lock_until,
      ADD KEY ix_appt_sync_due (sync_due_at)`);
    // Calls in flight before this migration carried the row's version (the old behaviour).
    await run(`UPDATE appointments SET sync_call_id = UUID(), sync_call_version = version,
      sync_call_uid = calcom_booking_uid, sync_due_at = NOW(3) WHERE sync_call_in_flight IS NOT NULL`);
    await run(`UPDATE appointments SET sync_due_at = NOW(3)
      WHERE sync_due_at IS NULL AND version > synced_version AND requires_manual_review = 0`);
  },
  async down(run) {
    await run(`ALTER TABLE appointments DROP KEY ix_appt_sync_due, DROP COLUMN sync_due_at,
      DROP COLUMN sync_call_uid, DROP COLUMN sync_call_version, DROP COLUMN sync_call_id`);
  },
};
