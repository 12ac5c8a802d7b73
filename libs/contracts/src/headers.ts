/** Header names carried by every message (SPEC §5). */
export const HEADERS = {
  msgId: 'Nats-Msg-Id',
  origin: 'Sync-Origin',
  tenantId: 'Tenant-Id',
  eventType: 'Event-Type',
  eventVersion: 'Event-Version',
  traceparent: 'traceparent',
} as const;

/** HTTP headers the services read or write. */
export const HTTP_HEADERS = {
  idempotencyKey: 'Idempotency-Key',
  idempotentReplayed: 'Idempotent-Replayed',
  calSignature: 'X-Cal-Signature-256',
  calWebhookVersion: 'X-Cal-Webhook-Version',
  retellSignature: 'X-Retell-Signature',
  retellCallId: 'X-Retell-Call-Id',
  retellFromNumber: 'X-Retell-From-Number',
  traceparent: 'traceparent',
} as const;
