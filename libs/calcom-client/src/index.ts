export { createCalcomClient } from './client';
export {
  BOOKINGS_API_VERSION,
  EVENT_TYPES_API_VERSION,
  SLOTS_API_VERSION,
  type BookingListStatus,
  type BookingPage,
  type CalcomClient,
  type CalcomClientOptions,
  type CreateBookingInput,
  type GetSlotsInput,
  type ListBookingsFilters,
  type MetadataValue,
  type WebhookInput,
} from './types';
export {
  CalcomApiError,
  CalcomTransportError,
  classify,
  type CalcomErrorKind,
  type RateLimitInfo,
} from './errors';
export {
  calcomBookingSchema,
  type CalcomBooking,
  type CalcomEventType,
  type CalcomMe,
  type CalcomPagination,
  type CalcomSlot,
  type CalcomWebhook,
} from './schemas';
