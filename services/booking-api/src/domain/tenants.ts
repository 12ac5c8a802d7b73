/** Operator use cases: create or replace a tenant; never hand a secret back. */
import type { Clock, SecretBox } from '@calsync/platform';
import { ApiError, notFound } from './errors';
import { tenantSecret, type TenantReader, type TenantRecord } from '@calsync/db';
import type { TenantsRepo } from './ports';

export interface TenantInput {
  name: string;
  timeZone: string;
  adminToken: string;
  calcom: {
    apiKey: string;
    webhookSecret?: string | undefined;
    eventTypes: { id: number; title: string; lengthInMinutes: number }[];
    rateLimitPerMinute: number;
    /** Set by onboarding (`connect`): the subscription registered in Cal.com. Absent keeps the stored one. */
    webhookId?: string | undefined;
  };
  retell?: { apiKey: string } | undefined;
}

export interface TenantView {
  id: string;
  name: string;
  timeZone: string;
  calcom: {
    eventTypes: { id: number; title: string; lengthInMinutes: number }[];
    rateLimitPerMinute: number;
    apiKeySet: true;
    webhookSecretSet: boolean;
    /** Only for tenants onboarded with `connect`: the subscription booking-api registered in Cal.com. */
    webhook?: { id: string; registered: true };
  };
  retell: { apiKeySet: boolean };
  createdAt: string;
  updatedAt: string;
}

export function tenantView(t: TenantRecord): TenantView {
  return {
    id: t.id,
    name: t.name,
    timeZone: t.timeZone,
    calcom: {
      eventTypes: t.eventTypes,
      rateLimitPerMinute: t.calcomRateLimitPerMinute,
      apiKeySet: true,
      webhookSecretSet: t.calcomWebhookSecret !== null,
      ...(t.calcomWebhookId ? { webhook: { id: t.calcomWebhookId, registered: true as const } } : {}),
    },
    retell: { apiKeySet: t.retellApiKey !== null },
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}

export function createTenantsService(deps: {
  repo: TenantsRepo;
  reader: TenantReader;
  secrets: SecretBox;
  /** The keyed admin-token hash (`createTokenHasher`). */
  hashToken: (token: string) => string;
  clock: Clock;
}) {
  return {
    async put(id: string, input: TenantInput): Promise<{ created: boolean; tenant: TenantView }> {
      const ids = input.calcom.eventTypes.map((e) => e.id);
      if (new Set(ids).size !== ids.length)
        throw new ApiError('invalid_request', 'calcom.eventTypes has duplicate ids');
      const result = await deps.repo.upsert(
        {
          id,
          name: input.name,
          timeZone: input.timeZone,
          adminTokenHash: deps.hashToken(input.adminToken),
          // Sealed afresh on every write, bound to tenant and column (this also re-seals old v1 secrets).
          calcomApiKeyEnc: deps.secrets.seal(input.calcom.apiKey, tenantSecret(id, 'calcom_api_key_enc')),
          calcomWebhookSecretEnc: input.calcom.webhookSecret
            ? deps.secrets.seal(input.calcom.webhookSecret, tenantSecret(id, 'calcom_webhook_secret_enc'))
            : null,
          rateLimitPerMinute: input.calcom.rateLimitPerMinute,
          ...(input.calcom.webhookId !== undefined ? { calcomWebhookId: input.calcom.webhookId } : {}),
          retellApiKeyEnc: input.retell
            ? deps.secrets.seal(input.retell.apiKey, tenantSecret(id, 'retell_api_key_enc'))
            : null,
          eventTypes: input.calcom.eventTypes,
        },
        deps.clock.now(),
      );
      if (result === 'event_type_taken')
        throw new ApiError('conflict', 'An event type id already belongs to another tenant');
      if (result === 'token_taken') throw new ApiError('conflict', 'adminToken is already in use');
      deps.reader.invalidate(id);
      const tenant = await deps.reader.get(id);
      if (!tenant) throw new Error('tenant vanished after upsert');
      return { created: result === 'created', tenant: tenantView(tenant) };
    },

    async get(id: string): Promise<TenantView> {
      const t = await deps.reader.get(id);
      if (!t) throw notFound('Tenant');
      return tenantView(t);
    },

    /** Live tenants in id order; `nextCursor` is the last id of a full page, null at the end. */
    async list(q: { limit: number; cursor?: string | undefined }) {
      const ids = await deps.repo.pageIds(q.cursor, q.limit);
      const page = ids.slice(0, q.limit);
      const items: TenantView[] = [];
      for (const id of page) {
        const t = await deps.reader.get(id);
        if (t) items.push(tenantView(t)); // offboarded between the two reads: left out
      }
      return { items, nextCursor: ids.length > q.limit ? (page.at(-1) ?? null) : null };
    },
  };
}
export type TenantsService = ReturnType<typeof createTenantsService>;
