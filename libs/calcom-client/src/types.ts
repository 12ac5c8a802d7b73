/** What the client takes and gives: options, inputs, the client interface. */
import type { RateLimitInfo } from './errors';
import type {
  CalcomBooking,
  CalcomEventType,
  CalcomMe,
  CalcomPagination,
  CalcomSlot,
  CalcomWebhook,
} from './schemas';

export const BOOKINGS_API_VERSION = '2024-08-13';
export const SLOTS_API_VERSION = '2024-09-04';
export const EVENT_TYPES_API_VERSION = '2024-06-14';
export const MAX_TAKE = 250;

export interface CalcomClientOptions {
  /** e.g. `https://api.cal.com` (no `/v2`). */
  baseUrl: string;
  apiKey: string;
  /** Per call. Default 10 s. */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  onRateLimit?: (info: RateLimitInfo) => void;
}

export type MetadataValue = string | number | boolean;

export interface CreateBookingInput {
  start: string | Date;
  eventTypeId: number;
  attendee: { name: string; timeZone: string; email?: string; phoneNumber?: string; language?: string };
  metadata?: Record<string, MetadataValue>;
  bookingFieldsResponses?: Record<string, unknown>;
  guests?: string[];
  location?: string | { type: string; [k: string]: unknown };
  lengthInMinutes?: number;
}

export type BookingListStatus = 'upcoming' | 'recurring' | 'past' | 'cancelled' | 'unconfirmed';

export interface ListBookingsFilters {
  eventTypeId?: number;
  attendeeEmail?: string;
  bookingUid?: string;
  afterStart?: string | Date;
  beforeEnd?: string | Date;
  afterUpdatedAt?: string | Date;
  sortUpdatedAt?: 'asc' | 'desc';
  status?: BookingListStatus[];
  /** ≤ 250. */
  take?: number;
  skip?: number;
}

export interface BookingPage {
  bookings: CalcomBooking[];
  pagination: CalcomPagination;
}

export interface GetSlotsInput {
  eventTypeId: number;
  start: string | Date;
  end: string | Date;
  timeZone: string;
  format?: 'range';
  bookingUidToReschedule?: string;
}

export interface WebhookInput {
  subscriberUrl: string;
  active: boolean;
  triggers: string[];
  secret?: string;
  payloadTemplate?: string;
}

export interface CalcomClient {
  createBooking(input: CreateBookingInput): Promise<CalcomBooking>;
  /** null when Cal.com answers 404. */
  getBooking(uid: string): Promise<CalcomBooking | null>;
  listBookings(filters?: ListBookingsFilters): Promise<BookingPage>;
  /** Follows pagination to the end (pages of 250). */
  listAllBookings(
    filters?: Omit<ListBookingsFilters, 'take' | 'skip'>,
    opts?: { maxPages?: number },
  ): Promise<CalcomBooking[]>;
  /**
   * The exactly-once lookup: Cal.com cannot filter by metadata, so list the
   * event type's bookings in the start range and match metadata here.
   */
  findBookingsByMetadata(
    eventTypeId: number,
    startRange: { afterStart: string | Date; beforeEnd: string | Date },
    key: string,
    value: MetadataValue,
  ): Promise<CalcomBooking[]>;
  /** Always sends a reason: Cal.com refuses a host cancel without one. */
  cancelBooking(uid: string, reason?: string): Promise<CalcomBooking>;
  /** Answers the NEW booking (new uid, `rescheduledFromUid` = uid). */
  rescheduleBooking(
    uid: string,
    input: { start: string | Date; reason?: string; rescheduledBy?: string },
  ): Promise<CalcomBooking>;
  getSlots(input: GetSlotsInput): Promise<Record<string, CalcomSlot[]>>;
  /** The key owner's event types (`cal-api-version: 2024-06-14`). */
  listEventTypes(): Promise<CalcomEventType[]>;
  /** The key's user. */
  me(): Promise<CalcomMe>;
  /** The key owner's webhook subscriptions (webhooks are not versioned: no `cal-api-version`). */
  listWebhooks(): Promise<CalcomWebhook[]>;
  createWebhook(input: WebhookInput): Promise<CalcomWebhook>;
  updateWebhook(id: string, input: Partial<WebhookInput>): Promise<CalcomWebhook>;
  /** Answers false when the subscription was already gone (404). */
  deleteWebhook(id: string): Promise<boolean>;
  /** The headers of the latest answer, if any. */
  lastRateLimit(): RateLimitInfo | undefined;
}
