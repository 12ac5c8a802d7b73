/**
 * Cal.com booking uids are unique per tenant, not across tenants: a uid one
 * tenant's Cal.com account (or a forged webhook) claimed must not block another
 * tenant's insert or link. Every lookup by uid already filters by tenant, so the
 * new key also serves them (tenant_id first).
 */
import type { Migration } from './index';

export const calcomUidPerTenant: Migration = {
  name: '0007-calcom-uid-per-tenant',
  async up(run) {
    await run(`ALTER TABLE appointments
      ADD UNIQUE KEY ux_appt_tenant_calcom_uid (tenant_id, calcom_booking_uid),
      DROP KEY ux_appt_calcom_uid`);
  },
  async down(run) {
    // Fails if two tenants now share a uid: the old global key cannot hold them.
    await run(`ALTER TABLE appointments
      ADD UNIQUE KEY ux_appt_calcom_uid (calcom_booking_uid),
      DROP KEY ux_appt_tenant_calcom_uid`);
  },
};
