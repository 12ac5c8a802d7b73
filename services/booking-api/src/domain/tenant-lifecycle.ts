/**
 * Onboarding, webhook-secret rotation and offboarding (SPEC §4.1). Cal.com is
 * called with the tenant's key through the shared budget and breaker
 * (`calcomFor`); what booking-api stores goes through the tenants service and
 * repository. The webhook secret is generated here and never leaves except to
 * Cal.com.
 */
import { randomBytes } from 'node:crypto';
import type { CalcomClient, CalcomWebhook, WebhookInput } from '@calsync/calcom-client';
import type { TenantKey } from '@calsync/calcom-access';
import { BOOKING_TRIGGERS } from '@calsync/contracts';
import { tenantSecret, type TenantReader } from '@calsync/db';
import type { Clock, Logger, SecretBox } from '@calsync/platform';
import { ApiError, notFound } from './errors';
import type { TenantsRepo } from './ports';
import { calcomFailure, viaCalcom } from './calcom-errors';
import { tenantView, type TenantInput, type TenantsService, type TenantView } from './tenants';

/** Mirrors webhook-gateway's grace for the previous secret (PREVIOUS_SECRET_GRACE_MS). */
export const PREVIOUS_SECRET_GRACE_MS = 10 * 60_000;

export type ConnectInput = Omit<TenantInput, 'calcom'> & {
  calcom: { apiKey: string; rateLimitPerMinute: number };
};

export interface LifecycleDeps {
  tenants: TenantsService;
  repo: TenantsRepo;
  reader: Pick<TenantReader, 'get' | 'invalidate'>;
  secrets: SecretBox;
  calcomFor: (tenant: TenantKey) => CalcomClient;
  /** PUBLIC_WEBHOOK_BASE_URL, without a trailing slash. */
  publicWebhookBaseUrl: string;
  clock: Clock;
  logger: Logger;
}

const newSecret = () => randomBytes(32).toString('hex');

