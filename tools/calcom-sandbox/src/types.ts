/** The sandbox's data model: accounts (one per API key), bookings, recorded calls, fault rules. */

export interface SandboxEventType {
  id: number;
  title?: string;
  slug?: string;
  lengthInMinutes: number;
  requiresConfirmation?: boolean;
}

/** Working hours per weekday in the account's zone; "HH:mm". Missing weekday = closed. */
export type WeekdayName = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export type Availability = Partial<Record<WeekdayName, { start: string; end: string }[]>>;

export interface WebhookConfig {
  url: string;
  secret: string | null;
}

/**
 * A subscription made through `POST /v2/webhooks` (FACTS errata: `id` a uuid
 * string, `triggers` an array, `payloadTemplate`/`secret` null when unset).
 */
export interface WebhookSubscription {
  id: string;
  accountId: number;
  subscriberUrl: string;
  active: boolean;
  triggers: string[];
  secret: string | null;
  payloadTemplate: string | null;
}

export interface AccountInput {
  apiKey: string;
  eventTypes: SandboxEventType[];
  webhook?: WebhookConfig;
  /** Default `Europe/Berlin`. */
  timeZone?: string;
  /** Default Mon–Fri 09:00–17:00 in `timeZone`. */
  availability?: Availability;
  /** The host (organizer) as Cal.com reports it. */
  name?: string;
  email?: string;
  username?: string;
}

export interface Account {
  id: number;
  apiKey: string;
  eventTypes: Required<
    Pick<SandboxEventType, 'id' | 'title' | 'slug' | 'lengthInMinutes' | 'requiresConfirmation'>
  >[];
  webhook: WebhookConfig | null;
  timeZone: string;
  availability: Availability;
  name: string;
  email: string;
  username: string;
}

export type BookingStatus = 'accepted' | 'pending' | 'cancelled' | 'rejected';

export interface SandboxAttendee {
  name: string;
  email: string;
  timeZone: string;
  phoneNumber?: string;
  language: string;
  absent: boolean;
}

export interface SandboxBooking {
  id: number;
  uid: string;
  accountId: number;
  eventTypeId: number;
  title: string;
  description: string;
  status: BookingStatus;
  start: Date;
  end: Date;
  attendees: SandboxAttendee[];
  guests: string[];
  location: string;
  metadata: Record<string, string | number | boolean>;
  bookingFieldsResponses: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  cancellationReason?: string;
  cancelledByEmail?: string;
  reschedulingReason?: string;
  rescheduledByEmail?: string;
  rescheduledFromUid?: string;
  rescheduledToUid?: string;
  /** Who made it: our API client or a customer on the Cal.com page. */
  source: 'api' | 'customer';
}

export interface RecordedCall {
  kind: 'api' | 'webhook';
  at: string;
  method: string;
  path: string;
  query: Record<string, unknown>;
  /** Masked: `cal_…abcd`. */
  apiKey: string | null;
  route: FaultRoute | 'control' | 'other';
  /** HTTP status answered (api) or received (webhook); 0 when none (dropped, timed out, failed delivery). */
  status: number;
  durationMs: number;
  /** e.g. `fault:status`, `rate-limited`, `dropped-after-commit`, `client-gone`, delivery error. */
  note?: string;
  /** Webhook deliveries only. */
  triggerEvent?: string;
  bookingUid?: string;
}

export type FaultRoute =
  'create' | 'cancel' | 'reschedule' | 'get' | 'list' | 'slots' | 'event-types' | 'me' | 'webhooks';
export type FaultMode =
  'status' | 'latency' | 'timeout' | '429' | 'drop-after-commit' | 'status-after-commit';

/** A fault on a `/v2` call (`*` = every API route, never webhooks). */
export interface ApiFaultRule {
  route: FaultRoute | '*';
  mode: FaultMode;
  status?: number;
  latencyMs?: number;
  /** `429` mode: the `X-RateLimit-Reset-Default` seconds it announces (default 60). */
  resetSeconds?: number;
  /** How many matching calls it affects; unlimited when absent. */
  times?: number;
  apiKey?: string;
}

/**
 * A fault on webhook deliveries: `drop` never sends; `duplicate` sends the same
 * bytes twice before the API call answers; `delay` sends after `latencyMs`
 * (default 1000), i.e. after the API call answered; `replay` sends now and the
 * same bytes again after `latencyMs` (default 2000).
 */
export type WebhookFaultMode = 'drop' | 'duplicate' | 'delay' | 'replay';

export interface WebhookFaultRule {
  route: 'webhook';
  mode: WebhookFaultMode;
  latencyMs?: number;
  times?: number;
  /** Only deliveries of this account (by its API key). */
  apiKey?: string;
}

export type FaultRule = ApiFaultRule | WebhookFaultRule;

export interface RateLimitOptions {
  limit: number;
  windowMs: number;
  blockMs: number;
}
