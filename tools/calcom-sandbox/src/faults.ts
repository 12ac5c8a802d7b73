/** Injected faults: the first matching rule with calls left decides what happens to a call. */
import type { FaultRoute, FaultRule } from './types';

interface ActiveRule extends FaultRule {
  left: number;
}

export function createFaults() {
  let rules: ActiveRule[] = [];
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
    /** Consumes one use of the first rule that matches. */
    take(route: FaultRoute, apiKey: string | null): FaultRule | undefined {
      const rule = rules.find(
        (r) => r.left > 0 && (r.route === '*' || r.route === route) && (!r.apiKey || r.apiKey === apiKey),
      );
      if (!rule) return undefined;
      rule.left -= 1;
      if (rule.left <= 0) rules = rules.filter((r) => r !== rule);
      return rule;
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
  return 'other';
}

export const maskKey = (key: string | null) =>
  key === null ? null : key.length <= 8 ? '***' : `${key.slice(0, 4)}…${key.slice(-4)}`;
