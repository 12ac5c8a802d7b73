/**
 * The webhook pipeline, in the order SPEC §4.4 fixes (size and content type are
 * checked by the HTTP layer before the body is read): tenant + signature →
 * well-formed → PING → event type owned by the tenant → replay window → known
 * trigger → de-duplicated publish. Knows nothing of HTTP: it returns an outcome
 * or a rejection with an error code; the route maps codes to statuses.
 *
 * De-duplication costs no MySQL round trip for a fresh delivery: JetStream's msgId
 * check catches its copies, and only a delivery older than `lookupFromAgeMs`
 * (dedup.ts) is looked up in the deliveries table first. The table is written
 * behind the answer (db/delivery-recorder.ts).
 */
import { tenantIdSchema, type PublishMeta, type CalcomInboundEventV1 } from '@calsync/contracts';
import { createLruCache, type Clock, type ErrorCode, type Logger } from '@calsync/platform';
import type { TenantReader } from '@calsync/db';
import { verifyTenantSignature, type SignatureVerdict } from './signature';
import { parseDelivery } from './delivery';
import { checkReplayWindow, type ReplayWindow } from './replay';
import { checkEventTypeOwnership } from './ownership';
import { decideDelivery, deliveryIdOf, type DeliveryRecord } from './dedup';

export type RejectionReason =
  | 'too_large'
  | 'unsupported_media_type'
  | 'unknown_tenant'
  | Exclude<SignatureVerdict, 'valid'>
  | 'malformed'
  | 'cross_tenant'
  | 'replayed'
  | 'unavailable';

export interface Rejection {
  code: Extract<ErrorCode, 'unauthorized' | 'invalid_request' | 'forbidden' | 'unavailable'>;
  reason: RejectionReason;
  message: string;
}

export type ReceiveResult =
  | { ok: true; outcome: 'published' | 'duplicate'; trigger: string; deliveryId: string }
  | { ok: true; outcome: 'ping' | 'ignored'; trigger: string }
  | { ok: false; rejection: Rejection };

export interface DeliveryRequest {
  tenantId: string;
  raw: Buffer;
  signature: string | undefined;
  traceparent?: string | undefined;
}

/**
 * What the receiver needs from the deliveries table (db/delivery-recorder.ts). The records are
 * written behind: they return at once and never fail; `find` sees them before they are written.
 */
export interface DeliveryStore {
  find(tenantId: string, deliveryId: string): Promise<DeliveryRecord | null>;
  /** Arrived but not published (JetStream did not acknowledge): for operators only. */
  recordReceived(d: DeliveryKey & { receivedAt: Date }): void;
  recordPublished(d: DeliveryKey & { receivedAt: Date; publishedAt: Date }): void;
}
export interface DeliveryKey {
  tenantId: string;
  deliveryId: string;
  trigger: string;
}

/** What the receiver needs from messaging (messaging/publish.ts). */
export interface InboundPublisher {
  publish(event: CalcomInboundEventV1, meta: PublishMeta): Promise<{ duplicate: boolean }>;
}

export interface ReceiverDeps {
  /** `invalidate`, when given, lets a failed signature re-read a tenant whose secret was just rotated. */
  tenants: Pick<TenantReader, 'get'> & Partial<Pick<TenantReader, 'invalidate'>>;
  deliveries: DeliveryStore;
  publisher: InboundPublisher;
  clock: Clock;
  logger: Logger;
  window: ReplayWindow;
  /** Deliveries at least this old (by `createdAt`) are looked up before publishing: `dedupLookupAgeMs`. */
  lookupFromAgeMs: number;
}

/** One answer for every authentication failure, so tenants cannot be probed. */
export const UNAUTHORIZED_MESSAGE = 'Invalid webhook signature';

const reject = (code: Rejection['code'], reason: RejectionReason, message: string): ReceiveResult => ({
  ok: false,
  rejection: { code, reason, message },
});
const unauthorized = (reason: RejectionReason) => reject('unauthorized', reason, UNAUTHORIZED_MESSAGE);
const unavailable = () =>
  reject('unavailable', 'unavailable', 'Temporarily unable to accept webhooks; retry later');

/** Triggers are signed by Cal.com but still untrusted text: keep log fields short. */
const short = (s: string) => s.slice(0, 64);

