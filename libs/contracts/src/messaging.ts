/**
 * The messages on NATS as data: one map from each kind of message to its
 * schema, its subject and its Event-Type header, which both publishing and
 * consuming go through, so a subject and its payload cannot drift apart. Every
 * message gets the SPEC §5 headers; the payload is parsed against its schema
 * before it leaves and after it arrives. No NATS client here: publishing is
 * @calsync/platform's (publishEnvelope), and decoding reads any headers object
 * with has/get (nats.js's MsgHdrs is one).
 */
import type { z } from 'zod';
import { originSchema, type Origin } from './common';
import {
  appointmentEventType,
  appointmentEventV1Schema,
  calcomInboundEventV1Schema,
  syncResultV1Schema,
} from './events';
import { HEADERS } from './headers';
import type { Topology } from './topology';

interface MessageSpec<S extends z.ZodType> {
  schema: S;
  /** The Event-Type header of a message. */
  eventType(value: z.infer<S>): string;
  /** The subject it is published on. */
  subject(topology: Topology, value: z.infer<S>): string;
}

const spec = <S extends z.ZodType>(s: MessageSpec<S>) => s;

/** Every kind of message, by name. */
export const MESSAGES = {
  /** booking-api's outbox → APPOINTMENTS: a local change for calcom-sync (and live views). */
  appointment: spec({
    schema: appointmentEventV1Schema,
    eventType: (e) => appointmentEventType(e.event),
    subject: (t, e) => t.subjects.appointment(e.tenantId, e.appointmentId, e.event),
  }),
  /** webhook-gateway and reconciliation → CALCOM_INBOUND: a change made in Cal.com. */
  calcomInbound: spec({
    schema: calcomInboundEventV1Schema,
    eventType: () => 'calcom.inbound',
    subject: (t, e) => t.subjects.calcomInbound(e.tenantId, e.trigger),
  }),
  /** calcom-sync → SYNC_RESULTS: what became of a change. */
  syncResult: spec({
    schema: syncResultV1Schema,
    eventType: () => 'sync.result',
    subject: (t, r) => t.subjects.syncResult(r.tenantId, r.appointmentId, r.outcome),
  }),
};
export type MessageKind = keyof typeof MESSAGES;
export type MessageOf<K extends MessageKind> = z.infer<(typeof MESSAGES)[K]['schema']>;

export interface PublishMeta {
  /** Deduplication id (Nats-Msg-Id): the outbox row id, the delivery hash, … */
  msgId: string;
  origin: Origin;
  traceparent?: string | undefined;
}

/** A message ready to publish: headers as plain names and values. */
export interface MessageEnvelope {
  subject: string;
  data: Uint8Array;
  headers: Record<string, string>;
  msgId: string;
}

/** What decoding needs of a message's headers (nats.js's MsgHdrs has it). */
export interface HeaderReader {
  has(name: string): boolean;
  get(name: string): string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Parses `value` against its kind's schema (throws when it does not fit) and builds the envelope. */
export function encodeMessage<K extends MessageKind>(
  kind: K,
  topology: Topology,
  value: MessageOf<K>,
  meta: PublishMeta,
): MessageEnvelope {
  const m = MESSAGES[kind] as unknown as MessageSpec<z.ZodType<MessageOf<K>>>;
  const parsed = m.schema.parse(value) as MessageOf<K> & { version: number; tenantId: string };
  const headers: Record<string, string> = {
    [HEADERS.msgId]: meta.msgId,
    [HEADERS.origin]: meta.origin,
    [HEADERS.tenantId]: parsed.tenantId,
    [HEADERS.eventType]: m.eventType(parsed),
    [HEADERS.eventVersion]: String(parsed.version),
  };
  if (meta.traceparent) headers[HEADERS.traceparent] = meta.traceparent;
  return {
    subject: m.subject(topology, parsed),
    data: encoder.encode(JSON.stringify(parsed)),
    headers,
    msgId: meta.msgId,
  };
}

export interface MessageMeta {
  origin: Origin | undefined;
  tenantId: string | undefined;
  eventType: string | undefined;
  eventVersion: string | undefined;
  msgId: string | undefined;
  traceparent: string | undefined;
}

export function readMeta(hdrs: HeaderReader | undefined): MessageMeta {
  const get = (k: string) => (hdrs?.has(k) ? hdrs.get(k) : undefined);
  const origin = originSchema.safeParse(get(HEADERS.origin));
  return {
    origin: origin.success ? origin.data : undefined,
    tenantId: get(HEADERS.tenantId),
    eventType: get(HEADERS.eventType),
    eventVersion: get(HEADERS.eventVersion),
    msgId: get(HEADERS.msgId),
    traceparent: get(HEADERS.traceparent),
  };
}

export type Decoded<T> =
  { ok: true; value: T; meta: MessageMeta } | { ok: false; reason: string; meta: MessageMeta };

/** Parses a received message as `kind`; never throws (a message that does not fit says why). */
export function decodeMessage<K extends MessageKind>(
  kind: K,
  m: { data: Uint8Array; headers?: HeaderReader | undefined },
): Decoded<MessageOf<K>> {
  const meta = readMeta(m.headers);
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(m.data));
  } catch {
    return { ok: false, reason: 'not JSON', meta };
  }
  const parsed = MESSAGES[kind].schema.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      reason: parsed.error.issues.map((i) => i.path.join('.') + ': ' + i.message).join('; '),
      meta,
    };
  const value = parsed.data as MessageOf<K>;
  if (meta.tenantId !== undefined && value.tenantId !== meta.tenantId) {
    return { ok: false, reason: 'Tenant-Id header does not match payload', meta };
  }
  return { ok: true, value, meta };
}
