/**
 * `/v2` routes onboarding uses: `GET /v2/event-types` (cal-api-version
 * 2024-06-14), `GET /v2/me`, and the key owner's webhook subscriptions
 * (`POST|GET /v2/webhooks`, `GET|PATCH|DELETE /v2/webhooks/{id}`, unversioned).
 * Shapes follow openapi-v2.json with FACTS' errata (Cal.com's code wins):
 * `triggers` an array, `id` a uuid string, `payloadTemplate`/`secret` null when
 * unset, event type `users` objects.
 */
import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Account, WebhookSubscription } from './types';
import type { Store } from './store';
import { SandboxHttpError, notFound } from './errors';
import { parseBody } from './validation';

export const EVENT_TYPES_VERSION = '2024-06-14';

/** The trigger names `CreateWebhookInputDto.triggers` accepts (each element). */
export const WEBHOOK_TRIGGERS = [
  'BOOKING_CREATED',
  'BOOKING_PAYMENT_INITIATED',
  'BOOKING_PAID',
  'BOOKING_RESCHEDULED',
  'BOOKING_REQUESTED',
  'BOOKING_CANCELLED',
  'BOOKING_REJECTED',
  'BOOKING_NO_SHOW_UPDATED',
  'FORM_SUBMITTED',
  'MEETING_ENDED',
  'MEETING_STARTED',
  'RECORDING_READY',
  'INSTANT_MEETING',
  'RECORDING_TRANSCRIPTION_GENERATED',
  'OOO_CREATED',
  'AFTER_HOSTS_CAL_VIDEO_NO_SHOW',
  'AFTER_GUESTS_CAL_VIDEO_NO_SHOW',
  'FORM_SUBMITTED_NO_EVENT',
] as const;

const webhookFields = {
  payloadTemplate: z.string().optional(),
  active: z.boolean(),
  subscriberUrl: z.url(),
  triggers: z.array(z.enum(WEBHOOK_TRIGGERS)),
  secret: z.string().optional(),
};
const createWebhookSchema = z.strictObject(webhookFields);
const updateWebhookSchema = z.strictObject(webhookFields).partial();

const accountOf = (res: Response) => res.locals.account as Account;

export function webhookOutput(s: WebhookSubscription) {
  return {
    id: s.id,
    userId: s.accountId,
    subscriberUrl: s.subscriberUrl,
    active: s.active,
    triggers: [...s.triggers],
    payloadTemplate: s.payloadTemplate,
    secret: s.secret,
  };
}

function eventTypeOutput(account: Account, et: Account['eventTypes'][number]) {
  return {
    id: et.id,
    lengthInMinutes: et.lengthInMinutes,
    title: et.title,
    slug: et.slug,
    description: '',
    locations: [],
    bookingFields: [],
    disableGuests: false,
    recurrence: null,
    metadata: {},
    price: 0,
    currency: 'usd',
    lockTimeZoneToggleOnBookingPage: false,
    forwardParamsSuccessRedirect: true,
    successRedirectUrl: null,
    isInstantEvent: false,
    scheduleId: null,
    hidden: false,
    bookingRequiresAuthentication: false,
    confirmationPolicy: et.requiresConfirmation ? { type: 'always' } : null,
    ownerId: account.id,
    users: [{ id: account.id, name: account.name, username: account.username, email: account.email }],
  };
}

export function subscriptionsRouter(deps: { store: Store }): Router {
  const { store } = deps;
  const r = express.Router();

  /** 404 for an unknown id; another user's subscription is 403, as Cal.com's ownership guard answers. */
  const owned = (req: Request, res: Response): WebhookSubscription => {
    const s = store.subscriptions.get(String(req.params.webhookId));
    if (!s) throw notFound(`Webhook with id ${String(req.params.webhookId)} not found`);
    if (s.accountId !== accountOf(res).id) throw new SandboxHttpError(403, 'Forbidden resource');
    return s;
  };
  const urlTaken = (accountId: number, url: string, except?: string) =>
    store.subscriptionsOf(accountId).some((s) => s.subscriberUrl === url && s.id !== except);
  const conflict = () => new SandboxHttpError(409, 'Webhook with this subscriber url already exists');

  r.get('/event-types', (req, res) => {
    const got = req.header('cal-api-version');
    if (got !== EVENT_TYPES_VERSION)
      throw new SandboxHttpError(
        400,
        `Sandbox serves only cal-api-version ${EVENT_TYPES_VERSION} on this route (got ${got ?? 'none'}); real Cal.com would answer in a legacy shape`,
      );
    const account = accountOf(res);
    res.json({ status: 'success', data: account.eventTypes.map((et) => eventTypeOutput(account, et)) });
  });

  r.get('/me', (_req, res) => {
    const a = accountOf(res);
    res.json({
      status: 'success',
      data: {
        id: a.id,
        username: a.username,
        email: a.email,
        timeFormat: 24,
        defaultScheduleId: null,
        weekStart: 'Monday',
        timeZone: a.timeZone,
        organizationId: null,
      },
    });
  });

  r.post('/webhooks', (req, res) => {
    const body = parseBody(createWebhookSchema, req.body);
    const account = accountOf(res);
    if (urlTaken(account.id, body.subscriberUrl)) throw conflict();
    const s: WebhookSubscription = {
      id: randomUUID(),
      accountId: account.id,
      subscriberUrl: body.subscriberUrl,
      active: body.active,
      triggers: [...new Set(body.triggers)],
      secret: body.secret ?? null,
      payloadTemplate: body.payloadTemplate ?? null,
    };
    store.subscriptions.set(s.id, s);
    res.status(201).json({ status: 'success', data: webhookOutput(s) });
  });

  r.get('/webhooks', (req, res) => {
    const take = Number(req.query.take ?? 250);
    const skip = Number(req.query.skip ?? 0);
    const all = store.subscriptionsOf(accountOf(res).id);
    res.json({ status: 'success', data: all.slice(skip, skip + take).map(webhookOutput) });
  });

  r.get('/webhooks/:webhookId', (req, res) => {
    res.json({ status: 'success', data: webhookOutput(owned(req, res)) });
  });

  r.patch('/webhooks/:webhookId', (req, res) => {
    const s = owned(req, res);
    const body = parseBody(updateWebhookSchema, req.body);
    if (body.subscriberUrl !== undefined && urlTaken(s.accountId, body.subscriberUrl, s.id)) throw conflict();
    if (body.subscriberUrl !== undefined) s.subscriberUrl = body.subscriberUrl;
    if (body.active !== undefined) s.active = body.active;
    if (body.triggers !== undefined) s.triggers = [...new Set(body.triggers)];
    if (body.secret !== undefined) s.secret = body.secret;
    if (body.payloadTemplate !== undefined) s.payloadTemplate = body.payloadTemplate;
    res.json({ status: 'success', data: webhookOutput(s) });
  });

  r.delete('/webhooks/:webhookId', (req, res) => {
    const s = owned(req, res);
    store.subscriptions.delete(s.id);
    res.json({ status: 'success', data: webhookOutput(s) });
  });

  return r;
}
