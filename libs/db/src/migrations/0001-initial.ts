/**
 * The schema. Times are DATETIME(3) holding UTC. Every index names the query it serves.
 */
import type { Migration } from './index';

const tables = [
  `CREATE TABLE tenants (
    id VARCHAR(63) NOT NULL PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    time_zone VARCHAR(64) NOT NULL,
    admin_token_hash CHAR(64) NOT NULL,
    calcom_api_key_enc TEXT NOT NULL,
    calcom_webhook_secret_enc TEXT NULL,
    calcom_rate_limit_per_minute INT NOT NULL DEFAULT 120,
    retell_api_key_enc TEXT NULL,
    created_at DATETIME(3) NOT NULL,
    updated_at DATETIME(3) NOT NULL,
    -- admin auth: token hash -> tenant
    UNIQUE KEY ux_tenants_admin_token (admin_token_hash)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,

  `CREATE TABLE tenant_event_types (
    tenant_id VARCHAR(63) NOT NULL,
    id BIGINT NOT NULL,
    title VARCHAR(200) NOT NULL,
    length_minutes INT NOT NULL,
    position INT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    -- a Cal.com event type belongs to exactly one tenant (closes cross-tenant routing)
    UNIQUE KEY ux_event_types_id (id),
    CONSTRAINT fk_event_types_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,

  `CREATE TABLE appointments (
    id CHAR(36) NOT NULL PRIMARY KEY,
    tenant_id VARCHAR(63) NOT NULL,
    event_type_id BIGINT NOT NULL,
    start_at DATETIME(3) NOT NULL,
    end_at DATETIME(3) NOT NULL,
    status ENUM('booked','cancelled') NOT NULL,
    origin ENUM('retell','admin','calcom','system') NOT NULL,
    customer_name VARCHAR(200) NOT NULL,
    customer_email VARCHAR(254) NULL,
    customer_phone VARCHAR(16) NULL,
    customer_time_zone VARCHAR(64) NOT NULL,
    notes TEXT NULL,
    cancel_reason VARCHAR(2000) NULL,
    -- every local change bumps version; calcom-sync records the version it pushed
    version INT NOT NULL DEFAULT 1,
    synced_version INT NOT NULL DEFAULT 0,
    sync_status ENUM('pending','synced','failed','skipped') NOT NULL DEFAULT 'pending',
    calcom_booking_uid VARCHAR(100) NULL,
    calcom_booking_id BIGINT NULL,
    sync_attempts INT NOT NULL DEFAULT 0,
    sync_last_attempt_at DATETIME(3) NULL,
    sync_error_code VARCHAR(64) NULL,
    sync_error_message VARCHAR(1000) NULL,
    sync_verified_at DATETIME(3) NULL,
    requires_manual_review TINYINT(1) NOT NULL DEFAULT 0,
    manual_review_flagged_at DATETIME(3) NULL,
    manual_review_reason VARCHAR(64) NULL,
    manual_review_calcom LONGTEXT NULL,
    last_synced_start_at DATETIME(3) NULL,
    last_synced_status ENUM('booked','cancelled') NULL,
    -- a Cal.com call whose outcome is not yet recorded (create/cancel/reschedule): look before retrying
    sync_call_in_flight VARCHAR(16) NULL,
    sync_lock_owner VARCHAR(64) NULL,
    sync_lock_until DATETIME(3) NULL,
    created_at DATETIME(3) NOT NULL,
    updated_at DATETIME(3) NOT NULL,
    -- list by tenant and time window, cursor (start_at, id)
    KEY ix_appt_tenant_start (tenant_id, start_at, id),
    -- overlap check on create/reschedule
    KEY ix_appt_overlap (tenant_id, event_type_id, status, start_at),
    -- inbound webhooks and reconciliation match by Cal.com uid / id
    UNIQUE KEY ux_appt_calcom_uid (calcom_booking_uid),
    KEY ix_appt_calcom_id (tenant_id, calcom_booking_id),
    -- review queue
    KEY ix_appt_review (tenant_id, requires_manual_review, manual_review_flagged_at),
    -- sync status report (since) and list filter by sync status
    KEY ix_appt_tenant_created (tenant_id, created_at),
    KEY ix_appt_tenant_sync (tenant_id, sync_status, start_at),
    -- Retell: the caller's appointments by phone
    KEY ix_appt_phone (tenant_id, customer_phone, start_at),
    CONSTRAINT fk_appt_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,

  `CREATE TABLE outbox (
    seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    id CHAR(36) NOT NULL,
    tenant_id VARCHAR(63) NOT NULL,
    appointment_id CHAR(36) NOT NULL,
    event VARCHAR(32) NOT NULL,
    origin ENUM('retell','admin','calcom','system') NOT NULL,
    payload LONGTEXT NOT NULL,
    traceparent VARCHAR(64) NULL,
    created_at DATETIME(3) NOT NULL,
    published_at DATETIME(3) NULL,
    publish_attempts INT NOT NULL DEFAULT 0,
    UNIQUE KEY ux_outbox_id (id),
    -- the relay: unpublished rows in commit order; also purge of old published rows
    KEY ix_outbox_pending (published_at, seq)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,

  `CREATE TABLE idempotency_keys (
    tenant_id VARCHAR(63) NOT NULL,
    scope VARCHAR(128) NOT NULL,
    idem_key VARCHAR(255) NOT NULL,
    request_hash CHAR(64) NOT NULL,
    state ENUM('in_progress','done') NOT NULL,
    response_status INT NULL,
    response_body MEDIUMTEXT NULL,
    locked_until DATETIME(3) NOT NULL,
    expires_at DATETIME(3) NOT NULL,
    created_at DATETIME(3) NOT NULL,
    PRIMARY KEY (tenant_id, scope, idem_key),
    -- purge of expired keys
    KEY ix_idem_expires (expires_at)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,

  `CREATE TABLE sync_attempts (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant_id VARCHAR(63) NOT NULL,
    appointment_id CHAR(36) NOT NULL,
    action VARCHAR(16) NOT NULL,
    outcome VARCHAR(32) NOT NULL,
    attempt INT NOT NULL,
    http_status INT NULL,
    error_code VARCHAR(64) NULL,
    error_message VARCHAR(1000) NULL,
    calcom_booking_uid VARCHAR(100) NULL,
    duration_ms INT NULL,
    worker VARCHAR(64) NULL,
    created_at DATETIME(3) NOT NULL,
    -- audit of one appointment
    KEY ix_attempts_appt (tenant_id, appointment_id, id),
    -- retention purge
    KEY ix_attempts_created (created_at)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,

  `CREATE TABLE webhook_deliveries (
    tenant_id VARCHAR(63) NOT NULL,
    delivery_id CHAR(64) NOT NULL,
    trigger_event VARCHAR(64) NOT NULL,
    received_at DATETIME(3) NOT NULL,
    published_at DATETIME(3) NULL,
    PRIMARY KEY (tenant_id, delivery_id),
    -- purge after the 24 h de-duplication window
    KEY ix_deliveries_received (received_at)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,

  `CREATE TABLE reconcile_cursors (
    tenant_id VARCHAR(63) NOT NULL PRIMARY KEY,
    updated_since DATETIME(3) NULL,
    last_run_at DATETIME(3) NULL,
    CONSTRAINT fk_reconcile_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
];

export const initial: Migration = {
  name: '0001-initial',
  async up(run) {
    for (const sql of tables) await run(sql);
  },
  async down(run) {
    for (const t of [
      'reconcile_cursors',
      'webhook_deliveries',
      'sync_attempts',
      'idempotency_keys',
      'outbox',
      'appointments',
      'tenant_event_types',
      'tenants',
    ])
      await run(`DROP TABLE IF EXISTS ${t}`);
  },
};
