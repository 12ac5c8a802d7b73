export { createCalcomSandbox, type CalcomSandbox, type CalcomSandboxOptions } from './sandbox';
export type {
  AccountInput,
  ApiFaultRule,
  Availability,
  BookingStatus,
  FaultMode,
  FaultRoute,
  FaultRule,
  RateLimitOptions,
  RecordedCall,
  SandboxAttendee,
  SandboxBooking,
  SandboxEventType,
  WebhookConfig,
  WebhookFaultMode,
  WebhookFaultRule,
  WebhookSubscription,
} from './types';
export type { CreateBookingBody } from './validation';
export { signatureFor } from './webhooks';
export { SLOT_TAKEN_MESSAGE } from './errors';
export { BOOKINGS_VERSION, SLOTS_VERSION } from './api';
export { EVENT_TYPES_VERSION, WEBHOOK_TRIGGERS } from './subscriptions';
