/**
 * Webhook payloads and delivery as Cal.com sends them: body
 * `{triggerEvent, createdAt, payload}`, `X-Cal-Signature-256` = hex HMAC-SHA256
 * of the exact body bytes (or `no-secret-provided`), at most once (no retry).
 * Webhook faults (drop, duplicate, delay, replay) bend that for chaos tests.
 */
import { HTTP_HEADERS } from '@calsync/contracts';
import { hmacSha256Hex, type Clock, type Logger } from '@calsync/platform';
import type { Account, RecordedCall, SandboxBooking, WebhookConfig, WebhookFaultRule } from './types';

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
  /** Cancels deliveries a `delay` or `replay` fault scheduled for later. */
  cancelPending(): void;
}

export interface WebhookSenderDeps {
  clock: Clock;
  logger: Logger;
  record: (call: RecordedCall) => void;
  timeoutMs?: number;
  /**
   * Where a trigger of this account goes: the control API's `webhook` and every
   * active `/v2/webhooks` subscription listening for it, each with its own secret.
   * Default: the control API's `webhook` only.
   */
  targetsOf?: (account: Account, trigger: TriggerEvent) => WebhookConfig[];
  /** The webhook fault for this account's next delivery, if any. */
  takeFault?: (apiKey: string) => WebhookFaultRule | undefined;
}

export function signatureFor(secret: string | null, rawBody: string): string {
  return secret === null ? 'no-secret-provided' : hmacSha256Hex(secret, rawBody);
}

export function createWebhookSender(deps: WebhookSenderDeps): WebhookSender {
  const timers = new Set<NodeJS.Timeout>();
  const aborts = new Set<AbortController>();

  /** The call-log entry of one delivery (status 0 until an answer comes). */
  const webhookCall = (
    hook: WebhookConfig,
    trigger: TriggerEvent,
    uid?: string,
    note?: string,
  ): RecordedCall => ({
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
    bookingUid: uid,
    ...(note ? { note } : {}),
  });

  const deliver = async (
    hook: WebhookConfig,
    trigger: TriggerEvent,
    body: string,
    uid?: string,
    note?: string,
  ) => {
    const started = Date.now();
    const call = webhookCall(hook, trigger, uid, note);
    const abort = new AbortController();
    aborts.add(abort);
    try {
      const res = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          [HTTP_HEADERS.calSignature]: signatureFor(hook.secret, body),
          [HTTP_HEADERS.calWebhookVersion]: '2021-10-20',
        },
        body,
        signal: AbortSignal.any([abort.signal, AbortSignal.timeout(deps.timeoutMs ?? 10_000)]),
      });
      await res.arrayBuffer().catch(() => undefined);
      call.status = res.status;
    } catch (err) {
      // At most once: a failed delivery is recorded, never retried.
      call.note = [note, `delivery failed: ${err instanceof Error ? err.message : String(err)}`]
        .filter(Boolean)
        .join('; ');
      deps.logger.warn('Sandbox webhook delivery failed', { trigger, uid });
    } finally {
      aborts.delete(abort);
    }
    call.durationMs = Date.now() - started;
    deps.record(call);
  };

  /** Runs a delivery after the API call has answered (late and replayed webhooks). */
  const later = (ms: number, run: () => Promise<void>) => {
    const t = setTimeout(() => {
      timers.delete(t);
      void run();
    }, ms);
    timers.add(t);
  };

  /** One target's delivery, bent by the send's webhook fault if there is one. */
  const sendOne = async (
    hook: WebhookConfig,
    trigger: TriggerEvent,
    body: string,
    uid: string | undefined,
    fault: WebhookFaultRule | undefined,
  ) => {
    switch (fault?.mode) {
      case undefined:
        return deliver(hook, trigger, body, uid);
      case 'drop':
        deps.record(webhookCall(hook, trigger, uid, 'fault:drop'));
        return;
      case 'duplicate':
        await deliver(hook, trigger, body, uid);
        return deliver(hook, trigger, body, uid, 'fault:duplicate');
      case 'delay':
        later(fault.latencyMs ?? 1000, () => deliver(hook, trigger, body, uid, 'fault:delay'));
        return;
      case 'replay':
        await deliver(hook, trigger, body, uid);
        later(fault.latencyMs ?? 2000, () => deliver(hook, trigger, body, uid, 'fault:replay'));
        return;
    }
  };

  return {
    async send(account, trigger, payload) {
      const targets = deps.targetsOf?.(account, trigger) ?? (account.webhook ? [account.webhook] : []);
      if (!targets.length) return;
      // Built once: a duplicate or replay carries the very same bytes; each target signs with its own secret.
      const body = JSON.stringify({
        triggerEvent: trigger,
        createdAt: deps.clock.now().toISOString(),
        payload,
      });
      const uid = typeof payload.uid === 'string' ? payload.uid : undefined;
      const fault = deps.takeFault?.(account.apiKey);
      for (const hook of targets) await sendOne(hook, trigger, body, uid, fault);
    },
    cancelPending() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const a of aborts) a.abort();
    },
  };
}