export function createWebhookReceiver(deps: ReceiverDeps) {
  const { tenants, deliveries, publisher, clock, logger, window, lookupFromAgeMs } = deps;
  // At most one fresh read per tenant per second, so bad signatures cannot hammer MySQL.
  const refreshed = createLruCache<string, true>({ max: 10_000, ttlMs: 1_000 });

  /**
   * The reader caches tenants for seconds; right after a rotation Cal.com
   * already signs with the new secret while the cached record has the old one.
   * A failed check therefore re-reads the tenant once before refusing.
   */
  async function verifyFresh(
    tenant: Awaited<ReturnType<typeof tenants.get>>,
    req: DeliveryRequest,
  ): Promise<{ tenant: typeof tenant; verdict: SignatureVerdict }> {
    const verdict = verifyTenantSignature(tenant, req.signature, req.raw, clock.now());
    if (!tenant || verdict !== 'invalid_signature' || !tenants.invalidate || refreshed.get(tenant.id))
      return { tenant, verdict };
    refreshed.set(tenant.id, true);
    tenants.invalidate(tenant.id);
    const fresh = await tenants.get(tenant.id);
    return { tenant: fresh, verdict: verifyTenantSignature(fresh, req.signature, req.raw, clock.now()) };
  }

  async function receive(req: DeliveryRequest): Promise<ReceiveResult> {
    const validId = tenantIdSchema.safeParse(req.tenantId).success;
    let tenant = null;
    let verdict: SignatureVerdict;
    try {
      tenant = validId ? await tenants.get(req.tenantId) : null;
      ({ tenant, verdict } = await verifyFresh(tenant, req));
    } catch (err) {
      logger.error('Tenant lookup failed', { tenant: req.tenantId, error: err });
      return unavailable();
    }
    if (!tenant) return unauthorized('unknown_tenant');
    if (verdict !== 'valid') {
      logger.info('Webhook signature rejected', { tenant: tenant.id, reason: verdict });
      return unauthorized(verdict);
    }
    const tenantId = tenant.id;

    const delivery = parseDelivery(req.raw);
    if (!delivery) return reject('invalid_request', 'malformed', 'Body is not a Cal.com webhook');
    if (delivery.kind === 'ping') {
      logger.info('Cal.com webhook ping', { tenant: tenantId });
      return { ok: true, outcome: 'ping', trigger: 'PING' };
    }

    if (delivery.kind === 'booking') {
      const eventTypeId = delivery.payload.eventTypeId;
      const owned = checkEventTypeOwnership(
        tenant.eventTypes.map((e) => e.id),
        eventTypeId,
      );
      if (owned !== 'owned') {
        logger.warn('Cross-tenant webhook rejected', {
          security: true,
          tenant: tenantId,
          eventTypeId: eventTypeId ?? null,
          trigger: delivery.trigger,
          uid: delivery.payload.uid,
          deliveryId: deliveryIdOf(req.raw).slice(0, 16),
        });
        return reject('forbidden', 'cross_tenant', 'Event type does not belong to this tenant');
      }
    }

    const checkedAt = clock.now();
    const age = checkReplayWindow(delivery.createdAt, checkedAt, window);
    if (age !== 'fresh') {
      logger.info('Webhook outside the replay window', { tenant: tenantId, verdict: age });
      return reject('unauthorized', 'replayed', 'Webhook delivery is outside the replay window');
    }

    if (delivery.kind === 'unknown') {
      logger.info('Ignoring Cal.com trigger', { tenant: tenantId, trigger: short(delivery.trigger) });
      return { ok: true, outcome: 'ignored', trigger: delivery.trigger };
    }

    const deliveryId = deliveryIdOf(req.raw);
    const key = { tenantId, deliveryId, trigger: delivery.trigger };
    const ids = {
      tenant: tenantId,
      deliveryId: deliveryId.slice(0, 16),
      trigger: delivery.trigger,
      uid: delivery.payload.uid,
    };
    // Younger: a copy is still inside JetStream's duplicate window, and the publish below says
    // `duplicate`. Older: the first copy's msgId may have left the window, so ask the table, and
    // answer 503 if it cannot say (Cal.com retries) rather than risk a second publish.
    if (checkedAt.getTime() - Date.parse(delivery.createdAt) >= lookupFromAgeMs) {
      let existing: DeliveryRecord | null;
      try {
        existing = await deliveries.find(tenantId, deliveryId);
      } catch (err) {
        logger.error('Delivery lookup failed', { ...ids, error: err });
        return unavailable();
      }
      if (decideDelivery(existing) === 'duplicate') {
        logger.info('Duplicate webhook delivery', ids);
        return { ok: true, outcome: 'duplicate', trigger: delivery.trigger, deliveryId };
      }
    }

    const receivedAt = clock.now();
    const event: CalcomInboundEventV1 = {
      version: 1,
      deliveryId,
      tenantId,
      trigger: delivery.trigger,
      createdAt: delivery.createdAt,
      receivedAt: receivedAt.toISOString(),
      payload: delivery.payload,
    };
    let duplicate: boolean;
    try {
      ({ duplicate } = await publisher.publish(event, {
        msgId: deliveryId,
        origin: 'calcom',
        traceparent: req.traceparent,
      }));
    } catch (err) {
      logger.warn('Webhook not published: JetStream unavailable', { ...ids, error: err });
      // Best effort, for operators: a delivery that arrived and was not published.
      deliveries.recordReceived({ ...key, receivedAt });
      return unavailable();
    }
    // Written behind the answer. A record lost before it is written (a crash, MySQL away past the
    // recorder's retries) matters only for a copy that arrives after JetStream's duplicate window
    // and still inside the replay window: that copy would be published a second time.
    deliveries.recordPublished({ ...key, receivedAt, publishedAt: clock.now() });
    logger.info(duplicate ? 'Duplicate webhook delivery' : 'Webhook published', ids);
    return {
      ok: true,
      outcome: duplicate ? 'duplicate' : 'published',
      trigger: delivery.trigger,
      deliveryId,
    };
  }

  return { receive };
}

export type WebhookReceiver = ReturnType<typeof createWebhookReceiver>;
