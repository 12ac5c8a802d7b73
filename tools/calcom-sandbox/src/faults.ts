/** Injected faults: the first matching rule with calls left decides what happens to a call. */
import type { ApiFaultRule, FaultRoute, FaultRule, WebhookFaultRule } from './types';

type ActiveRule = FaultRule & { left: number };

export function createFaults() {
  let rules: ActiveRule[] = [];
  const consume = <R extends ActiveRule>(matches: (r: ActiveRule) => r is R, apiKey: string | null) => {
    const rule = rules.find((r): r is R => r.left > 0 && matches(r) && (!r.apiKey || r.apiKey === apiKey));
    if (!rule) return undefined;
    rule.left -= 1;
    if (rule.left <= 0) rules = rules.filter((r) => r !== rule);
    const { left: _left, ...plain } = rule;
    return plain;
  };
  return {
    add(rule: FaultRule) {
      rules.push({ ...rule, left: rule.times ?? Number.POSITIVE_INFINITY });
    },
    clear() {
      rules = [];
    },
    list(): FaultRule[] {
      return rules.map(({ left: _left, ...r }) => r);
    },
    /** Consumes one use of the first API rule that matches. */
    take(route: FaultRoute, apiKey: string | null): ApiFaultRule | undefined {
      return consume(
        (r): r is ApiFaultRule & { left: number } =>
          r.route !== 'webhook' && (r.route === '*' || r.route === route),
        apiKey,
      );
    },
    /** Consumes one use of the first webhook rule that matches the account's key. */
    takeWebhook(apiKey: string): WebhookFaultRule | undefined {
      return consume((r): r is WebhookFaultRule & { left: number } => r.route === 'webhook', apiKey);
    },
  };
}
export type Faults = ReturnType<typeof createFaults>;

/** Which fault route a `/v2` request is. */
export function routeOf(method: string, path: string): FaultRoute | 'other' {
  if (method === 'POST' && /^\/v2\/bookings\/?$/.test(path)) return 'create';
  if (method === 'GET' && /^\/v2\/bookings\/?$/.test(path)) return 'list';
  if (method === 'GET' && /^\/v2\/bookings\/[^/]+\/?$/.test(path)) return 'get';
  if (method === 'POST' && /^\/v2\/bookings\/[^/]+\/cancel\/?$/.test(path)) return 'cancel';
  if (method === 'POST' && /^\/v2\/bookings\/[^/]+\/reschedule\/?$/.test(path)) return 'reschedule';
  if (method === 'GET' && /^\/v2\/slots\/?$/.test(path)) return 'slots';
  if (/^\/v2\/event-types\/?$/.test(path)) return 'event-types';
  if (/^\/v2\/me\/?$/.test(path)) return 'me';
  if (/^\/v2\/webhooks(\/[^/]+)?\/?$/.test(path)) return 'webhooks';
  return 'other';
}

export const maskKey = (key: string | null) =>
  key === null ? null : key.length <= 8 ? '***' : `${key.slice(0, 4)}…${key.slice(-4)}`;
