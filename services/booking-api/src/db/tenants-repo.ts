/** Tenant writes and the admin-token lookup. Reads with decrypted secrets go through @calsync/db's TenantReader. */
import type { Db } from '@calsync/db';
import { duplicateKeyName, isDuplicateKey } from '@calsync/db';

export interface TenantWrite {
  id: string;
  name: string;
  timeZone: string;
  adminTokenHash: string;
  calcomApiKeyEnc: string;
  calcomWebhookSecretEnc: string | null;
  rateLimitPerMinute: number;
  retellApiKeyEnc: string | null;
  eventTypes: { id: number; title: string; lengthInMinutes: number }[];
}

export type UpsertResult = 'created' | 'replaced' | 'event_type_taken' | 'token_taken';

export function createTenantsRepo(db: Db) {
  return {
    async upsert(t: TenantWrite, now: Date): Promise<UpsertResult> {
      try {
        return await db.transaction(async (tx) => {
          const existing = await db.query<{ id: string }>(
            'SELECT id FROM tenants WHERE id = ? FOR UPDATE',
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
          ];
          if (existing.length) {
            await db.execute(
              `UPDATE tenants SET name=?, time_zone=?, admin_token_hash=?, calcom_api_key_enc=?, calcom_webhook_secret_enc=?,
                 calcom_rate_limit_per_minute=?, retell_api_key_enc=?, updated_at=? WHERE id=?`,
              [...values, now, t.id],
              tx,
            );
            await db.execute('DELETE FROM tenant_event_types WHERE tenant_id = ?', [t.id], tx);
          } else {
            await db.execute(
              `INSERT INTO tenants (name, time_zone, admin_token_hash, calcom_api_key_enc, calcom_webhook_secret_enc,
                 calcom_rate_limit_per_minute, retell_api_key_enc, created_at, updated_at, id) VALUES (?,?,?,?,?,?,?,?,?,?)`,
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
export type TenantsRepo = ReturnType<typeof createTenantsRepo>;
