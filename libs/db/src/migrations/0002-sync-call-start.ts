/**
 * calcom-sync: the start time sent with an in-flight Cal.com call. If the call's
 * outcome is unknown (crash, timeout) the booking is looked up around THIS start,
 * which may differ from the appointment's start after a later local reschedule.
 */
import type { Migration } from './index';

export const syncCallStart: Migration = {
  name: '0002-sync-call-start',
  async up(run) {
    await run(
      'ALTER TABLE appointments ADD COLUMN sync_call_start_at DATETIME(3) NULL AFTER sync_call_in_flight',
    );
  },
  async down(run) {
    await run('ALTER TABLE appointments DROP COLUMN sync_call_start_at');
  },
};
