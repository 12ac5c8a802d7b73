/**
 * NATS connection that survives outages (reconnects forever, see nats/FACTS.md)
 * and creates or updates the streams and durable consumers of the topology.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
  type PubAck,
} from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/nats-core';
import type { ConsumerDefinition, MessageEnvelope, Topology } from '@calsync/contracts';
import type { NatsCredentials } from './config';
import type { Logger } from './logger';

export interface NatsHandle {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

export interface ConnectNatsOptions {
  /** Without credentials (natsConnection() takes them out of NATS_URL). */
  url: string;
  credentials?: NatsCredentials;
  name: string;
  logger: Logger;
}

/**
 * With a user, replies (requests, JetStream pulls) come to `_INBOX.<user>.…`: the
 * server grants each service only its own inboxes (deploy/nats), so one service
 * cannot read the messages another pulls from a stream.
 */
export const natsInboxPrefix = (user: string) => `_INBOX.${user}`;

const nanos = (ms: number) => ms * 1_000_000;

export async function connectNats(opts: ConnectNatsOptions): Promise<NatsHandle> {
  const nc = await connect({
    servers: opts.url.split(',').map((s) => s.trim()),
    name: opts.name,
    ...(opts.credentials && {
      user: opts.credentials.user,
      pass: opts.credentials.pass,
      inboxPrefix: natsInboxPrefix(opts.credentials.user),
    }),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    reconnectJitter: 250,
    pingInterval: 10_000,
    waitOnFirstConnect: true,
    // nats.js otherwise builds an Error with a stack trace for every request and publish, in case
    // it fails (6–7 % of the gateway's busy CPU); a failed one still says what and why.
    noAsyncTraces: true,
  });
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect' || s.type === 'error') {
        opts.logger.warn('NATS connection status', { status: s.type });
      }
    }
  })().catch(() => undefined);
  const jsm = await jetstreamManager(nc, { timeout: 10_000 });
  return { nc, js: jetstream(nc, { timeout: 10_000 }), jsm };
}

/**
 * NATS's part of a readiness check (SPEC §4.5): the connection is open (not closed or
 * draining) and a round trip to the server answers within `timeoutMs`. A round trip that
 * does not throws, which healthRouter answers as not ready.
 */
export async function natsRoundTrip(
  nc: Pick<NatsConnection, 'isClosed' | 'isDraining' | 'rtt'>,
  timeoutMs = 1_000,
): Promise<boolean> {
  if (nc.isClosed() || nc.isDraining()) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('NATS round trip timed out')), timeoutMs);
  });
  try {
    await Promise.race([nc.rtt(), timeout]);
    return true;
  } finally {
    clearTimeout(timer);
  }
}

export interface EnsureTopologyOptions {
  replicas: number;
  /** De-duplication window for Nats-Msg-Id. */
  duplicateWindowMs?: number;
  maxAgeMs?: number;
}

/** Creates or updates the three streams. Idempotent; every service calls it at start. */
export async function ensureStreams(
  jsm: JetStreamManager,
  topology: Topology,
  opts: EnsureTopologyOptions,
): Promise<void> {
  for (const def of Object.values(topology.streams)) {
    const config = {
      name: def.name,
      subjects: def.subjects,
      description: def.description,
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      num_replicas: opts.replicas,
      duplicate_window: nanos(opts.duplicateWindowMs ?? 10 * 60_000),
      max_age: nanos(opts.maxAgeMs ?? 7 * 24 * 3600_000),
    };
    // Update only what differs: a service whose NATS user may only read stream info
    // (deploy/nats) starts against streams the owner already made.
    let current: Record<string, unknown>;
    try {
      current = (await jsm.streams.info(def.name)).config;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await jsm.streams.add(config);
      continue;
    }
    if (differs(current, config)) await jsm.streams.update(def.name, config);
  }
}

/** On 2.9 add() silently updates, on 2.10+ it errors for an existing durable: update explicitly. */
export async function ensureConsumer(jsm: JetStreamManager, def: ConsumerDefinition): Promise<void> {
  const config = {
    durable_name: def.durable,
    filter_subject: def.filterSubject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(def.ackWaitMs),
    max_deliver: def.maxDeliver,
    max_ack_pending: def.maxAckPending,
  };
  const changeable = {
    ack_wait: config.ack_wait,
    max_deliver: config.max_deliver,
    max_ack_pending: config.max_ack_pending,
  };
  let current: Record<string, unknown>;
  try {
    current = (await jsm.consumers.info(def.stream, def.durable)).config;
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.consumers.add(def.stream, config);
    return;
  }
  if (differs(current, changeable)) await jsm.consumers.update(def.stream, def.durable, changeable);
}

/** True when a field we set has another value on the server (fields we leave to defaults are ignored). */
function differs(current: Record<string, unknown>, wanted: Record<string, unknown>): boolean {
  return Object.entries(wanted).some(
    ([k, v]) => JSON.stringify(current[k] ?? null) !== JSON.stringify(v ?? null),
  );
}

function isNotFound(err: unknown): boolean {
  const e = err as { code?: string | number; api_error?: { err_code?: number }; message?: string };
  const code = e?.api_error?.err_code;
  return code === 10059 || code === 10014 || /not found/i.test(e?.message ?? '');
}

/**
 * Publishes a message built by contracts' encodeMessage and waits for JetStream's ack; a
 * duplicate msgId (inside the stream's duplicate window) returns the original ack, duplicate: true.
 */
export function publishEnvelope(
  js: JetStreamClient,
  envelope: MessageEnvelope,
  timeoutMs = 5000,
): Promise<PubAck> {
  const h = natsHeaders();
  for (const [name, value] of Object.entries(envelope.headers)) h.set(name, value);
  return js.publish(envelope.subject, envelope.data, {
    msgID: envelope.msgId,
    headers: h,
    timeout: timeoutMs,
  });
}