export function createTenantLifecycle(deps: LifecycleDeps) {
  const subscriberUrlOf = (tenantId: string) => `${deps.publicWebhookBaseUrl}/v1/webhooks/calcom/${tenantId}`;

  /**
   * Our subscription in Cal.com: the one already there for our URL (a re-connect,
   * or an earlier attempt whose answer was lost) is updated rather than
   * duplicated (Cal.com answers 409 to a second one anyway).
   */
  async function register(
    cal: CalcomClient,
    spec: WebhookInput,
  ): Promise<{ hook: CalcomWebhook; created: boolean }> {
    const find = async () => (await cal.listWebhooks()).find((w) => w.subscriberUrl === spec.subscriberUrl);
    const existing = await find();
    if (existing) return { hook: await cal.updateWebhook(existing.id, spec), created: false };
    try {
      return { hook: await cal.createWebhook(spec), created: true };
    } catch (err) {
      const raced = (err as { kind?: string }).kind === 'conflict' ? await find() : undefined;
      if (!raced) throw err;
      return { hook: await cal.updateWebhook(raced.id, spec), created: false };
    }
  }

  return {
    /** `PUT` with `calcom.connect`: event types from Cal.com, our webhook registered with a fresh secret. */
    async connect(id: string, input: ConnectInput): Promise<{ created: boolean; tenant: TenantView }> {
      const cal = deps.calcomFor({
        id,
        calcomApiKey: input.calcom.apiKey,
        calcomRateLimitPerMinute: input.calcom.rateLimitPerMinute,
      });
      const types = await viaCalcom('listing the event types', () => cal.listEventTypes());
      if (!types.length)
        throw new ApiError(
          'unprocessable',
          'The Cal.com account has no event types: create one in Cal.com first',
        );
      const before = await deps.reader.get(id);
      const secret = newSecret();
      const { hook, created } = await viaCalcom('registering the webhook', () =>
        register(cal, {
          subscriberUrl: subscriberUrlOf(id),
          active: true,
          triggers: [...BOOKING_TRIGGERS],
          secret,
        }),
      );
      try {
        return await deps.tenants.put(id, {
          ...input,
          calcom: {
            apiKey: input.calcom.apiKey,
            rateLimitPerMinute: input.calcom.rateLimitPerMinute,
            webhookSecret: secret,
            webhookId: hook.id,
            eventTypes: types.slice(0, 100).map((t) => ({
              id: t.id,
              title: t.title.slice(0, 200) || `Event type ${t.id}`,
              lengthInMinutes: t.lengthInMinutes,
            })),
          },
        });
      } catch (err) {
        // No tenant row to own it: a subscription left in Cal.com would deliver to a tenant that does not exist.
        if (created || !before) {
          await cal.deleteWebhook(hook.id).catch((e: unknown) =>
            deps.logger.error('Could not remove the webhook registered for a tenant that was not saved', {
              tenant: id,
              webhookId: hook.id,
              error: e,
            }),
          );
        }
        throw err;
      }
    },

    /**
     * New secret: stored first (the old one becomes "previous", accepted for 10
     * minutes), then set in Cal.com. In that order no delivery is refused:
     * Cal.com signs with the old secret until the PATCH lands, the new one after.
     */
    async rotateWebhookSecret(id: string) {
      const t = await deps.reader.get(id);
      if (!t) throw notFound('Tenant');
      const webhookId = t.calcomWebhookId;
      if (!webhookId)
        throw new ApiError(
          'conflict',
          'This tenant has no webhook registered by booking-api; onboard it with "calcom": {"connect": true}',
        );
      const seal = (v: string, column: 'calcom_webhook_secret_enc' | 'calcom_webhook_secret_prev_enc') =>
        deps.secrets.seal(v, tenantSecret(id, column));
      const prev = t.calcomPreviousWebhookSecret;
      const undo = {
        currentEnc:
          t.calcomWebhookSecret === null ? null : seal(t.calcomWebhookSecret, 'calcom_webhook_secret_enc'),
        previousEnc: prev ? seal(prev.secret, 'calcom_webhook_secret_prev_enc') : null,
        rotatedAt: prev?.rotatedAt ?? null,
      };
      const secret = newSecret();
      const rotatedAt = deps.clock.now();
      await deps.repo.setWebhookSecrets(
        id,
        {
          currentEnc: seal(secret, 'calcom_webhook_secret_enc'),
          previousEnc:
            t.calcomWebhookSecret === null
              ? null
              : seal(t.calcomWebhookSecret, 'calcom_webhook_secret_prev_enc'),
          rotatedAt,
        },
        rotatedAt,
      );
      deps.reader.invalidate(id);
      try {
        await deps.calcomFor(t).updateWebhook(webhookId, { secret });
      } catch (err) {
        // Cal.com answered (or was never asked): it still signs with the old secret, so that stays current.
        // Without an answer the PATCH may have landed: keep the new secret and let the operator rotate again.
        const unknownOutcome = (err as { outcomeUnknown?: boolean }).outcomeUnknown === true;
        if (!unknownOutcome) {
          await deps.repo.setWebhookSecrets(id, undo, deps.clock.now());
          deps.reader.invalidate(id);
        }
        throw calcomFailure(err, 'setting the new webhook secret');
      }
      const fresh = await deps.reader.get(id);
      if (!fresh) throw notFound('Tenant');
      return {
        tenant: tenantView(fresh),
        webhook: {
          id: webhookId,
          rotatedAt: rotatedAt.toISOString(),
          previousSecretAcceptedUntil: new Date(rotatedAt.getTime() + PREVIOUS_SECRET_GRACE_MS).toISOString(),
        },
      };
    },

    /**
     * Offboarding: our webhook deleted in Cal.com, then secrets and admin token
     * erased and the tenant hidden from every reader (sync, webhooks, admin API).
     * Appointments and their audit stay. Repeating it answers the same.
     */
    async remove(id: string) {
      const t = await deps.reader.get(id);
      if (!t) {
        const removedAt = await deps.repo.removedAt(id);
        if (!removedAt) throw notFound('Tenant');
        return { id, removed: true, removedAt: removedAt.toISOString(), webhook: null };
      }
      let webhook: { id: string; deleted: boolean; reason?: string } | null = null;
      if (t.calcomWebhookId) {
        try {
          await deps.calcomFor(t).deleteWebhook(t.calcomWebhookId);
          webhook = { id: t.calcomWebhookId, deleted: true };
        } catch (err) {
          // A revoked key cannot ever delete it: offboard anyway and say what is left to do by hand.
          if ((err as { kind?: string }).kind !== 'unauthorized')
            throw calcomFailure(err, 'deleting the webhook');
          webhook = {
            id: t.calcomWebhookId,
            deleted: false,
            reason: 'Cal.com refused the tenant key; delete the subscription in Cal.com by hand',
          };
        }
      }
      const now = deps.clock.now();
      await deps.repo.markRemoved(id, now);
      deps.reader.invalidate(id);
      deps.logger.info('Tenant offboarded', { tenant: id, webhookDeleted: webhook?.deleted ?? null });
      return { id, removed: true, removedAt: now.toISOString(), webhook };
    },
  };
}
export type TenantLifecycle = ReturnType<typeof createTenantLifecycle>;
