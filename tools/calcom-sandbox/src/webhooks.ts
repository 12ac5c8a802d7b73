/**
 * Webhook payloads and delivery as Cal.com sends them: body
 * `{triggerEvent, createdAt, payload}`, `X-Cal-Signature-256` = hex HMAC-SHA256
 * of the exact body bytes (or `no-secret-provided`), at most once (no retry).
 */
import { HTTP_HEADERS } from '@calsync/contracts';
import { hmacSha256Hex, type Clock, type Logger } from '@calsync/platform';
import type { Account, RecordedCall, SandboxBooking, WebhookConfig } from './types';

export type TriggerEvent =
  | 'BOOKING_CREATED'
  | 'BOOKING_REQUESTED'
  | 'BOOKING_RESCHEDULED'
  | 'BOOKING_CANCELLED'
  | 'BOOKING_REJECTED'
  | 'PING';

/** `2026-05-25T09:30:00Z`: webhooks carry no milliseconds. */
export const noMillis = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface PayloadExtras {
  rescheduledFrom?: SandboxBooking;
  rescheduledBy?: string;
  cancelledBy?: string;
}

export function bookingPayload(
  trigger: TriggerEvent,
  account: Account,
  b: SandboxBooking,
  extras: PayloadExtras = {},
): Record<string, unknown> {
  const et = account.eventTypes.find((e) => e.id === b.eventTypeId);
  const attendee = b.attendees[0];
  const responses: Record<string, unknown> = {
    name: { label: 'your_name', value: attendee?.name },
    email: { label: 'email_address', value: attendee?.email },
  };
  if (attendee?.phoneNumber)
    responses.attendeePhoneNumber = { label: 'phone_number', value: attendee.phoneNumber };
  if (b.guests.length) responses.guests = { label: 'additional_guests', value: b.guests };
  for (const [k, v] of Object.entries(b.bookingFieldsResponses)) responses[k] = { label: k, value: v };
  const payload: Record<string, unknown> = {
    type: et?.slug,
    title: b.title,
    description: b.description,
    additionalNotes: '',
    startTime: noMillis(b.start),
    endTime: noMillis(b.end),
    organizer: {
      id: account.id,
      name: account.name,
      email: account.email,
      username: account.username,
      timeZone: account.timeZone,
      language: { locale: 'en' },
    },
    attendees: b.attendees.map((a) => ({
      name: a.name,
      email: a.email,
      timeZone: a.timeZone,
      ...(a.phoneNumber ? { phoneNumber: a.phoneNumber } : {}),
      language: { locale: a.language },
    })),
    responses,
    userFieldsResponses: {},
    location: b.location,
    eventTypeId: b.eventTypeId,
    uid: b.uid,
    bookingId: b.id,
    length: Math.round((b.end.getTime() - b.start.getTime()) / 60_000),
    eventTitle: et?.title,
    requiresConfirmation: et?.requiresConfirmation ?? false,
    status: b.status.toUpperCase(),
  };
  if (trigger !== 'BOOKING_CANCELLED') payload.metadata = { ...b.metadata };
  if (trigger === 'BOOKING_CANCELLED') {
    payload.cancellationReason = b.cancellationReason ?? null;
    payload.cancelledBy = extras.cancelledBy ?? account.email;
  }
  if (extras.rescheduledFrom) {
    payload.rescheduleUid = extras.rescheduledFrom.uid;
    payload.rescheduleId = extras.rescheduledFrom.id;
    payload.rescheduleStartTime = noMillis(extras.rescheduledFrom.start);
    payload.rescheduleEndTime = noMillis(extras.rescheduledFrom.end);
    payload.rescheduledBy = extras.rescheduledBy ?? null;
  }
  return payload;
}

export interface WebhookSender {
  send(account: Account, trigger: TriggerEvent, payload: Record<string, unknown>): Promise<void>;
}

export interface WebhookSenderDeps {
  clock: Clock;
  logger: Logger;
  record: (call: RecordedCall) => void;
  timeoutMs?: number;
}

export function signatureFor(secret: string | null, rawBody: string): string {
  return secret === null ? 'no-secret-provided' : hmacSha256Hex(secret, rawBody);
}

export function createWebhookSender(deps: WebhookSenderDeps): WebhookSender {
  const deliver = async (hook: WebhookConfig, trigger: TriggerEvent, payload: Record<string, unknown>) => {
    const body = JSON.stringify({
      triggerEvent: trigger,
      createdAt: deps.clock.now().toISOString(),
      payload,
    });
    const started = Date.now();
    const call: RecordedCall = {
      kind: 'webhook',
      at: deps.clock.now().toISOString(),
      method: 'POST',
      path: hook.url,
      query: {},
      apiKey: null,
      route: 'other',
      status: 0,
      durationMs: 0,
      triggerEvent: trigger,
      bookingUid: typeof payload.uid === 'string' ? payload.uid : undefined,
    };
    try {
      const res = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          [HTTP_HEADERS.calSignature]: signatureFor(hook.secret, body),
          [HTTP_HEADERS.calWebhookVersion]: '2021-10-20',
        },
        body,
        signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      call.status = res.status;
    } catch (err) {
      // At most once: a failed delivery is recorded, never retried.
      call.note = `delivery failed: ${err instanceof Error ? err.message : String(err)}`;
      deps.logger.warn('Sandbox webhook delivery failed', { trigger, uid: call.bookingUid });
    }
    call.durationMs = Date.now() - started;
    deps.record(call);
  };
  return {
    async send(account, trigger, payload) {
      if (!account.webhook) return;
      await deliver(account.webhook, trigger, payload);
    },
  };
}
