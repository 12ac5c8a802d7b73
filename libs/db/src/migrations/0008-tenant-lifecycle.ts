/**
 * Onboarding, secret rotation and offboarding (SPEC §4.1):
 * - `calcom_webhook_id`: the subscription booking-api registered in Cal.com, so
 *   rotation can PATCH it and offboarding can DELETE it.
 * - `calcom_webhook_secret_prev_enc` + `_rotated_at`: the secret before the last
 *   rotation, which webhook-gateway still accepts for a grace period, because
 *   Cal.com may sign deliveries already in flight with it.
 * - `removed_at`: an offboarded tenant keeps its row (appointments and the audit
 *   reference it and stay readable), but readers treat it as unknown. Its
 *   secrets and admin-token hash are erased, hence the NULLable columns.
 * - `inbound_parked.redriven_at` / `redrive_count`: an operator re-drove the
 *   parked delivery (republished to CALCOM_INBOUND).
 */
import type { Migration } from './index';

export const tenantLifecycle: Migration = {
  name: '0008-tenant-lifecycle',
  async up(run) {
    await run(`ALTER TABLE tenants
      ADD COLUMN calcom_webhook_id VARCHAR(64) NULL AFTER calcom_webhook_secret_enc,
      ADD COLUMN calcom_webhook_secret_prev_enc TEXT NULL AFTER calcom_webhook_id,
      ADD COLUMN calcom_webhook_secret_rotated_at DATETIME(3) NULL AFTER calcom_webhook_secret_prev_enc,
      ADD COLUMN removed_at DATETIME(3) NULL AFTER updated_at,
      MODIFY admin_token_hash CHAR(64) NULL,
      MODIFY calcom_api_key_enc TEXT NULL`);
    await run(`ALTER TABLE inbound_parked
      ADD COLUMN redriven_at DATETIME(3) NULL AFTER parked_at,
      ADD COLUMN redrive_count INT NOT NULL DEFAULT 0 AFTER redriven_at`);
  },
  async down(run) {
    await run('ALTER TABLE inbound_parked DROP COLUMN redrive_count, DROP COLUMN redriven_at');
    // Fails while an offboarded tenant (NULL secrets) exists: delete those rows first.
    await run(`ALTER TABLE tenants
      MODIFY calcom_api_key_enc TEXT NOT NULL,
      MODIFY admin_token_hash CHAR(64) NOT NULL,
      DROP COLUMN removed_at,
      DROP COLUMN calcom_webhook_secret_rotated_at,
      DROP COLUMN calcom_webhook_secret_prev_enc,
      DROP COLUMN calcom_webhook_id`);
  },
};
