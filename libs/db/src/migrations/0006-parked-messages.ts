/**
 * Nothing accepted is dropped silently. booking-api parks what it cannot process
 * for a reason other than an outage, so one bad message stops neither its
 * consumer nor the outbox relay, and an operator can see and replay it:
 * - `inbound_parked`: Cal.com deliveries the inbound applier kept failing on
 *   (the gateway had already answered 200), with the raw message.
 * - `outbox.parked_at` / `publish_error`: rows the relay cannot encode or that
 *   the server keeps refusing; the relay skips them and publishes the rest.
 */
import type { Migration } from './index';

export const parkedMessages: Migration = {
  name: '0006-parked-messages',
  async up(run) {
    await run(`CREATE TABLE inbound_parked (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      stream VARCHAR(128) NOT NULL,
      stream_seq BIGINT NOT NULL,
      subject VARCHAR(255) NOT NULL,
      tenant_id VARCHAR(63) NULL,
      headers MEDIUMTEXT NOT NULL,
      payload LONGTEXT NOT NULL,
      error VARCHAR(1000) NOT NULL,
      deliveries INT NOT NULL,
      parked_at DATETIME(3) NOT NULL,
      -- a redelivery of a message already parked (crash before the ack) parks nothing twice
      UNIQUE KEY ux_inbound_parked_seq (stream, stream_seq),
      KEY ix_inbound_parked_tenant (tenant_id, parked_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await run(`ALTER TABLE outbox
      ADD COLUMN parked_at DATETIME(3) NULL AFTER publish_attempts,
      ADD COLUMN publish_error VARCHAR(1000) NULL AFTER parked_at`);
  },
  async down(run) {
    await run('ALTER TABLE outbox DROP COLUMN publish_error, DROP COLUMN parked_at');
    await run('DROP TABLE IF EXISTS inbound_parked');
  },
};
