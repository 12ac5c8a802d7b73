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
} from '@nats-io/jetstream';
import type { ConsumerDefinition, Topology } from '@calsync/contracts';
import type { Logger } from './logger';

export interface NatsHandle {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

export interface ConnectNatsOptions {
  url: string;
  name: string;
  logger: Logger;
}

const nanos = (ms: number) => ms * 1_000_000;

export async function connectNats(opts: ConnectNatsOptions): Promise<NatsHandle> {
  const nc = await connect({
    servers: opts.url.split(',').map((s) => s.trim()),
    name: opts.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    reconnectJitter: 250,
    pingInterval: 10_000,
    waitOnFirstConnect: true,
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
    try {
      await jsm.streams.info(def.name);
      await jsm.streams.update(def.name, config);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await jsm.streams.add(config);
    }
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
  try {
    await jsm.consumers.info(def.stream, def.durable);
    await jsm.consumers.update(def.stream, def.durable, {
      ack_wait: config.ack_wait,
      max_deliver: config.max_deliver,
      max_ack_pending: config.max_ack_pending,
    });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.consumers.add(def.stream, config);
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { code?: string | number; api_error?: { err_code?: number }; message?: string };
  const code = e?.api_error?.err_code;
  return code === 10059 || code === 10014 || /not found/i.test(e?.message ?? '');
}
