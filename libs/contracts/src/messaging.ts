/**
 * Typed publish and decode helpers. Every message gets the SPEC §5 headers; the
 * payload is parsed against its schema before it leaves and after it arrives.
 */
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/nats-core';
import type { JetStreamClient, JsMsg, PubAck } from '@nats-io/jetstream';
import type { z } from 'zod';
import type { Origin } from './common';
import {
  appointmentEventType,
  appointmentEventV1Schema,
  calcomInboundEventV1Schema,
  syncResultV1Schema,
  type AppointmentEventV1,
  type CalcomInboundEventV1,
  type EventTypeName,
  type SyncResultV1,
} from './events';
import { HEADERS } from './headers';
import type { Topology } from './topology';

export interface PublishMeta {
  /** Deduplication id (Nats-Msg-Id): the outbox row id, the delivery hash, … */
  msgId: string;
  origin: Origin;
  traceparent?: string | undefined;
}

export interface MessageEnvelope {
  subject: string;
  data: Uint8Array;
  headers: MsgHdrs;
  msgId: string;
}

const encoder = new TextEncoder();

function buildHeaders(eventType: EventTypeName, version: number, tenantId: string, meta: PublishMeta) {
  const h = natsHeaders();
  h.set(HEADERS.msgId, meta.msgId);
  h.set(HEADERS.origin, meta.origin);
  h.set(HEADERS.tenantId, tenantId);
  h.set(HEADERS.eventType, eventType);
  h.set(HEADERS.eventVersion, String(version));
  if (meta.traceparent) h.set(HEADERS.traceparent, meta.traceparent);
  return h;
}

export function encodeAppointmentEvent(
  topology: Topology,
  event: AppointmentEventV1,
  meta: PublishMeta,
): MessageEnvelope {
  const parsed = appointmentEventV1Schema.parse(event);
  return {
    subject: topology.subjects.appointment(parsed.tenantId, parsed.appointmentId, parsed.event),
    data: encoder.encode(JSON.stringify(parsed)),
    headers: buildHeaders(appointmentEventType(parsed.event), parsed.version, parsed.tenantId, meta),
    msgId: meta.msgId,
  };
}

export function encodeInboundEvent(
  topology: Topology,
  event: CalcomInboundEventV1,
  meta: PublishMeta,
): MessageEnvelope {
  const parsed = calcomInboundEventV1Schema.parse(event);
  return {
    subject: topology.subjects.calcomInbound(parsed.tenantId, parsed.trigger),
    data: encoder.encode(JSON.stringify(parsed)),
    headers: buildHeaders('calcom.inbound', parsed.version, parsed.tenantId, meta),
    msgId: meta.msgId,
  };
}

export function encodeSyncResult(
  topology: Topology,
  result: SyncResultV1,
  meta: PublishMeta,
): MessageEnvelope {
  const parsed = syncResultV1Schema.parse(result);
  return {
    subject: topology.subjects.syncResult(parsed.tenantId, parsed.appointmentId, parsed.outcome),
    data: encoder.encode(JSON.stringify(parsed)),
    headers: buildHeaders('sync.result', parsed.version, parsed.tenantId, meta),
    msgId: meta.msgId,
  };
}

/** Publish and wait for JetStream's ack; a duplicate msgId returns the original ack (duplicate: true). */
export function publishEnvelope(
  js: JetStreamClient,
  envelope: MessageEnvelope,
  timeoutMs = 5000,
): Promise<PubAck> {
  return js.publish(envelope.subject, envelope.data, {
    msgID: envelope.msgId,
    headers: envelope.headers,
    timeout: timeoutMs,
  });
}

export interface MessageMeta {
  origin: Origin | undefined;
  tenantId: string | undefined;
  eventType: string | undefined;
  eventVersion: string | undefined;
  msgId: string | undefined;
  traceparent: string | undefined;
}

export function readMeta(hdrs: MsgHdrs | undefined): MessageMeta {
  const get = (k: string) => (hdrs?.has(k) ? hdrs.get(k) : undefined);
  const origin = get(HEADERS.origin);
  return {
    origin:
      origin === 'retell' || origin === 'admin' || origin === 'calcom' || origin === 'system'
        ? origin
        : undefined,
    tenantId: get(HEADERS.tenantId),
    eventType: get(HEADERS.eventType),
    eventVersion: get(HEADERS.eventVersion),
    msgId: get(HEADERS.msgId),
    traceparent: get(HEADERS.traceparent),
  };
}

export type Decoded<T> =
  { ok: true; value: T; meta: MessageMeta } | { ok: false; reason: string; meta: MessageMeta };

function decodeWith<T>(schema: z.ZodType<T>, data: Uint8Array, hdrs: MsgHdrs | undefined): Decoded<T> {
  const meta = readMeta(hdrs);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return { ok: false, reason: 'not JSON', meta };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      reason: parsed.error.issues.map((i) => i.path.join('.') + ': ' + i.message).join('; '),
      meta,
    };
  if (meta.tenantId !== undefined && (parsed.data as { tenantId?: string }).tenantId !== meta.tenantId) {
    return { ok: false, reason: 'Tenant-Id header does not match payload', meta };
  }
  return { ok: true, value: parsed.data, meta };
}

export const decodeAppointmentEvent = (m: Pick<JsMsg, 'data' | 'headers'>) =>
  decodeWith(appointmentEventV1Schema, m.data, m.headers);
export const decodeInboundEvent = (m: Pick<JsMsg, 'data' | 'headers'>) =>
  decodeWith(calcomInboundEventV1Schema, m.data, m.headers);
export const decodeSyncResult = (m: Pick<JsMsg, 'data' | 'headers'>) =>
  decodeWith(syncResultV1Schema, m.data, m.headers);
