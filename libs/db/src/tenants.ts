/**
 * Reads tenants with their secrets decrypted, cached briefly: every request and
 * every event needs the tenant, and a tenant changes rarely. Ids come from
 * unauthenticated paths, so both caches are bounded LRUs: known tenants for
 * `ttlMs`, unknown ids for a second only, in a smaller cache of their own, so a
 * flood of made-up ids can neither grow memory nor push real tenants out.
 */
import { createLruCache, type SecretBox, type SecretContext } from '@calsync/platform';
import type { Db } from './database';

export interface EventTypeRecord {
  id: number;
  title: string;
  lengthInMinutes: number;
}

export interface TenantRecord {
  id: string;
  name: string;
  timeZone: string;
  adminTokenHash: string;
  calcomApiKey: string;
  calcomWebhookSecret: string | null;
  /** The secret before the last rotation and when it was replaced; webhook-gateway honours it briefly. */
  calcomPreviousWebhookSecret: { secret: string; rotatedAt: Date } | null;
  /** The subscription booking-api registered in Cal.com (onboarding with `connect`), if any. */
  calcomWebhookId: string | null;
  calcomRateLimitPerMinute: number;
  retellApiKey: string | null;
  eventTypes: EventTypeRecord[];
  createdAt: Date;
  updatedAt: Date;
}

interface TenantRow {
  id: string;
  name: string;
  time_zone: string;
  admin_token_hash: string | null;
  calcom_api_key_enc: string | null;
  calcom_webhook_secret_enc: string | null;
  calcom_webhook_id: string | null;
  calcom_webhook_secret_prev_enc: string | null;
  calcom_webhook_secret_rotated_at: Date | null;
  calcom_rate_limit_per_minute: number;
  retell_api_key_enc: string | null;
  created_at: Date;
  updated_at: Date;
}

/** The columns holding a tenant's sealed secrets; each ciphertext is bound to its tenant and column. */
export type TenantSecretColumn =
  | 'calcom_api_key_enc'
  | 'calcom_webhook_secret_enc'
  | 'calcom_webhook_secret_prev_enc'
  | 'retell_api_key_enc';
export const tenantSecret = (tenantId: string, column: TenantSecretColumn): SecretContext => ({
  tenantId,
  column,
});

export interface TenantReader {
  get(id: string): Promise<TenantRecord | null>;
  /** Ids of live (not offboarded) tenants, for per-tenant background work (reconciliation). */
  listIds(): Promise<string[]>;
  invalidate(id?: string): void;
}

const MAX_TENANTS = 10_000;
const MAX_UNKNOWN = 1_000;
const UNKNOWN_TTL_MS = 1_000;

export function createTenantReader(deps: {
  db: Pick<Db, 'query'>;
  secrets: SecretBox;
  ttlMs?: number;
}): TenantReader {
  const known = createLruCache<string, Promise<TenantRecord | null>>({
    max: MAX_TENANTS,
    ttlMs: deps.ttlMs ?? 5_000,
  });
  const unknown = createLruCache<string, true>({ max: MAX_UNKNOWN, ttlMs: UNKNOWN_TTL_MS });

  async function load(id: string): Promise<TenantRecord | null> {
    // An offboarded tenant (`removed_at`) is unknown to every reader: webhooks, admin tokens and sync stop.
    const [row] = await deps.db.query<TenantRow>(
      'SELECT * FROM tenants WHERE id = ? AND removed_at IS NULL',
      [id],
    );
    if (!row || row.calcom_api_key_enc === null || row.admin_token_hash === null) return null;
    const types = await deps.db.query<{ id: number | string; title: string; length_minutes: number }>(
      'SELECT id, title, length_minutes FROM tenant_event_types WHERE tenant_id = ? ORDER BY position',
      [id],
    );
    return {
      id: row.id,
      name: row.name,
      timeZone: row.time_zone,
      adminTokenHash: row.admin_token_hash,
      calcomApiKey: deps.secrets.open(row.calcom_api_key_enc, tenantSecret(id, 'calcom_api_key_enc')),
      calcomWebhookSecret: row.calcom_webhook_secret_enc
        ? deps.secrets.open(row.calcom_webhook_secret_enc, tenantSecret(id, 'calcom_webhook_secret_enc'))
        : null,
      calcomPreviousWebhookSecret:
        row.calcom_webhook_secret_prev_enc && row.calcom_webhook_secret_rotated_at
          ? {
              secret: deps.secrets.open(
                row.calcom_webhook_secret_prev_enc,
                tenantSecret(id, 'calcom_webhook_secret_prev_enc'),
              ),
              rotatedAt: row.calcom_webhook_secret_rotated_at,
            }
          : null,
      calcomWebhookId: row.calcom_webhook_id,
      calcomRateLimitPerMinute: row.calcom_rate_limit_per_minute,
      retellApiKey: row.retell_api_key_enc
        ? deps.secrets.open(row.retell_api_key_enc, tenantSecret(id, 'retell_api_key_enc'))
        : null,
      eventTypes: types.map((t) => ({ id: Number(t.id), title: t.title, lengthInMinutes: t.length_minutes })),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  return {
    get(id) {
      if (unknown.get(id)) return Promise.resolve(null);
      const hit = known.get(id);
      if (hit) return hit;
      const value = load(id);
      known.set(id, value); // concurrent requests for one id share the query
      const forget = () => {
        if (known.get(id) === value) known.delete(id);
      };
      value.then((t) => {
        if (t) return;
        forget();
        unknown.set(id, true);
      }, forget);
      return value;
    },
    async listIds() {
      const rows = await deps.db.query<{ id: string }>(
        'SELECT id FROM tenants WHERE removed_at IS NULL ORDER BY id',
      );
      return rows.map((r) => r.id);
    },
    invalidate(id) {
      if (id) {
        known.delete(id);
        unknown.delete(id);
      } else {
        known.clear();
        unknown.clear();
      }
    },
  };
}
