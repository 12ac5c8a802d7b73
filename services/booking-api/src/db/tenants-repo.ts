/** Tenant writes and the admin-token lookup. Reads with decrypted secrets go through @calsync/db's TenantReader. */
import type { Db } from '@calsync/db';
import { duplicateKeyName, isDuplicateKey } from '@calsync/db';
import type { TenantsRepo, TenantWrite, UpsertResult } from '../domain/ports';

/** Beside the domain's port: the admin-token lookup of the admin authentication (http/auth.ts). */
export interface AdminTokenLookup {
  tenantIdByTokenHash(hash: string): Promise<string | null>;
  /** Replaces a hash in its old form by the keyed one, unless the token was rotated meanwhile. */
  rehashToken(tenantId: string, oldHash: string, newHash: string): Promise<void>;
}

export function createTenantsRepo(db: Db): TenantsRepo & AdminTokenLookup {
  return {
    async upsert(t: TenantWrite, now: Date): Promise<UpsertResult> {
      try {
        return await db.transaction(async (tx) => {
          const existing = await db.query<{ id: string; calcom_webhook_id: string | null }>(
            'SELECT id, calcom_webhook_id FROM tenants WHERE id = ? FOR UPDATE',
            [t.id],
            tx,
          );
          const values = [
            t.name,
            t.timeZone,
            t.adminTokenHash,
            t.calcomApiKeyEnc,
            t.calcomWebhookSecretEnc,
            t.rateLimitPerMinute,
            t.retellApiKeyEnc,
            t.calcomWebhookId === undefined ? (existing[0]?.calcom_webhook_id ?? null) : t.calcomWebhookId,
          ];
          if (existing.length) {
            // A replace is a fresh start: no rotation grace, and an offboarded tenant comes back.
            await db.execute(
              `UPDATE tenants SET name=?, time_zone=?, admin_token_hash=?, calcom_api_key_enc=?, calcom_webhook_secret_enc=?,
                 calcom_rate_limit_per_minute=?, retell_api_key_enc=?, calcom_webhook_id=?,
                 calcom_webhook_secret_prev_enc=NULL, calcom_webhook_secret_rotated_at=NULL, removed_at=NULL,
                 updated_at=? WHERE id=?`,
              [...values, now, t.id],
              tx,
            );
            await db.execute('DELETE FROM tenant_event_types WHERE tenant_id = ?', [t.id], tx);
          } else {
            await db.execute(
              `INSERT INTO tenants (name, time_zone, admin_token_hash, calcom_api_key_enc, calcom_webhook_secret_enc,
                 calcom_rate_limit_per_minute, retell_api_key_enc, calcom_webhook_id, created_at, updated_at, id)
               VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
              [...values, now, now, t.id],
              tx,
            );
          }
          for (const [position, et] of t.eventTypes.entries()) {
            await db.execute(
              'INSERT INTO tenant_event_types (tenant_id, id, title, length_minutes, position) VALUES (?,?,?,?,?)',
              [t.id, et.id, et.title, et.lengthInMinutes, position],
              tx,
            );
          }
          return existing.length ? 'replaced' : 'created';
        });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        return duplicateKeyName(err) === 'ux_tenants_admin_token' ? 'token_taken' : 'event_type_taken';
      }
    },

    /**
     * Rotation: the new sealed secret becomes current and the one it replaces
     * (sealed again for its own column) the previous, stamped with `now`.
     */
    async setWebhookSecrets(
      tenantId: string,
      s: { currentEnc: string | null; previousEnc: string | null; rotatedAt: Date | null },
      now: Date,
    ): Promise<void> {
      await db.execute(
        `UPDATE tenants SET calcom_webhook_secret_enc=?, calcom_webhook_secret_prev_enc=?,
           calcom_webhook_secret_rotated_at=?, updated_at=? WHERE id=? AND removed_at IS NULL`,
        [s.currentEnc, s.previousEnc, s.rotatedAt, now, tenantId],
      );
    },

    /**
     * Offboarding: the row stays (appointments and their audit reference it) but
     * every secret and the admin-token hash are erased, and its event types are
     * released so the Cal.com account can be onboarded again. False when there
     * was no live tenant.
     */
    async markRemoved(tenantId: string, now: Date): Promise<boolean> {
      return db.transaction(async (tx) => {
        const n = await db.execute(
          `UPDATE tenants SET removed_at=?, updated_at=?, admin_token_hash=NULL, calcom_api_key_enc=NULL,
             calcom_webhook_secret_enc=NULL, calcom_webhook_secret_prev_enc=NULL, calcom_webhook_secret_rotated_at=NULL,
             retell_api_key_enc=NULL, calcom_webhook_id=NULL
           WHERE id=? AND removed_at IS NULL`,
          [now, now, tenantId],
          tx,
        );
        if (n === 0) return false;
        await db.execute('DELETE FROM tenant_event_types WHERE tenant_id = ?', [tenantId], tx);
        return true;
      });
    },

    /** When the tenant was offboarded; null when it is live, undefined when it never existed. */
    async removedAt(tenantId: string): Promise<Date | null | undefined> {
      const [row] = await db.query<{ removed_at: Date | null }>(
        'SELECT removed_at FROM tenants WHERE id = ?',
        [tenantId],
      );
      return row ? row.removed_at : undefined;
    },

    /** Live tenant ids after `cursor`, in id order; one more than `limit` tells there is a next page. */
    async pageIds(cursor: string | undefined, limit: number): Promise<string[]> {
      const rows = await db.query<{ id: string }>(
        `SELECT id FROM tenants WHERE removed_at IS NULL AND id > ? ORDER BY id LIMIT ${Number(limit) + 1}`,
        [cursor ?? ''],
      );
      return rows.map((r) => r.id);
    },

    /** Replaces an admin-token hash in its old form by the keyed one, unless the token was rotated meanwhile. */
    async rehashToken(tenantId: string, oldHash: string, newHash: string): Promise<void> {
      await db.execute('UPDATE tenants SET admin_token_hash = ? WHERE id = ? AND admin_token_hash = ?', [
        newHash,
        tenantId,
        oldHash,
      ]);
    },

    async tenantIdByTokenHash(hash: string): Promise<string | null> {
      const [row] = await db.query<{ id: string }>('SELECT id FROM tenants WHERE admin_token_hash = ?', [
        hash,
      ]);
      return row?.id ?? null;
    },
  };
}
